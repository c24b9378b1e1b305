package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tamp plan} on LeNet-300-100 and Fashion-MNIST: budgets met as the weights file measures them, tighter
 * budgets giving smaller models, budgets out of reach reported at their line, byte-identical plans, and the cost
 * model's notes. Small candidate sets and 300 scoring images keep each plan to a few seconds.
 */
class PlanCommandTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path recipe(String name, String budget) throws IOException {
        return recipe(name, budget, "sparsity auto in {50 %, 80 %, 95 %}");
    }

    private Path recipe(String name, String budget, String sparsity) throws IOException {
        Path file = dir.resolve(name + ".recipe");
        Files.writeString(file, """
                recipe %s {
                  model  "%s"
                  data   fashion "%s" { validation 1000; scale 1/255 }
                  target raspberry-pi4
                  seed   5
                  budget {
                    %s
                  }
                  prune fc1, fc2 { method magnitude; %s }
                  quantize * { method kmeans; bits auto in {4, 6} }
                  encode { method huffman }
                }
                """.formatted(name, REPO.resolve("models/fmnist_lenet300_100.onnx"),
                REPO.resolve("data/fashion-mnist"), budget, sparsity), StandardCharsets.UTF_8);
        return file;
    }

    private JsonNode plan(Path recipe) throws IOException {
        CheckCommandTest.Run run = tamp("plan", recipe.toString(), "--json", "--images", "300", "--threads", "2",
                "-o", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isEqualTo(ExitCode.OK);
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void sizeBudgetsHoldAsTheWeightsFileMeasuresThemAndTighterNeverGivesLarger() throws IOException {
        JsonNode loose = plan(recipe("loose", "size <= 120 KB"));
        JsonNode tight = plan(recipe("tight", "size <= 60 KB"));
        assertThat(loose.get("measuredSize").asLong()).isLessThanOrEqualTo(120_000);
        assertThat(tight.get("measuredSize").asLong()).isLessThanOrEqualTo(60_000);
        assertThat(tight.get("measuredSize").asLong()).isLessThanOrEqualTo(loose.get("measuredSize").asLong());
        // The size the planner predicts is the weights file's, exactly (the container is additive per weight).
        JsonNode size = tight.get("budgets").get(0);
        assertThat(size.get("metric").asText()).isEqualTo("size");
        assertThat(size.get("predicted").asLong()).isEqualTo(size.get("measured").asLong());
        assertThat(size.get("holds").asBoolean()).isTrue();
        assertThat(tight.get("layers")).hasSize(3);
        assertThat(Files.readString(dir.resolve("out/frontier.svg"))).startsWith("<svg").contains("<circle")
                .endsWith("</svg>\n");
        // The lock holds the plan's choice with every `auto` resolved; plan.txt ends with its pipeline.
        assertThat(Files.readString(dir.resolve("out/plan.txt"))).contains("\npipeline (tamp.lock):\n  ")
                .contains("\n  encode-huffman{layer=\"/fc3/Gemm\" method=huffman}\n");
        assertThat(Files.readString(dir.resolve("out/tamp.lock"))).contains("\nseed 5\n")
                .contains("\n  share-weights{layer=\"/fc1/Gemm\" method=kmeans bits=").doesNotContain("auto");
    }

    @Test
    void plansAreByteIdentical() throws IOException {
        Path r = recipe("twice", "size <= 80 KB");
        CheckCommandTest.Run a = tamp("plan", r.toString(), "--json", "--images", "300", "--threads", "2", "-o",
                dir.resolve("a").toString());
        CheckCommandTest.Run b = tamp("plan", r.toString(), "--json", "--images", "300", "--threads", "1", "-o",
                dir.resolve("b").toString());
        assertThat(a.code()).isEqualTo(ExitCode.OK);
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(Files.readString(dir.resolve("a/frontier.svg")))
                .isEqualTo(Files.readString(dir.resolve("b/frontier.svg")));
        assertThat(Files.readString(dir.resolve("a/tamp.lock"))).isEqualTo(Files.readString(dir.resolve("b/tamp.lock")));
    }

    @Test
    void aBudgetOutOfReachIsReportedAtItsLineWithTheBestValue() throws IOException {
        Path r = recipe("tiny", "size <= 4 KB");
        CheckCommandTest.Run run = tamp("plan", r.toString(), "--images", "300", "-o", dir.resolve("o").toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains(r + ":7:5: error[E3005]: `size <= 4,000 B` cannot be met: the smallest "
                + "this recipe's choices reach is ");
        assertThat(dir.resolve("o")).doesNotExist();
        assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".o."));
    }

    @Test
    void pruningWithoutASparseWinSaysSo() throws IOException {
        // On a Pi 4 a CSR kernel wins only well below 50 % density; a 50 % pruned layer is smaller, not faster.
        JsonNode plan = plan(recipe("loosest", "size <= 2 MB", "sparsity 50 %"));
        JsonNode fc1 = plan.get("layers").get(0);
        assertThat(fc1.get("layer").asText()).isEqualTo("/fc1/Gemm");
        assertThat(fc1.get("representation").asText()).startsWith("sparse");
        assertThat(fc1.get("notes").toString()).contains("pruned but not faster: density 50.0 %")
                .contains("on raspberry-pi4; size only");
    }
}
