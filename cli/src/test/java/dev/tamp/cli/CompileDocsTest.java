package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of docs/diagnostics.md shown as {@code $ tamp compile FILE} (diagnostics reported after the front
 * end) give exactly the output shown, run in a scratch {@code examples/} folder beside links to the repository's
 * {@code models/} and {@code data/}, displayed as {@code /tmp/tamp} like the front end's examples.
 */
class CompileDocsTest {
    private static final Path DOC = Path.of("..", "docs", "diagnostics.md");
    private static final Pattern EXAMPLE = Pattern.compile(
            "```tamp (\\S+)\n(.*?)```\n+```console\n\\$ tamp (check|compile) \\S+\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path root;

    @Test
    void everyCompileExampleGivesTheOutputShown() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("examples"));
        Files.createSymbolicLink(root.resolve("models"), repo.resolve("models"));
        Files.createSymbolicLink(root.resolve("data"), repo.resolve("data"));
        Matcher m = EXAMPLE.matcher(Files.readString(DOC, StandardCharsets.UTF_8));
        int examples = 0;
        while (m.find()) {
            if (!m.group(3).equals("compile")) {
                continue;
            }
            Path file = root.resolve("examples").resolve(m.group(1));
            Files.writeString(file, m.group(2), StandardCharsets.UTF_8);
            CheckCommandTest.Run run = tamp("compile", file.toString(), "-o", root.resolve("out").toString(),
                    "--no-eval");
            String shown = run.err().replace(root.resolve("examples") + "/", "");
            assertThat(shown).as("output of `tamp compile %s`", m.group(1)).isEqualTo(m.group(4));
            assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
            examples++;
        }
        assertThat(examples).isPositive();
    }
}
