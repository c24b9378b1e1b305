package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/tutorial.md true: the output it shows for {@code ./tamp inspect} and {@code ./tamp check} is what those
 * commands print, and every statement of its recipe is in the example recipe it describes.
 */
class TutorialDocsTest {
    private static final Path DOC = Path.of("..", "docs", "tutorial.md");

    @Test
    void shownOutputsAreWhatTheCommandsPrint() throws IOException {
        String doc = Files.readString(DOC);
        for (String command : List.of("./tamp inspect models/fmnist_lenet5.onnx",
                "./tamp check examples/lenet5-no-retraining.recipe")) {
            String shown = block(doc, "$ " + command);
            List<String> args = new ArrayList<>(List.of(command.substring("./tamp ".length()).split(" ")));
            args.set(1, "../" + args.get(1));
            CheckCommandTest.Run run = tamp(args.toArray(String[]::new));
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out().replace("../examples/", "examples/")).as(command).isEqualTo(shown);
        }
    }

    @Test
    void theRecipeShownIsTheExampleWithoutItsComments() throws IOException {
        String doc = Files.readString(DOC);
        int at = doc.indexOf("recipe lenet5_no_retraining {");
        String shown = doc.substring(at, doc.indexOf("```", at));
        String example = Files.readString(Path.of("..", "examples", "lenet5-no-retraining.recipe"));
        for (String line : shown.strip().split("\n")) {
            assertThat(example).as("example recipe").contains(line.stripTrailing());
        }
    }

    /** The lines after {@code $ command} up to the end of its code block. */
    private static String block(String doc, String command) {
        int at = doc.indexOf(command + "\n");
        assertThat(at).as(command).isNotNegative();
        int from = at + command.length() + 1;
        return doc.substring(from, doc.indexOf("```", from));
    }
}
