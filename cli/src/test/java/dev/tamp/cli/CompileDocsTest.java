package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/diagnostics.md shown as {@code $ tamp compile FILE} or {@code $ tamp compile FILE --lock LOCK}
 * (diagnostics reported after the front end) give exactly the output shown, run in a scratch {@code examples/} folder beside links to the repository's
 * {@code models/} and {@code data/}, displayed as {@code /tmp/tamp} like the front end's examples.
 */
class CompileDocsTest {
    private static final Path DOC = Path.of("..", "docs", "diagnostics.md");
    private static final Pattern EXAMPLE = Pattern.compile(
            "```tamp (\\S+)\n((?:[^`]|`(?!``))*?)```\n+```console\n\\$ tamp (check|compile) ([^\n]+)\n(.*?)```",
            Pattern.DOTALL);
    /** Every example file, also those a later example reads (a recipe shown before the lock file that names it). */
    private static final Pattern FILE = Pattern.compile("```tamp (\\S+)\n((?:[^`]|`(?!``))*?)```\n");

    @TempDir
    Path root;

    @Test
    void everyCompileExampleGivesTheOutputShown() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("examples"));
        Files.createSymbolicLink(root.resolve("models"), repo.resolve("models"));
        Files.createSymbolicLink(root.resolve("data"), repo.resolve("data"));
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Matcher files = FILE.matcher(doc);
        while (files.find()) {
            Files.writeString(root.resolve("examples").resolve(files.group(1)), files.group(2), StandardCharsets.UTF_8);
        }
        Matcher m = EXAMPLE.matcher(doc);
        int examples = 0;
        while (m.find()) {
            if (!m.group(3).equals("compile")) {
                continue;
            }
            Files.writeString(root.resolve("examples").resolve(m.group(1)), m.group(2), StandardCharsets.UTF_8);
            // `tamp compile FILE [--lock FILE]`: file names are those of the examples.
            List<String> args = new ArrayList<>(List.of("compile"));
            for (String arg : m.group(4).split(" ")) {
                args.add(arg.startsWith("-") ? arg : root.resolve("examples").resolve(arg).toString());
            }
            args.addAll(List.of("-o", root.resolve("out").toString(), "--no-eval"));
            CheckCommandTest.Run run = tamp(args.toArray(String[]::new));
            String shown = run.err().replace(root.resolve("examples") + "/", "");
            assertThat(shown).as("output of `tamp compile %s`", m.group(4)).isEqualTo(m.group(5));
            assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
            examples++;
        }
        assertThat(examples).isPositive();
    }
}
