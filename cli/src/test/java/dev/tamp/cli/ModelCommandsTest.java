package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tamp inspect} and {@code tamp eval} end to end on the bundled models and data, and on bad input. */
class ModelCommandsTest {
    @TempDir
    Path temp;

    @Test
    void inspectPrintsEveryLayerAndTotals() {
        CheckCommandTest.Run run = tamp("inspect", "../models/fmnist_lenet5.onnx");
        assertThat(run.code()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("/conv1/Conv").contains("/fc2/Gemm").contains("MaxPool")
                .contains("431,080");  // parameters, as in models/fmnist_lenet5.json
    }

    @Test
    void inspectJsonHasTotals() {
        CheckCommandTest.Run run = tamp("inspect", "--json", "../models/fmnist_lenet300_100.onnx");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("\"totals\"").contains("\"params\" : 266610");
    }

    @Test
    void evalReproducesTheReferenceAccuracyOnTheBundledTestSet() {
        CheckCommandTest.Run run = tamp("eval", "../models/fmnist_lenet300_100.onnx", "--data", "../data/fashion-mnist",
                "--json");
        assertThat(run.code()).as(run.err()).isZero();
        // models/fmnist_lenet300_100.json: test_accuracy_ort 0.8975 on the 10,000 t10k images
        assertThat(run.out()).contains("\"images\" : 10000").contains("\"correct\" : 8975");
    }

    @Test
    void corruptModelIsOneClearErrorAndNothingOnStdout() throws IOException {
        Path model = temp.resolve("broken.onnx");
        byte[] real = Files.readAllBytes(Path.of("../models/fmnist_lenet5.onnx"));
        Files.write(model, java.util.Arrays.copyOf(real, real.length / 3));
        for (String command : new String[] {"inspect", "eval"}) {
            CheckCommandTest.Run run = command.equals("inspect") ? tamp("inspect", model.toString())
                    : tamp("eval", model.toString(), "--data", "../data/fashion-mnist");
            assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).startsWith("error: cannot load model").doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void dataWithoutIdxFilesIsOneClearError() {
        CheckCommandTest.Run run = tamp("eval", "../models/fmnist_lenet5.onnx", "--data", temp.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).startsWith("error: cannot load the data set").doesNotContain("\tat ");
    }

    @Test
    void missingModelFileIsOneClearError() {
        CheckCommandTest.Run run = tamp("inspect", temp.resolve("nope.onnx").toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).startsWith("error: cannot load model").doesNotContain("\tat ");
    }
}
