package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Generated kernels on structured weights (block-circulant through the FFT, hashed, factored Conv) against the
 * reference executor, which multiplies by the materialized dense weights: the reference models after the real passes.
 */
class StructuredKernelsTest {
    static final int IMAGES = CompressedKernelsTest.IMAGES;

    /**
     * Block-circulant Gemm: the generated kernel transforms in double (error of a size-b FFT about c log2(b) 2^-53
     * ||v|| ||x||, negligible), multiplies by float32 spectra (each rounded by at most u = 2^-24 relative, which by
     * Parseval moves each output tile by at most u sum_t ||c_t||_1 ||x_t||_2) and rounds the result once (u |y|),
     * where the reference adds float32 products of the materialized weight, off by at most gamma_n sum|w||x| with
     * gamma_n = nu / (1 - nu). Per layer the difference is therefore at most gamma_n sum|w||x| + u sum_t ||c_t||_1
     * ||x_t||_2 + u|y|: with n <= 784, b <= 16 (||x_t||_2 <= sqrt(b) max|x|) and sums of 10 to 100, 1e-3 to 1e-2 in
     * the worst case, typically sqrt(n) u sum|w||x| (1e-5 to 1e-4). The bound is the same order as the int-k and
     * factored ones, so the same assertion holds: {@link CompressedKernelsTest#REORDERED} on logits, 99.9 % argmax.
     *
     * <p>Factored Conv: conv by V then 1x1 by U against conv by fl(U V): as the factored Gemm, (gamma_taps +
     * gamma_rank + u) sum|U||V||x|, the same order and assertion.
     *
     * <p>int4 Gemm: s sum(q x) against sum((q s) x), bounded in {@link CompressedKernelsTest#REORDERED}; Conv taps are
     * dequantized exactly as the reference. With zero points (asymmetric) the kernel sums the exact integers
     * (q - zp) times x and scales once: the same bound. Quantized along the input axis, each weight is dequantized
     * exactly as the reference materializes it and the products are added in the reference's order: the same
     * arithmetic, asserted with the same (looser) bound.
     *
     * <p>Hashed and packed codebooks (2, 3, 5 bits): the generated code reproduces each weight bit for bit and adds the products in the reference's
     * order, so it is the same arithmetic: {@link CompressedKernelsTest#SAME_ARITHMETIC} and every argmax.
     */
    static final double REORDERED = CompressedKernelsTest.REORDERED;

    private static final Optional<dev.tamp.compiler.source.SourceSpan> GIVEN =
            Optional.of(dev.tamp.compiler.source.SourceSpan.point(1, 1, 0));

    /** {@code pass} with {@code settings} on every layer of type {@code op}. */
    static Model apply(Pass pass, Model model, String op, Settings settings) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (Node node : model.graph().nodes()) {
            if (node.opType().equals(op) || op.equals("*") && (node.opType().equals("Gemm")
                    || node.opType().equals("Conv"))) {
                layers.put(node.name(), settings);
            }
        }
        return pass.apply(model, new PassContext(42, Map.of(pass.info().family(), layers)));
    }

    static Model compress(Model model, String recipe) {
        return switch (recipe) {
            case "block16", "block12" -> apply(CorePasses.STRUCTURE_BLOCK_CIRCULANT, model, "Gemm",
                    CompressedKernelsTest.settings(PassKind.STRUCTURE, "method", "block-circulant", "block",
                            Integer.parseInt(recipe.substring(5))));
            case "hash" -> {
                // 12.5 % of each layer's weights as buckets (a fraction, as the recipe language writes `12.5 %`).
                Map<String, Setting> explicit = new LinkedHashMap<>();
                explicit.put("buckets", new Setting.Num(0.125, GIVEN, true));
                Settings s = dev.tamp.compiler.schema.OptionChecker.merge(
                        dev.tamp.compiler.schema.Schemas.pass(PassKind.HASH), java.util.List.of(new Settings(explicit)));
                yield apply(CorePasses.HASH_WEIGHTS, model, "*", s);
            }
            case "svd-conv" -> { // rank 8 on every Conv whose [out, in*kh*kw] view has both sides above 8
                Map<String, Settings> layers = new LinkedHashMap<>();
                for (Node node : model.graph().nodes()) {
                    if (node.opType().equals("Conv")) {
                        int[] d = model.graph().weights().get(node.input(1)).representation().dims();
                        if (Math.min(d[0], d[1] * d[2] * d[3]) > 8) {
                            layers.put(node.name(), CompressedKernelsTest.settings(PassKind.FACTORIZE, "method",
                                    "svd", "rank", 8));
                        }
                    }
                }
                yield CorePasses.FACTORIZE_SVD.apply(model, new PassContext(7, Map.of(PassKind.FACTORIZE, layers)));
            }
            case "kmeans2", "kmeans3", "kmeans5" -> CompressedKernelsTest.apply(CorePasses.SHARE_WEIGHTS, model,
                    CompressedKernelsTest.settings(PassKind.QUANTIZE, "method", "kmeans", "bits",
                            Integer.parseInt(recipe.substring(6))));
            case "int4" -> CompressedKernelsTest.apply(CorePasses.QUANTIZE_UNIFORM, model,
                    CompressedKernelsTest.settings(PassKind.QUANTIZE, "method", "uniform", "bits", 4));
            case "int4-asym" -> {
                Map<String, Setting> explicit = new LinkedHashMap<>();
                explicit.put("method", new Setting.Word("uniform", GIVEN));
                explicit.put("bits", new Setting.Num(4, GIVEN));
                explicit.put("symmetric", new Setting.Flag(false, GIVEN));
                yield CompressedKernelsTest.apply(CorePasses.QUANTIZE_UNIFORM, model,
                        dev.tamp.compiler.schema.OptionChecker.merge(dev.tamp.compiler.schema.Schemas.pass(
                                PassKind.QUANTIZE), java.util.List.of(new Settings(explicit))));
            }
            case "int8-input-axis" -> { // the pass quantizes along outputs; the IR and the quantizer allow inputs
                Graph g = model.graph();
                Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
                for (Node node : g.nodes()) {
                    if (node.opType().equals("Gemm")) {
                        Weight w = weights.get(node.input(1));
                        int inputAxis = node.attributes().getInt("transB", 0) != 0 ? 1 : 0;
                        weights.put(w.name(), new Weight(w.name(), dev.tamp.optimizer.numerics.AffineQuantization
                                .quantize(w.representation().materialize(), 8, false, inputAxis)));
                    }
                }
                yield new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                        g.values()), model.producerName(), model.producerVersion(), model.irVersion());
            }
            default -> throw new IllegalArgumentException(recipe);
        };
    }

    static Model load(String name) throws IOException {
        return OnnxImporter.withDefaults().load(JavaEmitterTest.root().resolve("models").resolve(name + ".onnx"));
    }

    /**
     * The bytes docs/codegen.md says the generated class keeps for a weight: block-circulant (and circulant) the
     * float32 spectra, 8 (b/2 + 1) per tile; hashed the buckets and the seed; factored U and V; a Gemm weight the
     * emitter decodes at load ({@link CompressedKernels#decodedAtLoad}: codebook, int-k, sparse above the gather
     * density) its float rows, 4 B per element.
     */
    static long documentedResidentBytes(Representation r, boolean gemmWeight) {
        if (gemmWeight && CompressedKernels.decodedAtLoad(r)) {
            return 4L * dev.tamp.model.ir.Tensor.elementCount(r.dims());
        } else if (r instanceof BlockCirculant bc) {
            int[] d = bc.dims();
            int b = bc.blockSize();
            long tiles = (long) FftKernels.tiles(d[0], b) * FftKernels.tiles(d[1], b);
            return 8L * tiles * (b / 2 + 1);
        } else if (r instanceof Hashed h) {
            return 4L * h.buckets().length + 8;
        } else if (r instanceof Codebook cb) {
            return PackedCodes.residentBytes(dev.tamp.model.ir.Tensor.elementCount(cb.dims()), cb.bits())
                    + 4L * cb.centroids().length;
        } else if (r instanceof AffineQuantized q) {
            return PackedCodes.residentBytes(dev.tamp.model.ir.Tensor.elementCount(q.dims()), q.bits())
                    + 8L * q.scales().length;
        } else if (r instanceof Factored f) {
            return 4L * (f.u().length + f.v().length);
        }
        return 0;
    }

    /** The bytes held by the instance fields of {@code model} whose names end in {@code _<id>}. */
    static long residentBytes(Object model, String id) throws IllegalAccessException {
        long total = 0;
        for (Field f : model.getClass().getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || !f.getName().endsWith("_" + id)) {
                continue;
            }
            f.setAccessible(true);
            Object v = f.get(model);
            if (f.getType() == long.class) {
                total += 8;
            } else if (v instanceof float[][] rows) {
                for (float[] row : rows) {
                    total += 4L * row.length;
                }
            } else if (v != null && v.getClass().isArray()) {
                Class<?> e = v.getClass().getComponentType();
                int size = e == byte.class ? 1 : e == short.class ? 2 : e == long.class || e == double.class ? 8 : 4;
                total += (long) size * Array.getLength(v);
            }
        }
        return total;
    }

    @ParameterizedTest
    @CsvSource({
        "fmnist_lenet300_100, block16, block-circulant",
        "fmnist_lenet5, block12, block-circulant",
        "fmnist_lenet5, hash, hashed",
        "fmnist_lenet5, svd-conv, factored",
        "fmnist_lenet300_100, kmeans2, codebook",
        "fmnist_lenet5, kmeans3, codebook",
        "fmnist_lenet5, int4, int4",
        "fmnist_lenet300_100, int4-asym, int4",
        "fmnist_lenet300_100, int8-input-axis, int8",
    })
    void matchesTheReferenceExecutor(String name, String recipe, String kind, @TempDir Path dir) throws Throwable {
        Graph graph = compress(load(name), recipe).graph();
        String source = JavaEmitter.source(graph, "gen.structured", "Model");
        assertThat(JavaEmitter.source(graph, "gen.structured", "Model")).as("deterministic").isEqualTo(source);
        GeneratedJava java = GeneratedJava.compile("gen.structured", "Model", source, dir);
        Object compiled = java.load(WeightsFile.write(graph));

        long resident = 0;
        long stored = 0;
        int compressed = 0;
        java.util.List<Weight> all = new java.util.ArrayList<>(graph.weights().values());
        java.util.List<String> ids = dev.tamp.codegen.container.Identifiers.assign(
                all.stream().map(Weight::name).toList());
        for (int i = 0; i < all.size(); i++) {
            Representation r = all.get(i).representation();
            if (r.kind().equals(kind)) {
                compressed++;
                long kept = residentBytes(compiled, ids.get(i));
                String weight = all.get(i).name();
                boolean gemmWeight = graph.nodes().stream().anyMatch(n -> n.opType().equals("Gemm")
                        && n.input(1).equals(weight));
                assertThat(kept).as("resident bytes of %s", weight).isEqualTo(documentedResidentBytes(r, gemmWeight));
                assertThat(ResidentBytes.of(graph).get(weight)).as("reported resident bytes of %s", weight)
                        .isEqualTo(kept);
                resident += kept;
                stored += r.storedBytes();
            }
        }
        assertThat(compressed).as("%s weights", kind).isPositive();

        GeneratedJava.Comparison c = java.compareWithExecutor(compiled, graph, IMAGES);
        System.out.printf("%s %s: %d %s weights, %d B stored, %d B resident; %d images, max |generated - reference|"
                + " = %.3e, argmax agreement %d/%d%n", name, recipe, compressed, kind, stored, resident, IMAGES,
                c.maxDiff(), c.argmaxAgreement(), IMAGES);
        boolean exact = recipe.equals("hash") || recipe.startsWith("kmeans");
        assertThat(c.maxDiff()).isLessThan(exact ? CompressedKernelsTest.SAME_ARITHMETIC : REORDERED);
        assertThat(c.argmaxAgreement()).isGreaterThanOrEqualTo(exact ? IMAGES : (int) Math.ceil(IMAGES * 0.999));
        java.codeLengths().forEach((method, length) -> assertThat(length).as(method).isLessThan(8000 / 4));
    }

    @ParameterizedTest
    @CsvSource({
        "fmnist_lenet300_100, block16, 9, 0, 17, not of block size 16",
        "fmnist_lenet5, hash, 10, 0, 0, without the header this code was generated for (flags 1)",
        "fmnist_lenet5, hash, 10, 9, 1, 'hash buckets, this code was generated for'",
        "fmnist_lenet5, hash, 10, 12, 1, 'hash buckets, this code was generated for'",
        "fmnist_lenet5, svd-conv, 7, 0, 9, not of rank 8",
        "fmnist_lenet300_100, kmeans3, 4, 0, 4, 'codebook of 4-bit indices, this code was generated for 3'",
        "fmnist_lenet300_100, kmeans3, 4, 1, 9, 9 centroids and 3-bit indices",
    })
    void refusesCorruptedPayloads(String name, String recipe, int kind, int at, int value, String message,
            @TempDir Path dir) throws Throwable {
        Graph graph = compress(load(name), recipe).graph();
        GeneratedJava java = GeneratedJava.compile("gen.corrupt", "Model",
                JavaEmitter.source(graph, "gen.corrupt", "Model"), dir);
        byte[] good = WeightsFile.write(graph);
        assertThat(java.load(good)).isNotNull();
        byte[] bad = good.clone();
        bad[CompressedKernelsTest.payloadOf(bad, kind) + at] = (byte) value;
        assertThatThrownBy(() -> java.load(CompressedKernelsTest.resealed(bad)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("corrupt weights container: ")
                .hasMessageContaining(message);
    }
}
