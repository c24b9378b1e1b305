package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tamp target probe} on the machine the tests run on: a spec that checks, with figures of this machine. */
class TargetProbeTest {
    @TempDir
    Path temp;

    @Test
    void probeWritesASpecThatChecksAndDescribesThisMachine() throws Exception {
        Path file = temp.resolve("specs/ci-host.target");
        CheckCommandTest.Run run = tamp("target", "probe", "--quick", "--name", "ci-host", "-o", file.toString());
        assertThat(run.code()).as(run.err()).isZero();
        CheckCommandTest.Run check = tamp("check", file.toString());
        assertThat(check.code()).as(check.err()).isZero();
        assertThat(check.out()).contains("(1 target)");

        String text = Files.readString(file);
        assertThat(text).contains("target ci-host {")
                .contains("cores     " + Runtime.getRuntime().availableProcessors() + "\n")
                .contains("// peak fp32: ").contains("// bandwidth: STREAM triad");
        // Every machine that runs Java does some floating point and moves some bytes: figures are positive and
        // plausible for one host (no JVM reaches 100 TFLOPS or 10 TB/s).
        assertThat(number(text, "fp32 ([0-9.]+) GFLOPS")).isBetween(0.01, 100_000.0);
        assertThat(number(text, "int8 ([0-9.]+) GOPS")).isBetween(0.01, 100_000.0);
        assertThat(number(text, "bandwidth ([0-9.]+) GB/s")).isBetween(0.01, 10_000.0);
        // No temporary file left beside it.
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aBadNameIsAUsageErrorAndAFolderIsRefused() {
        assertThat(tamp("target", "probe", "--name", "9lives").code()).isEqualTo(ExitCode.USAGE);
        CheckCommandTest.Run run = tamp("target", "probe", "--quick", "-o", temp.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("is a folder").doesNotContain("\tat ");
        assertThat(tamp("target").code()).isEqualTo(ExitCode.USAGE);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
