package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.OptionChecker;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated kernels on compressed weights (kept compressed in memory) against the reference executor, which runs the
 * same compressed graph by materializing the weights: the reference models after real optimizer passes.
 */
class CompressedKernelsTest {
    static final int IMAGES = 500;

    /**
     * Sparse, codebook and sparse-codebook kernels multiply the same float32 weight values by the same inputs and
     * add the products per output in increasing k, only skipping pruned (zero) products, which leave a finite sum
     * unchanged: the same arithmetic as the reference, so the logits must agree exactly in practice; we still allow
     * the summation-order tolerance of {@link JavaEmitterTest#TOLERANCE} since the reference may block its GEMM.
     */
    static final double SAME_ARITHMETIC = JavaEmitterTest.TOLERANCE;

    /**
     * int-k Gemm computes s * sum(q x) where the reference computes sum((q s) x): per output the two differ by the
     * rounding of q s (u |w|), of the final product by s (u |y|) and the different roundings of the sum, at most
     * (2 gamma_n + 2u) sum|w||x| (u = 2^-24), the same order as the summation-order bound: with n up to 784 and
     * sum|w||x| of order 10 to 100 the worst case is 1e-3 to 1e-2 per layer and the typical difference near
     * sqrt(n) u sum|w||x| (1e-5 to 1e-4); carried through three layers we assert 5e-3 on logits and 99.9 % argmax
     * agreement (a tie closer than that can flip).
     *
     * <p>Factored Gemm computes U (V x) where the reference computes fl(U V) x (materialized in double, rounded
     * once): the difference is the rounding of each W element (u |w|) plus the roundings of two sums of lengths K and
     * rank instead of one, at most (gamma_K + gamma_rank + u) sum|U||V||x|, again of the same order, so the same
     * bound holds.
     */
    static final double REORDERED = 5e-3;

    private static final Optional<SourceSpan> GIVEN = Optional.of(SourceSpan.point(1, 1, 0));

    static Settings settings(PassKind family, Object... namesAndValues) {
        Map<String, Setting> explicit = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            Setting s = v instanceof String w ? new Setting.Word(w, GIVEN)
                    : new Setting.Num(((Number) v).doubleValue(), GIVEN);
            explicit.put((String) namesAndValues[i], s);
        }
        return OptionChecker.merge(Schemas.pass(family), List.of(new Settings(explicit)));
    }

    static Model apply(Pass pass, Model model, Settings settings) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (Node node : model.graph().nodes()) {
            if (List.of("Conv", "Gemm").contains(node.opType())) {
                layers.put(node.name(), settings);
            }
        }
        return pass.apply(model, new PassContext(42, Map.of(pass.info().family(), layers)));
    }

    static Model compress(Model model, String recipe) {
        Settings prune = settings(PassKind.PRUNE, "sparsity", 0.8);
        Settings kmeans = settings(PassKind.QUANTIZE, "method", "kmeans", "bits", 4);
        return switch (recipe) {
            case "sparse" -> apply(CorePasses.PRUNE_MAGNITUDE, model, prune);
            // Below CompressedKernels.SPARSE_GATHER_MAX_DENSITY: the Gemm weights stay CSR (80 % are decoded).
            case "sparse95" -> apply(CorePasses.PRUNE_MAGNITUDE, model, settings(PassKind.PRUNE, "sparsity", 0.95));
            case "codebook" -> apply(CorePasses.SHARE_WEIGHTS, model, kmeans);
            case "sparse-codebook" -> apply(CorePasses.SHARE_WEIGHTS,
                    apply(CorePasses.PRUNE_MAGNITUDE, model, prune), kmeans);
            case "int8" -> apply(CorePasses.QUANTIZE_UNIFORM, model,
                    settings(PassKind.QUANTIZE, "method", "uniform", "bits", 8));
            case "svd" -> { // rank 32 on every Gemm both sides of which exceed 32 (not the classifier)
                Map<String, Settings> layers = new LinkedHashMap<>();
                for (Node node : model.graph().nodes()) {
                    int[] d = node.opType().equals("Gemm")
                            ? model.graph().weights().get(node.input(1)).representation().dims() : new int[] {0};
                    if (Math.min(d[0], d[d.length - 1]) > 32) {
                        layers.put(node.name(), settings(PassKind.FACTORIZE, "method", "svd", "rank", 32));
                    }
                }
                yield CorePasses.FACTORIZE_SVD.apply(model, new PassContext(7, Map.of(PassKind.FACTORIZE, layers)));
            }
            default -> {
                if (!recipe.endsWith("+huffman")) {
                    throw new IllegalArgumentException(recipe);
                }
                yield apply(CorePasses.ENCODE_HUFFMAN, compress(model, recipe.substring(0, recipe.length() - 8)),
                        settings(PassKind.ENCODE, "method", "huffman"));
            }
        };
    }

    @ParameterizedTest
    @CsvSource({
        "fmnist_lenet300_100, sparse, sparse",
        "fmnist_lenet300_100, sparse95, sparse",
        "fmnist_lenet5, sparse95, sparse",
        "fmnist_lenet300_100, codebook, codebook",
        "fmnist_lenet300_100, sparse-codebook, sparse-codebook",
        "fmnist_lenet300_100, int8, int8",
        "fmnist_lenet300_100, svd, factored",
        "fmnist_lenet5, svd, factored",
        "fmnist_lenet300_100, sparse+huffman, huffman",
        "fmnist_lenet300_100, sparse-codebook+huffman, huffman",
        "fmnist_lenet5, codebook+huffman, huffman",
        "fmnist_lenet5, int8+huffman, huffman",
        "fmnist_lenet5, sparse, sparse",
        "fmnist_lenet5, codebook, codebook",
        "fmnist_lenet5, sparse-codebook, sparse-codebook",
        "fmnist_lenet5, int8, int8",
        "fmnist_resnet8, sparse, sparse",
        "fmnist_resnet8, codebook, codebook",
    })
    void matchesTheReferenceExecutor(String name, String recipe, String kind, @TempDir Path dir) throws Throwable {
        Model model = OnnxImporter.withDefaults().load(JavaEmitterTest.root().resolve("models").resolve(name + ".onnx"));
        Graph graph = compress(model, recipe).graph();
        Set<String> kinds = new TreeSet<>();
        for (var w : graph.weights().values()) {
            Representation r = w.representation();
            kinds.add(r.kind());
        }
        assertThat(kinds).as("representations").contains(kind);

        String source = JavaEmitter.source(graph, "gen.compressed", "Model");
        if (recipe.equals("sparse95")) {
            assertThat(source).as("Gemm weights at 5 %% density stay CSR").contains("in CSR, skipping pruned weights");
        } else if (recipe.equals("sparse") || recipe.startsWith("int8") || recipe.startsWith("codebook")) {
            assertThat(source).as("Gemm weights decoded into rows").contains("decoded at load into float rows");
        }
        GeneratedJava java = GeneratedJava.compile("gen.compressed", "Model", source, dir);
        Object compiled = java.load(WeightsFile.write(graph));

        // What the instance keeps is what ResidentBytes reports (the planner's and the report's resident size).
        List<dev.tamp.model.ir.Weight> all = List.copyOf(graph.weights().values());
        List<String> ids = dev.tamp.codegen.container.Identifiers.assign(all.stream()
                .map(dev.tamp.model.ir.Weight::name).toList());
        Map<String, Long> resident = ResidentBytes.of(graph);
        for (int i = 0; i < all.size(); i++) {
            assertThat(StructuredKernelsTest.residentBytes(compiled, ids.get(i)))
                    .as("resident bytes of %s", all.get(i).name()).isEqualTo(resident.get(all.get(i).name()));
        }
        GeneratedJava.Comparison c = java.compareWithExecutor(compiled, graph, IMAGES);
        double maxDiff = c.maxDiff();
        int agree = c.argmaxAgreement();
        System.out.printf("%s %s %s: %d images, max |generated - reference| = %.3e, argmax agreement %d/%d%n", name,
                recipe, kinds, IMAGES, maxDiff, agree, IMAGES);
        boolean exact = !recipe.startsWith("int8") && !recipe.equals("svd");
        assertThat(maxDiff).isLessThan(exact ? SAME_ARITHMETIC : REORDERED);
        assertThat(agree).isGreaterThanOrEqualTo(exact ? IMAGES : (int) Math.ceil(IMAGES * 0.999));
        java.codeLengths().forEach((method, length) -> assertThat(length).as(method).isLessThan(8000 / 4));
    }

    /** The payload of the first section of this kind in a container, located through the section table. */
    static int payloadOf(byte[] f, int kind) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.getInt(12); i++) {
            int offset = (int) b.getLong(32 + 16 * i);
            if (b.getShort(offset) == kind) {
                int head = 16 + 4 * b.get(offset + 4) + b.getShort(offset + 6) + b.getInt(offset + 8);
                return offset + (head + 3 & ~3);
            }
        }
        throw new AssertionError("no section of kind " + kind);
    }

    /** Recomputes every section checksum and the file checksum, so only the payload checks can object. */
    static byte[] resealed(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.getInt(12); i++) {
            int offset = (int) b.getLong(32 + 16 * i);
            int size = (int) b.getLong(32 + 16 * i + 8);
            CRC32 crc = new CRC32();
            crc.update(f, offset, size - 4);
            b.putInt(offset + size - 4, (int) crc.getValue());
        }
        CRC32 crc = new CRC32();
        crc.update(f, 0, f.length - 4);
        b.putInt(f.length - 4, (int) crc.getValue());
        return f;
    }

    @ParameterizedTest
    @CsvSource({
        "sparse, 2, 0, 0, sparse gaps of 0 bits",
        "sparse, 2, 1, 255, entries need",
        "sparse-codebook, 5, 1, 9, sparse-codebook widths",
        "sparse-codebook, 5, 2, 255, centroids do not fit",
        "codebook, 4, 1, 255, centroids and 4-bit indices",
        "codebook, 4, 1, 3, codebook payload of",
        "int8, 3, 1, 0, quantization header differs",
        "int8, 3, 3, 0, scale 0.0 of channel 0",
        "sparse+huffman, 6, 0, 1, does not wrap the representation",
        "sparse+huffman, 6, 6, 0, Huffman table with longest code 0",
        "sparse+huffman, 6, 5, 127, cannot fit",
        "sparse+huffman, 6, 2, 255, bytes after its streams",
    })
    void refusesCorruptedPayloads(String recipe, int kind, int at, int value, String message, @TempDir Path dir)
            throws Throwable {
        Model model = OnnxImporter.withDefaults().load(JavaEmitterTest.root().resolve("models")
                .resolve("fmnist_lenet300_100.onnx"));
        Graph graph = compress(model, recipe).graph();
        GeneratedJava java = GeneratedJava.compile("gen.corrupt", "Model",
                JavaEmitter.source(graph, "gen.corrupt", "Model"), dir);
        byte[] good = WeightsFile.write(graph);
        assertThat(java.load(good)).isNotNull();
        byte[] bad = good.clone();
        int payload = payloadOf(bad, kind);
        if (recipe.equals("int8") && at == 3) {
            Arrays.fill(bad, payload + 3, payload + 7, (byte) 0);
        } else {
            bad[payload + at] = (byte) value;
        }
        assertThatThrownBy(() -> java.load(resealed(bad)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt weights container: ")
                .hasMessageContaining(message);
    }
}
