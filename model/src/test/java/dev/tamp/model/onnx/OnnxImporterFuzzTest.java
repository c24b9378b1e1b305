package dev.tamp.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.RepoFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Corrupted models (bit flips, truncations, spliced bytes) either load or fail with {@link ModelLoadException}:
 * never a protobuf exception, NPE, array or arithmetic error escaping the importer.
 */
class OnnxImporterFuzzTest {
    private static final int MUTANTS_PER_MODEL = 400;

    @Test
    void corruptedModelsFailOnlyWithModelLoadException() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(TestModels.convBnRelu().toByteArray());
        seeds.add(Files.readAllBytes(RepoFiles.model("fmnist_resnet8.onnx")));
        SplittableRandom random = new SplittableRandom(2026);
        List<String> escapes = new ArrayList<>();
        int loaded = 0;
        for (byte[] seed : seeds) {
            for (int i = 0; i < MUTANTS_PER_MODEL; i++) {
                byte[] mutant = mutate(seed, random);
                try {
                    OnnxImporter.withDefaults().parse(mutant, null, "mutant");
                    loaded++;
                } catch (ModelLoadException expected) {
                    assertThat(expected.getMessage()).startsWith("mutant: ");
                } catch (RuntimeException | StackOverflowError e) {
                    escapes.add(e.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
        System.out.printf("fuzz: %d mutants, %d still loaded, %d escaped%n", 2 * MUTANTS_PER_MODEL, loaded,
                escapes.size());
        assertThat(escapes).isEmpty();
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] m = seed.clone();
        switch (random.nextInt(3)) {
            case 0:
                // Flip bytes, mostly near the start where the graph structure and small tensors live.
                for (int k = 0; k < 1 + random.nextInt(8); k++) {
                    int at = random.nextInt(Math.min(m.length, 4096));
                    m[at] = (byte) random.nextInt(256);
                }
                return m;
            case 1:
                return Arrays.copyOf(m, random.nextInt(m.length));
            default:
                int from = random.nextInt(m.length);
                int to = Math.min(m.length, from + random.nextInt(64));
                int at = random.nextInt(Math.min(m.length, 4096));
                System.arraycopy(seed, from, m, at, Math.min(to - from, m.length - at));
                return m;
        }
    }
}
