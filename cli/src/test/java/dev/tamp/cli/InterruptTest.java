package dev.tamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code tamp compile}, for real: a child JVM runs the command, receives SIGINT while fine-tuning, and
 * must leave the previous output folder exactly as it was, no hidden folder beside it, one line on stderr, and exit
 * 130 (the shell's code for SIGINT).
 */
class InterruptTest {
    private static final String MODEL = Path.of("../models/fmnist_lenet300_100.onnx").toAbsolutePath().normalize()
            .toString();
    private static final String DATA = Path.of("../data/fashion-mnist").toAbsolutePath().normalize().toString();

    @TempDir
    Path temp;

    @Test
    void ctrlCWhileTrainingLeavesThePreviousOutputUntouched() throws Exception {
        Path recipe = temp.resolve("r.recipe");
        Files.writeString(recipe, "recipe l300 {\n  model \"" + MODEL + "\"\n  data fashion { path \"" + DATA
                + "\" }\n  seed 7\n  prune * { sparsity 50 % }\n  finetune { epochs 200; batch 16 }\n}\n");
        Path out = temp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "from an earlier run");

        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Tamp.class.getName(), "compile", recipe.toString(), "-o",
                out.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder err = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            // Interrupt once training has started: the first epoch line comes after the pruning pass.
            String line;
            while ((line = r.readLine()) != null) {
                err.append(line).append('\n');
                if (line.startsWith("running finetune")) {
                    break;
                }
            }
            assertThat(err).as("the child must reach fine-tuning").contains("running finetune");
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            while ((line = r.readLine()) != null) {
                err.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGINT").isTrue();

        assertThat(p.exitValue()).as(err.toString()).isEqualTo(130);
        assertThat(err.toString()).contains("interrupted: nothing was written").doesNotContain("Exception");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).isEqualTo(List.of("keep.txt"));
        }
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(f -> f.getFileName().toString()).sorted().toList())
                    .isEqualTo(List.of("out", "r.recipe"));
        }
    }

    @Test
    void aFinishedCompileReplacesTheFolderAsAWhole() throws IOException {
        Path recipe = temp.resolve("r.recipe");
        Files.writeString(recipe, "recipe l300 {\n  model \"" + MODEL + "\"\n  seed 7\n  prune * { sparsity 50 % }\n}\n");
        Path out = temp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "from an earlier run");
        CheckCommandTest.Run run = CheckCommandTest.tamp("compile", recipe.toString(), "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("weights.tamp")).exists();
        try (Stream<Path> siblings = Files.list(temp)) {
            assertThat(siblings.map(f -> f.getFileName().toString()).sorted().toList())
                    .isEqualTo(List.of("out", "r.recipe"));
        }
    }
}
