package dev.tamp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tamp fmt} end to end on files in a temporary folder, through {@link Tamp#run}. */
class FmtCommandTest {
    private static final String MESSY = "recipe r{model \"m.onnx\";seed 1\n  prune * {method magnitude; sparsity 50%}  // keep\n}";
    private static final String FORMATTED =
            "recipe r {\n  model \"m.onnx\"\n  seed  1\n  prune * { method magnitude; sparsity 50 % }  // keep\n}\n";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int tamp(String... args) {
        return Tamp.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void rewritesFilesInPlace() throws IOException {
        Path messy = file("messy.recipe", MESSY);
        Path clean = file("clean.recipe", FORMATTED);

        assertThat(tamp("fmt", messy.toString(), clean.toString())).isEqualTo(ExitCode.OK);

        assertThat(messy).hasContent(FORMATTED);
        assertThat(clean).hasContent(FORMATTED);
        assertThat(out.toString()).isEqualTo("formatted " + messy + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
        assertThat(dir).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void rewritingKeepsPermissionsAndSymbolicLinks() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file system");
        Path messy = file("messy.recipe", MESSY);
        Files.setPosixFilePermissions(messy, PosixFilePermissions.fromString("rw-r--r--"));
        Path link = Files.createSymbolicLink(dir.resolve("link.recipe"), messy.getFileName());

        assertThat(tamp("fmt", link.toString())).isEqualTo(ExitCode.OK);

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(messy).hasContent(FORMATTED);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(messy))).isEqualTo("rw-r--r--");
    }

    @Test
    void checkListsUnformattedFilesAndChangesNothing() throws IOException {
        Path messy = file("messy.recipe", MESSY);
        Path clean = file("clean.recipe", FORMATTED);

        assertThat(tamp("fmt", "--check", messy.toString(), clean.toString())).isEqualTo(ExitCode.INPUT_ERROR);

        assertThat(out.toString()).isEqualTo(messy + System.lineSeparator());
        assertThat(messy).hasContent(MESSY);
        assertThat(clean).hasContent(FORMATTED);
    }

    @Test
    void checkPassesWhenEverythingIsFormatted() throws IOException {
        Path clean = file("clean.recipe", FORMATTED);

        assertThat(tamp("fmt", "--check", clean.toString())).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void stdoutPrintsTheFormattedTextAndLeavesTheFile() throws IOException {
        Path messy = file("messy.recipe", MESSY);

        assertThat(tamp("fmt", "--stdout", messy.toString())).isEqualTo(ExitCode.OK);

        assertThat(out.toString()).isEqualTo(FORMATTED);
        assertThat(messy).hasContent(MESSY);
    }

    @Test
    void fileWithSyntaxErrorIsLeftAloneAndReported() throws IOException {
        String broken = "recipe r {\n  prune * { sparsity }\n}\n";
        Path bad = file("bad.recipe", broken);
        Path messy = file("messy.recipe", MESSY);

        assertThat(tamp("fmt", bad.toString(), messy.toString())).isEqualTo(ExitCode.INPUT_ERROR);

        assertThat(bad).hasContent(broken);
        assertThat(messy).as("other files are still formatted").hasContent(FORMATTED);
        assertThat(err.toString()).contains(bad + ":2:").contains("error[");
    }

    @Test
    void missingFileIsOneLineOfErrorWithoutStackTrace() {
        Path missing = dir.resolve("missing.recipe");

        assertThat(tamp("fmt", missing.toString())).isEqualTo(ExitCode.INPUT_ERROR);

        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("error:").contains(missing.toString()).doesNotContain("Exception");
        assertThat(missing).doesNotExist();
    }
}
