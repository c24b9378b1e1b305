package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.onnx.OnnxExporter;
import dev.tamp.model.onnx.OnnxImporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tamp.lock} end to end on LeNet-300-100: a compile writes it, {@code --lock} replays it without planning to
 * byte-identical outputs, and a damaged lock or a changed input is refused at the lock's line with nothing written.
 */
class LockTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path temp;

    private Path recipe(String model, String body) throws IOException {
        Path file = temp.resolve("r.recipe");
        Files.writeString(file, """
                recipe l300 {
                  model "%s"
                  data fashion "%s" { validation 1000 }
                  seed 3
                %s}
                """.formatted(model, REPO.resolve("data/fashion-mnist"), body), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void aPlannedCompileWritesALockThatReplaysWithoutPlanningToByteIdenticalOutputs() throws IOException {
        Path r = recipe(REPO.resolve("models/fmnist_lenet300_100.onnx").toString(), """
                  budget { size <= 60 KB }
                  prune fc1, fc2 { method magnitude; sparsity auto in {50 %, 90 %} }
                  quantize * { method kmeans; bits auto in {4, 6}; iterations 5 }
                  encode { method huffman }
                  emit java
                """);
        Path a = temp.resolve("a");
        CheckCommandTest.Run first = tamp("compile", r.toString(), "-o", a.toString(), "--no-eval");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.err()).contains("plan for l300");
        String lock = Files.readString(a.resolve("tamp.lock"));
        assertThat(lock).startsWith("# tamp lock file").contains("\ntamp-lock 1\n").contains("\nseed 3\n")
                .containsPattern("\nrecipe  \"r.recipe\" sha256:[0-9a-f]{64}\n")
                .containsPattern("\nmodel   \"[^\"]*models/fmnist_lenet300_100.onnx\" sha256:[0-9a-f]{64}\n")
                .containsPattern("\ndata    \"[^\"]*/train-labels-idx1-ubyte.gz\" sha256:[0-9a-f]{64}\n")
                .containsPattern("\n  prune-magnitude\\{layer=\"/fc[12]/Gemm\" method=magnitude sparsity=(50|90)% ")
                .containsPattern("\n  share-weights\\{layer=\"/fc[123]/Gemm\" method=kmeans bits=[46] init=linear "
                        + "iterations=5}\n")
                .contains("\n  encode-huffman{layer=\"/fc1/Gemm\" method=huffman}\n")
                .doesNotContain("auto");

        Path b = temp.resolve("b");
        CheckCommandTest.Run replay = tamp("compile", r.toString(), "--lock", a.resolve("tamp.lock").toString(),
                "-o", b.toString(), "--no-eval", "--threads", "1");
        assertThat(replay.code()).as(replay.err()).isZero();
        assertThat(replay.err()).doesNotContain("plan for").doesNotContain("sensitivity");
        for (String file : List.of("model.onnx", "weights.tamp", "java/tamp/generated/L300.java", "tamp.lock")) {
            assertThat(Files.readAllBytes(b.resolve(file))).as(file).isEqualTo(Files.readAllBytes(a.resolve(file)));
        }
        // The report holds the same layers, but no planner ran: no sensitivities or frontier, and each layer says
        // its `auto` values came from the lock.
        String planned = Files.readString(a.resolve("report.json"));
        String replayed = Files.readString(b.resolve("report.json"));
        assertThat(planned).contains("\"frontier\"").contains("the planner chose");
        assertThat(replayed).doesNotContain("\"frontier\"").doesNotContain("the planner chose")
                .contains("as locked in tamp.lock");

        // A damaged lock: refused at the damage, nothing written.
        String damaged = lock.replaceFirst("bits=([46])", "bits=$1.5");
        Path bad = temp.resolve("bad.lock");
        Files.writeString(bad, damaged, StandardCharsets.UTF_8);
        int line = (int) damaged.substring(0, damaged.indexOf("bits=4.5") >= 0 ? damaged.indexOf("bits=4.5")
                : damaged.indexOf("bits=6.5")).chars().filter(c -> c == '\n').count() + 1;
        CheckCommandTest.Run refused = tamp("compile", r.toString(), "--lock", bad.toString(), "-o",
                temp.resolve("c").toString(), "--no-eval");
        assertThat(refused.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(refused.err()).contains(bad + ":" + line + ":").contains(": error[E5001]: `bits` takes a whole number")
                .doesNotContain("running").doesNotContain("\tat ");
        assertThat(temp.resolve("c")).doesNotExist();

        // Truncated: refused where it ends.
        Files.writeString(bad, lock.substring(0, lock.indexOf("\n  share-weights")), StandardCharsets.UTF_8);
        refused = tamp("compile", r.toString(), "--lock", bad.toString(), "-o", temp.resolve("c").toString());
        assertThat(refused.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(refused.err()).contains("error[E5001]: the lock file ends early");
        assertThat(temp.resolve("c")).doesNotExist();
    }

    @Test
    void aChangedModelIsRefusedAtItsHashAndNothingIsWritten() throws IOException {
        Path model = temp.resolve("m.onnx");
        Files.copy(REPO.resolve("models/fmnist_lenet300_100.onnx"), model);
        Path r = recipe("m.onnx", "  quantize * { method uniform; bits 8 }\n");
        Path a = temp.resolve("a");
        CheckCommandTest.Run first = tamp("compile", r.toString(), "-o", a.toString(), "--no-eval");
        assertThat(first.code()).as(first.err()).isZero();
        String lock = Files.readString(a.resolve("tamp.lock"));
        assertThat(lock).contains("\nmodel   \"m.onnx\" sha256:");

        // The same network exported again: same weights, other bytes.
        byte[] before = Files.readAllBytes(model);
        Files.write(model, OnnxExporter.toBytes(OnnxImporter.withDefaults().load(model)));
        assertThat(Files.readAllBytes(model)).isNotEqualTo(before);
        int line = (int) lock.substring(0, lock.indexOf("\nmodel ") + 1).chars().filter(c -> c == '\n').count() + 1;
        String modelLine = lock.lines().filter(l -> l.startsWith("model ")).findFirst().orElseThrow();
        CheckCommandTest.Run refused = tamp("compile", r.toString(), "--lock", a.resolve("tamp.lock").toString(),
                "-o", temp.resolve("b").toString(), "--no-eval");
        assertThat(refused.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(refused.err()).contains(a.resolve("tamp.lock") + ":" + line + ":" + (modelLine.indexOf("sha256:") + 1)
                + ": error[E5002]: the model "
                + "`m.onnx` changed since the lock was written: sha256 ").doesNotContain("running");
        assertThat(temp.resolve("b")).doesNotExist();
        assertThat(Files.readString(a.resolve("tamp.lock"))).isEqualTo(lock);
    }
}
