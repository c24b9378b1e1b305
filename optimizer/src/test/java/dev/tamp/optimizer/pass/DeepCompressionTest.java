package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Deep Compression's storage pipeline on the reference models, without any fine-tuning: magnitude pruning at the
 * peer's rates (models/*.baselines.json: per layer for the LeNets, global 80 % for resnet8), k-means on the kept
 * weights (conv 256 / fc 32 centroids, linear start, 20 iterations, as the peer), then Huffman coding. Prints stored
 * bytes and the ratio against dense float32 next to the peer's fine-tuned figures; asserts the byte accounting and
 * that Huffman coding is lossless. Accuracy is printed, not asserted: the peer fine-tuned after every step. resnet8
 * is not evaluated here (its 10k evaluation is the slowest in the suite; measured once at 10.00 %: global pruning of
 * BN-folded weights without retraining, see AccuracyBarTest).
 */
class DeepCompressionTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "fmnist_lenet300_100; fc1=0.92 fc2=0.91 fc3=0.74; 26417; true",
        "fmnist_lenet5; conv1=0.34 conv2=0.88 fc1=0.92 fc2=0.81; 47640; true",
        "fmnist_resnet8; global=0.8; 92558; false"})
    void prunedSharedAndHuffmanCoded(String modelName, String rates, long peerBytes, boolean evaluate) {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(modelName));
        long t0 = System.nanoTime();
        Model pruned = apply(CorePasses.PRUNE_MAGNITUDE, model, pruneSettings(model, rates));
        Model shared = apply(CorePasses.SHARE_WEIGHTS, pruned, perLayer(model, PassKind.QUANTIZE,
                n -> TestContexts.settings(PassKind.QUANTIZE, "method", "kmeans",
                        "bits", n.opType().equals("Conv") ? 8 : 5, "init", "linear", "iterations", 20)));
        PassContext encodeContext = perLayer(model, PassKind.ENCODE,
                n -> TestContexts.settings(PassKind.ENCODE, "method", "huffman"));
        Model encoded = CorePasses.ENCODE_HUFFMAN.apply(shared, encodeContext);
        IrVerifier.verify("encode-huffman", shared, encoded);
        long t1 = System.nanoTime();

        long layers = PassesTest.layerWeights(model).size();
        long dense = 0;
        long sharedBytes = 0;
        long encodedBytes = 0;
        for (Weight w : model.graph().weights().values()) {
            dense += 4L * w.representation().materialize().size();
            Representation before = shared.graph().weights().get(w.name()).representation();
            Representation after = encoded.graph().weights().get(w.name()).representation();
            sharedBytes += before.storedBytes();
            encodedBytes += after.storedBytes();
            byte[] bytes = after.serialize();
            assertThat(after.storedBytes()).as(w.name()).isEqualTo(bytes.length);
            // Lossless: bit-for-bit the weight before coding, also when decoded from the stored bytes.
            assertThat(after.materialize()).as(w.name()).isEqualTo(before.materialize());
            if (after instanceof HuffmanCoded h) {
                assertThat(h.inner()).isInstanceOf(SparseCodebook.class);
                assertThat(HuffmanCoded.deserialize(after.dims(), bytes).materialize()).isEqualTo(before.materialize());
                assertThat(after.storedBytes()).isLessThan(before.storedBytes());
            }
        }
        Map<String, Long> stats = encodeContext.statistics();
        assertThat(stats.get("layers-encoded") + stats.getOrDefault("layers-skipped", 0L)).isEqualTo(layers);
        assertThat(sharedBytes - encodedBytes).isEqualTo(stats.get("bytes-before") - stats.get("bytes-after"));
        assertThat(encodedBytes).isLessThan(sharedBytes);
        String accuracy = "not evaluated";
        if (evaluate) {
            long t2 = System.nanoTime();
            accuracy = String.format("%.4f (10k test images, %.1f s)",
                    AccuracyBarTest.accuracy(encoded, IdxFiles.locate(List.of(RepoFiles.fashionMnist()))),
                    (System.nanoTime() - t2) / 1e9);
        }
        System.out.printf("%s Deep Compression (no fine-tuning): dense %,d B; pruned+shared %,d B (%.1fx); "
                + "+Huffman %,d B (%.1fx), %d of %d layers coded; peer (fine-tuned) %,d B (%.1fx); passes %.2f s; "
                + "accuracy %s%n", modelName, dense, sharedBytes, (double) dense / sharedBytes, encodedBytes,
                (double) dense / encodedBytes, stats.get("layers-encoded"), layers, peerBytes,
                (double) dense / peerBytes, (t1 - t0) / 1e9, accuracy);
    }

    private static Model apply(Pass pass, Model model, PassContext context) {
        Model out = pass.apply(model, context);
        IrVerifier.verify(pass.info().name(), model, out);
        return out;
    }

    private static PassContext pruneSettings(Model model, String rates) {
        Map<String, Double> byModule = new LinkedHashMap<>();
        for (String r : rates.split(" ")) {
            String[] kv = r.split("=");
            byModule.put(kv[0], Double.parseDouble(kv[1]));
        }
        Double global = byModule.get("global");
        return perLayer(model, PassKind.PRUNE, n -> {
            Double rate = global != null ? global : byModule.get(n.name().split("/")[1]);
            assertThat(rate).as("rate of %s", n.name()).isNotNull();
            return TestContexts.settings(PassKind.PRUNE, "method", "magnitude", "sparsity", rate,
                    "scope", global != null ? "global" : "layer");
        });
    }

    private static PassContext perLayer(Model model, PassKind family,
            java.util.function.Function<Node, Settings> settings) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (Node n : model.graph().nodes()) {
            if (n.opType().equals("Conv") || n.opType().equals("Gemm")) {
                layers.put(n.name(), settings.apply(n));
            }
        }
        Map<PassKind, Map<String, Settings>> byFamily = new EnumMap<>(PassKind.class);
        byFamily.put(family, layers);
        return new PassContext(42, byFamily);
    }
}
