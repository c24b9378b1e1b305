package dev.tamp.model.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tamp.model.RepoFiles;
import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.onnx.ModelLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code inspect} and {@code eval} reports; inspect output is compared with golden files. */
class ModelReportsTest {
    /** Run with {@code -Dtamp.golden.update=true} to accept new output as the golden files. */
    private static final boolean UPDATE = Boolean.getBoolean("tamp.golden.update");

    private static Path golden(String name) {
        return RepoFiles.root().resolve("model/src/test/resources/golden/inspect").resolve(name);
    }

    private static void assertGolden(String name, String actual) throws Exception {
        Path file = golden(name);
        if (UPDATE) {
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(file).as("golden file (rerun with -Dtamp.golden.update=true to create)").exists();
        assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    void inspectMatchesGoldenAndTheModelCard(String name) throws Exception {
        LayerTable table = ModelReports.inspect(RepoFiles.model(name + ".onnx"));
        assertGolden(name + ".txt", table.renderText());
        assertGolden(name + ".json", table.toJson());
        JsonNode card = new ObjectMapper().readTree(RepoFiles.model(name + ".json").toFile());
        long expectedParams = card.get("onnx").has("initializer_param_count")
                ? card.get("onnx").get("initializer_param_count").asLong() : card.get("param_count").asLong();
        assertThat(table.totalParams()).isEqualTo(expectedParams);
        assertThat(table.totalWeightBytes()).isEqualTo(4 * expectedParams);
        JsonNode json = new ObjectMapper().readTree(table.toJson());
        assertThat(json.get("totals").get("params").asLong()).isEqualTo(expectedParams);
        assertThat(json.get("layers")).hasSize(table.rows().size());
    }

    @Test
    void lenet300MacsArePerImageMatrixProducts() {
        LayerTable table = ModelReports.inspect(RepoFiles.model("fmnist_lenet300_100.onnx"));
        // 784*300 + 300*100 + 100*10 multiply-accumulates in the three Gemms.
        long gemmMacs = table.rows().stream().filter(r -> r.opType().equals("Gemm")).mapToLong(LayerRow::macs).sum();
        assertThat(gemmMacs).isEqualTo(784 * 300 + 300 * 100 + 100 * 10);
    }

    @Test
    void evalOnTheBundledTestSetGivesTheModelCardAccuracy() throws Exception {
        EvalReport report = ModelReports.eval(RepoFiles.model("fmnist_lenet300_100.onnx"),
                List.of(RepoFiles.fashionMnist()), Preprocessing.unitScale(), 2);
        assertThat(report.images()).isEqualTo(10_000);
        assertThat(report.correct()).isEqualTo(8975);
        assertThat(report.renderText()).contains("top-1    89.75 %").contains("(8,975 correct)");
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("accuracy").asDouble()).isEqualTo(0.8975);
        assertThat(json.get("loss").asDouble()).isBetween(0.2, 0.5);
    }

    @Test
    void evalWithTwoNamedFilesUsesThem() {
        Path dir = RepoFiles.fashionMnist();
        EvalReport report = ModelReports.eval(RepoFiles.model("fmnist_lenet300_100.onnx"),
                List.of(dir.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("train-images-idx3-ubyte.gz")),
                Preprocessing.unitScale(), 1);
        assertThat(report.images()).isEqualTo(6_000);
    }

    @Test
    void errorsAreTheLoadersOwnExceptions(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path notAModel = tmp.resolve("x.onnx");
        Files.writeString(notAModel, "not a model");
        assertThatThrownBy(() -> ModelReports.inspect(notAModel)).isInstanceOf(ModelLoadException.class);
        assertThatThrownBy(() -> ModelReports.eval(RepoFiles.model("fmnist_lenet5.onnx"), List.of(tmp),
                Preprocessing.unitScale(), 1)).isInstanceOf(DataLoadException.class)
                .hasMessageContaining("no *-images-idx3-ubyte[.gz] file");
    }
}
