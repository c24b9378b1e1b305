package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the compile report explains (the target, each budget's verdict, the planner's frontier, per-layer predicted
 * latency, sensitivity and a note saying why), and {@code --quiet}: no progress and no warnings, the same files.
 */
class CompileExplanationTest {
    private static final String MODEL = Path.of("../models/fmnist_lenet300_100.onnx").toAbsolutePath().normalize()
            .toString();
    private static final String DATA = Path.of("../data/fashion-mnist").toAbsolutePath().normalize().toString();

    @TempDir
    Path temp;

    /** A LeNet-300-100 recipe; {@code body} starts on line 5. */
    private Path recipe(String head, String body) throws IOException {
        Path file = temp.resolve("r.recipe");
        Files.writeString(file, "recipe l300 {\n  model \"" + MODEL + "\"\n  data fashion { path \"" + DATA
                + "\"; validation 10 % }\n" + head + "\n" + body + "}\n");
        return file;
    }

    @Test
    void aPlannedCompileReportsBudgetsTheFrontierLatencySensitivityAndWhy() throws IOException {
        Path r = recipe("  target raspberry-pi4", """
                  budget { size <= 200 KB; latency <= 1 s; accuracy >= baseline - 3 % }
                  quantize fc1, fc2 { method kmeans; bits auto in {4, 8}; iterations 5 }
                  quantize fc3 { method uniform; bits 8 }
                """);
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", r.toString(), "-o", out.toString(), "--quiet");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).as("--quiet: nothing but errors on stderr").isEmpty();

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("target").asText()).isEqualTo("raspberry-pi4");
        List<String> verdicts = new ArrayList<>();
        report.get("budgets").forEach(b -> verdicts.add(b.get("metric").asText() + " " + b.get("verdict").asText()));
        assertThat(verdicts).containsExactly("size holds", "latency holds", "accuracy holds");
        JsonNode size = report.at("/budgets/0");
        assertThat(size.get("value").asLong()).isEqualTo(report.at("/totals/weightsFileBytes").asLong());
        assertThat(size.get("basis").asText()).isEqualTo("weights file");
        assertThat(size.get("line").asInt()).isEqualTo(5);
        assertThat(size.has("planned")).isTrue();
        assertThat(report.at("/budgets/1/basis").asText()).startsWith("predicted on raspberry-pi4");

        JsonNode frontier = report.get("frontier");
        assertThat(frontier.size()).isGreaterThanOrEqualTo(2);
        int chosen = 0;
        for (JsonNode f : frontier) {
            chosen += f.get("chosen").asBoolean() ? 1 : 0;
        }
        assertThat(chosen).isEqualTo(1);

        JsonNode fc1 = layer(report, "/fc1/Gemm");
        assertThat(fc1.get("representationBefore").asText()).isEqualTo("dense");
        assertThat(fc1.get("predictedSeconds").asDouble()).isPositive();
        assertThat(fc1.get("predictedSecondsBefore").asDouble()).isPositive();
        assertThat(fc1.has("sensitivity")).isTrue();
        assertThat(fc1.has("measuredSeconds")).isFalse();
        assertThat(fc1.get("why").asText()).startsWith("the planner chose `quantize ").contains("of 3 candidates")
                .contains("from `quantize` (line 6, auto)");
        JsonNode fc3 = layer(report, "/fc3/Gemm");
        // The Pi 4 has no fast int8 dot product: the cost model's note says what the int8 codes do not buy.
        assertThat(fc3.get("why").asText()).isEqualTo("fixed by the recipe: `quantize` (line 7); int codes give "
                + "size, not time: raspberry-pi4 has no fast int8 dot product (`int8-dot no`), the kernel widens to fp32");

        assertThat(Files.readString(out.resolve("frontier.svg"))).startsWith("<svg class=\"chart frontier\"")
                .contains("<circle");
        assertThat(Files.readString(out.resolve("bytes.svg"))).startsWith("<svg class=\"chart bytes\"");
        assertThat(Files.readString(out.resolve("report.md"))).contains("## Budgets")
                .contains("![size/accuracy frontier](frontier.svg)").contains("| size &lt;= 200,000 B |");
        assertThat(run.out()).contains("why each layer is what it is").contains("budgets");
    }

    @Test
    void aFixedRecipeSaysSoAndALayerNoStatementSelectsIsKeptAsItWas() throws IOException {
        Path r = recipe("  seed 3", """
                  budget { latency <= 1 ms }
                  quantize * except fc3 { method uniform; bits 8 }
                """);
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", r.toString(), "-o", out.toString(), "--no-eval");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.has("target")).isFalse();
        assertThat(report.has("frontier")).isFalse();
        assertThat(layer(report, "/fc1/Gemm").get("why").asText()).isEqualTo("fixed by the recipe: `quantize` (line 6)");
        assertThat(layer(report, "/fc3/Gemm").get("why").asText())
                .isEqualTo("no statement selects this layer: kept dense");
        assertThat(layer(report, "/fc1/Gemm").has("predictedSeconds")).isFalse();
        assertThat(report.at("/budgets/0/verdict").asText()).isEqualTo("not_measured");
        assertThat(report.at("/budgets/0/basis").asText()).isEqualTo("not predicted: the recipe has no target");
        assertThat(out.resolve("frontier.svg")).doesNotExist();
    }

    @Test
    void trainingShowsValidationAccuracyPerEpochAndQuietChangesNothingButStderr() throws IOException {
        Path r = recipe("  seed 2", """
                  prune * { method magnitude; sparsity 80 % }
                  finetune { epochs 2; batch 128 }
                """);
        CheckCommandTest.Run loud = tamp("compile", r.toString(), "-o", temp.resolve("loud").toString(), "--no-eval");
        assertThat(loud.code()).as(loud.err()).isZero();
        assertThat(loud.err()).contains("running prune-magnitude")
                .containsPattern("epoch 1/2: mean loss [0-9.]+, validation [0-9.]+ %, .*, about [0-9]+ (s|min) left")
                .containsPattern("epoch 2/2: mean loss [0-9.]+, validation [0-9.]+ %");
        CheckCommandTest.Run quiet = tamp("compile", r.toString(), "-o", temp.resolve("quiet").toString(),
                "--no-eval", "-q");
        assertThat(quiet.code()).as(quiet.err()).isZero();
        assertThat(quiet.err()).isEmpty();
        for (String file : List.of("report.json", "weights.tamp", "model.onnx")) {
            assertThat(Files.readAllBytes(temp.resolve("quiet").resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(temp.resolve("loud").resolve(file)));
        }
    }

    @Test
    void quietKeepsErrors() throws IOException {
        Path r = recipe("  seed 1", "  prune fc1 { sparsty 50 % }\n");
        CheckCommandTest.Run run = tamp("compile", r.toString(), "-o", temp.resolve("o").toString(), "--quiet");
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("error[E2001]").contains("1 error");
    }

    private static JsonNode layer(JsonNode report, String name) {
        for (JsonNode l : report.get("layers")) {
            if (l.get("layer").asText().equals(name)) {
                return l;
            }
        }
        throw new AssertionError("no layer " + name);
    }
}
