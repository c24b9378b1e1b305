package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SIMD variant (JDK Vector API class bound at load) against the scalar Java 8 kernels: on a graph of awkward
 * sizes (channels 3, 5, 7, 13, 37; a 7x7 plane; a strided, a 1x1 and a dilated Conv; Gemms with K = 37 or 208 and N
 * = 13 or 37, both weight layouts, alpha and beta; fused Relus), on the three reference models against the
 * reference executor, and the load-time choice: scalar without the module, the class, or with {@code tamp.simd=false}.
 * This JVM runs with {@code --add-modules jdk.incubator.vector} (codegen/pom.xml).
 */
class SimdKernelsTest {
    /** u = 2^-24, float32's unit roundoff. */
    static final double U = 0x1p-24;

    /** A small dense network over awkward sizes, one layer at a time. */
    static final class Net {
        final Random random;
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Weight> weights = new LinkedHashMap<>();
        final int[] input;
        /** Per-image dimensions of the graph output. */
        int[] output = {13};
        String last = "x";
        int count;
        /** Roundings along the longest chain of one output: per layer, its dot length + bias + alpha/beta. */
        int roundings;

        Net(long seed, int... input) {
            this.random = new Random(seed);
            this.input = input;
        }

        private String weight(int... dims) {
            float[] v = new float[(int) Tensor.elementCount(dims)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * 0.4);
            }
            String name = "w" + weights.size();
            weights.put(name, Weight.dense(name, Tensor.ofFloats(dims, v)));
            return name;
        }

        private Net node(String op, List<String> inputs, Map<String, AttributeValue> attributes) {
            String out = "t" + count;
            nodes.add(new Node(op + count++, op, inputs, List.of(out), new Attributes(attributes)));
            last = out;
            return this;
        }

        private static AttributeValue ints(long... v) {
            List<Long> l = new ArrayList<>();
            for (long x : v) {
                l.add(x);
            }
            return new AttributeValue.Ints(l);
        }

        Net conv(int in, int out, int k, int stride, int pad, int dilation, boolean bias) {
            List<String> inputs = new ArrayList<>(List.of(last, weight(out, in, k, k)));
            if (bias) {
                inputs.add(weight(out));
            }
            roundings += in * k * k + 1;
            return node("Conv", inputs, Map.of("kernel_shape", ints(k, k), "strides", ints(stride, stride), "pads",
                    ints(pad, pad, pad, pad), "dilations", ints(dilation, dilation)));
        }

        Net gemm(int k, int n, boolean transB, float alpha, float beta) {
            roundings += k + 3;
            return node("Gemm", List.of(last, transB ? weight(n, k) : weight(k, n), weight(n)), Map.of("transB",
                    new AttributeValue.Int(transB ? 1 : 0), "alpha", new AttributeValue.Float(alpha), "beta",
                    new AttributeValue.Float(beta)));
        }

        Net relu() {
            return node("Relu", List.of(last), Map.of());
        }

        /** A residual Add of the current activation and the earlier one {@code other} (first if {@code otherFirst}). */
        Net add(String other, boolean otherFirst) {
            roundings += 1;
            return node("Add", otherFirst ? List.of(other, last) : List.of(last, other), Map.of());
        }

        Net maxPool(int k, int stride, int dilation) {
            return node("MaxPool", List.of(last), Map.of("kernel_shape", ints(k, k), "strides", ints(stride, stride),
                    "dilations", ints(dilation, dilation)));
        }

        Net output(int... dims) {
            output = dims;
            return this;
        }

        Net flatten() {
            return node("Flatten", List.of(last), Map.of("axis", new AttributeValue.Int(1)));
        }

        Graph graph() {
            long[] shape = new long[input.length + 1];
            shape[0] = 1;
            for (int i = 0; i < input.length; i++) {
                shape[i + 1] = input[i];
            }
            long[] out = new long[output.length + 1];
            out[0] = 1;
            for (int i = 0; i < output.length; i++) {
                out[i + 1] = output[i];
            }
            return new Graph("awkward", 17, List.of(new ValueInfo("x", DataType.FLOAT, Shape.of(shape))),
                    List.of(new ValueInfo(last, DataType.FLOAT, Shape.of(out))), nodes, weights, Map.of());
        }
    }

    /** Channels 3 -> 5 -> 7 -> 37 -> 13 over a 7x7 input, then Gemms 208 -> 37 -> 13. */
    static Net awkward() {
        return new Net(5, 3, 7, 7)
                .conv(3, 5, 3, 1, 1, 1, true).relu()      // [5, 7, 7]: 49 pixels, 5 channels (a 4 + 1 tile)
                .conv(5, 7, 3, 2, 1, 1, false).relu()     // [7, 4, 4]: strided, no bias
                .conv(7, 37, 1, 1, 0, 1, true)            // [37, 4, 4]: 1x1, channels innermost
                .conv(37, 13, 2, 1, 1, 2, true).relu()    // [13, 4, 4]: dilated
                .flatten()
                .gemm(208, 37, true, 1f, 1f).relu()
                .gemm(37, 13, false, 0.5f, 2f);
    }

    /** The same graph with every weight replaced by (the dense form of) its absolute value. */
    static Graph absolute(Graph g) {
        Map<String, Weight> weights = new LinkedHashMap<>();
        g.weights().forEach((name, w) -> {
            Tensor t = w.representation().materialize();
            float[] v = t.floats().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.abs(v[i]);
            }
            weights.put(name, Weight.dense(name, Tensor.ofFloats(t.shape(), v)));
        });
        return new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights, g.values());
    }

    static GeneratedModel load(JavaBuild.Classes classes, String name, Graph g) throws IOException {
        return GeneratedModel.load(classes, name, WeightsFile.write(g));
    }

    /**
     * A residual block over odd sizes: conv, Relu, conv, Add of the block's input (first or second operand), then a
     * Relu when {@code relu}: the second conv's SIMD kernel applies the Add (and Relu) in its epilogue.
     */
    static Net residual(long seed, boolean otherFirst, boolean relu) {
        Net n = new Net(seed, 7, 6, 6).conv(7, 32, 1, 1, 0, 1, true).relu();
        String skip = n.last;
        n.conv(32, 9, 3, 1, 1, 1, true).relu().conv(9, 32, 3, 1, 1, 1, false).add(skip, otherFirst);
        return (relu ? n.relu() : n).output(32, 6, 6);
    }

    /**
     * Layers of every shape class of the SIMD Conv kernels alone (where the bound, about n u sum|w||x| per output, is
     * tight enough that a wrong tap, tile, gather or padding would break it): the direct kernel through the origin
     * table (3x3 stride 2 with pads, odd input channels, no bias; dilation 2 with pads) and over contiguous slots (a
     * 1x1 output plane), then whatever the cost model picks for 37 and 19 channels (a 1x1 stride-2 shortcut) and the
     * im2col kernel on a wide plane with one input channel; and residual blocks.
     */
    static List<Net> directCases() {
        return List.of(
                new Net(21, 5, 9, 9).conv(5, 48, 3, 2, 1, 1, false).relu().output(48, 5, 5),
                new Net(22, 13, 3, 3).conv(13, 48, 3, 1, 0, 1, true).output(48, 1, 1),
                new Net(23, 3, 5, 5).conv(3, 32, 3, 1, 2, 2, true).relu().output(32, 5, 5),
                new Net(24, 5, 7, 7).conv(5, 37, 3, 1, 1, 1, true).relu().output(37, 7, 7),
                new Net(25, 10, 9, 9).conv(10, 19, 1, 2, 0, 1, true).output(19, 5, 5),
                new Net(26, 1, 20, 20).conv(1, 6, 3, 1, 1, 1, true).relu().output(6, 20, 20),
                residual(27, false, true),
                residual(28, true, true),
                residual(29, false, false));
    }

    /**
     * Each layer of {@link #awkward} alone (where the bound, about n u sum|w||x| per output, is tight enough that a
     * wrong tap or tile would break it), then the whole chain.
     */
    static List<Net> awkwardCases() {
        return List.of(
                new Net(1, 3, 7, 7).conv(3, 5, 3, 1, 1, 1, true).relu(),
                new Net(2, 5, 7, 7).conv(5, 7, 3, 2, 1, 1, false),
                new Net(3, 7, 4, 4).conv(7, 37, 1, 1, 0, 1, true),
                new Net(4, 37, 4, 4).conv(37, 13, 2, 1, 1, 2, true).relu(),
                new Net(6, 7, 7, 7).conv(7, 13, 3, 1, 0, 1, true),
                new Net(7, 208).gemm(208, 37, true, 1f, 1f).relu(),
                new Net(8, 37).gemm(37, 13, false, 0.5f, 2f),
                new Net(9, 37).gemm(37, 13, true, 1f, 1f),
                awkward());
    }

    @Test
    void matchesTheScalarKernelsOnAwkwardSizesWithinTheDerivedBound() throws Exception {
        for (Net net : awkwardCases()) {
            matchesTheScalarKernels(net);
        }
    }

    @Test
    void directConvolutionsAndFusedResidualsMatchTheScalarKernelsWithinTheDerivedBound() throws Exception {
        List<Net> cases = directCases();
        for (Net net : cases) {
            matchesTheScalarKernels(net);
        }
        // Every kernel the cost model can choose is among them: direct through the pixel origin table, direct over
        // contiguous slots (stride 1), and im2col.
        List<String> kinds = new ArrayList<>();
        for (Net net : cases.subList(0, 6)) {
            String simd = simdSource(net);
            kinds.add(simd.contains("im2col_conv_Conv0(") ? "im2col" : simd.contains("PIX_conv_Conv0") ? "table"
                    : "contiguous");
        }
        System.out.println("kernels of the direct cases: " + kinds);
        assertThat(kinds.subList(0, 3)).containsExactly("table", "contiguous", "table");
        assertThat(kinds).contains("im2col");
        // The residual blocks fuse their Add: a three-argument SIMD call, the Add kernel on the scalar path only.
        for (Net net : cases.subList(6, 9)) {
            String scalar = JavaOutput.build(net.graph(), "gen.simd", "Model", true).source();
            assertThat(scalar).containsPattern("vector\\.conv_Conv4\\(t\\d+, t\\d+, t\\d+\\)")
                    .contains("add_Add5(");
            assertThat(simdSource(net)).contains("fromArray(S, r, o)");
        }
    }

    private static String simdSource(Net net) throws Exception {
        return JavaOutput.build(net.graph(), "gen.simd", "Model", true).simdSource();
    }

    /**
     * Compressed weights in the SIMD class: each representation the emitter materializes at load for the dense SIMD
     * kernels (int8 per channel, k-means codebook, sparse at 80 % (Gemm weights decoded, Conv weights CSR),
     * sparse-codebook, int8 inside Huffman coding), and sparse at 95 %, whose Gemm weights stay CSR on the scalar
     * path beside SIMD Convs. Both sides multiply the same materialized weights (the scalar kernels dequantize or look
     * up each weight exactly as the reference), so the dense bound holds unchanged, with M from |materialized W|;
     * except the int8 Gemms, whose SIMD kernel keeps the codes and computes s * sum(q x) where the scalar one sums
     * fl(q s) x: each product's weight rounding (u |w| |x|) and the final scaling (u |y|) add at most 2u M per Gemm,
     * two more roundings along the chain per Gemm.
     */
    @ParameterizedTest
    @ValueSource(strings = {"int8", "codebook", "sparse", "sparse-codebook", "int8+huffman", "sparse95"})
    void compressedWeightsMatchTheScalarKernelsWithinTheDerivedBound(String recipe) throws Exception {
        for (Net net : List.of(awkward(), residual(31, false, true), new Net(32, 1, 20, 20).conv(1, 6, 3, 1, 1, 1,
                true).relu().output(6, 20, 20))) {
            Graph graph = CompressedKernelsTest.compress(new Model(net.graph(), "test", "1", 8), recipe).graph();
            assertThat(graph.weights().values()).anyMatch(w -> !(w.representation() instanceof Dense));
            String scalar = JavaOutput.build(graph, "gen.simd", "Model", true).source();
            // Every Conv is a SIMD layer, its weight materialized at load for it.
            assertThat(scalar).contains("materialize_");
            for (Node node : graph.nodes()) {
                if (node.opType().equals("Conv")) {
                    assertThat(scalar).containsPattern("vector\\.conv_" + node.name() + "\\(");
                }
            }
            int gemms = (int) graph.nodes().stream().filter(node -> node.opType().equals("Gemm")).count();
            boolean int8 = recipe.startsWith("int8");
            if (int8 && gemms > 0) {
                // The int8 Gemms keep their codes and widen them in registers.
                assertThat(JavaOutput.build(graph, "gen.simd", "Model", true).simdSource()).contains("B2F");
            }
            matchesTheScalarKernels(net, graph, int8 ? 2 * gemms : 0);
        }
    }

    private static void matchesTheScalarKernels(Net net) throws Exception {
        matchesTheScalarKernels(net, net.graph(), 0);
    }

    /**
     * {@link #matchesTheScalarKernels(Net)} on {@code graph}: {@code net}'s graph, its weights maybe compressed, with
     * {@code extra} roundings along the chain beyond the dense ones.
     */
    private static void matchesTheScalarKernels(Net net, Graph graph, int extra) throws Exception {
        JavaOutput java = JavaOutput.build(graph, "gen.simd", "Model", true);
        assertThat(java.simdSource()).contains("FloatVector", ".fma(");
        // The scalar class names the SIMD one only as a string (looked up by reflection).
        assertThat(java.source()).doesNotContain("FloatVector", "import jdk", "ModelSimd.");
        GeneratedModel simd = load(java.classes(), java.qualifiedName(), graph);
        GeneratedModel scalar = load(java.scalarClasses(), java.qualifiedName(), graph);
        assertThat(simd.simd()).isTrue();
        assertThat(scalar.simd()).isFalse();
        // sum |w| |x| along every path (plus |bias|): the scalar model of |W| on |x| (Relu is the identity there).
        JavaOutput abs = JavaOutput.build(absolute(graph), "gen.abs", "Model", false);
        GeneratedModel magnitude = load(abs.classes(), abs.qualifiedName(), absolute(graph));

        // Both sides add the same products (FMA rounds each product-add once, the scalar code twice) in different
        // orders: each is within gamma_N * M of the exact result, N the roundings along the chain, M the magnitude.
        // So |simd - scalar| <= 2 gamma_N M; the magnitude pass itself is within gamma_N relatively (factor 1.01).
        int n = net.roundings + extra;
        double gamma = n * U / (1 - n * U);
        Random random = new Random(11);
        double worst = 0;
        double worstRatio = 0;
        int inputSize = (int) Tensor.elementCount(net.input);
        for (int image = 0; image < 50; image++) {
            float[] x = new float[inputSize];
            float[] ax = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
                ax[i] = Math.abs(x[i]);
            }
            float[] a = simd.predict(x);
            float[] b = scalar.predict(x);
            float[] m = magnitude.predict(ax);
            assertThat(a).hasSameSizeAs(b);
            for (int o = 0; o < a.length; o++) {
                double bound = 2 * gamma * m[o] * 1.01;
                double diff = Math.abs(a[o] - b[o]);
                assertThat(diff).as("output %d of image %d", o, image).isLessThanOrEqualTo(bound);
                worst = Math.max(worst, diff);
                worstRatio = Math.max(worstRatio, diff / bound);
            }
        }
        System.out.printf("%s: max |simd - scalar| = %.3e, at most %.2e of the bound%n", graph.nodes().stream().map(Node::name).toList(), worst,
                worstRatio);

        Path dir = Files.createTempDirectory("simd-lengths");
        for (Map.Entry<String, byte[]> f : java.classes().files().entrySet()) {
            Path p = dir.resolve(f.getKey().replace('.', '/') + ".class");
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        GeneratedJava.codeLengths(dir).forEach((method, length) -> assertThat(length).as(method)
                .isLessThan(8000 / 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    void referenceModelsMatchTheExecutor(String name, @TempDir Path dir) throws Throwable {
        Graph graph = JavaEmitterTest.graph(name);
        JavaOutput java = JavaOutput.build(graph, "gen.models", "Model", true);
        GeneratedModel simd = load(java.classes(), java.qualifiedName(), graph);
        assertThat(simd.simd()).isTrue();
        // The executor comparison of JavaEmitterTest, through a class that binds the SIMD kernels: FMA and the
        // tiles only reorder and fuse the same roundings, so its summation-order bound (1e-3) holds unchanged.
        Path classes = Files.createDirectories(dir.resolve("classes"));
        for (Map.Entry<String, byte[]> f : java.classes().files().entrySet()) {
            Path p = classes.resolve(f.getKey().replace('.', '/') + ".class");
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        GeneratedJava.codeLengths(classes).forEach((method, length) -> assertThat(length).as(method)
                .isLessThan(8000 / 4));
        GeneratedJava loaded = GeneratedJava.load(classes, java.qualifiedName());
        Object model = loaded.load(WeightsFile.write(graph));
        assertThat(GeneratedJava.invoke(loaded.type.getMethod("usesSimd"), model)).isEqualTo(true);
        GeneratedJava.Comparison c = loaded.compareWithExecutor(model, graph, 500);
        System.out.printf("%s SIMD: 500 images, max |generated - reference| = %.3e, argmax agreement %d/500%n",
                name, c.maxDiff(), c.argmaxAgreement());
        assertThat(c.maxDiff()).isLessThan(JavaEmitterTest.TOLERANCE);
        assertThat(c.argmaxAgreement()).isEqualTo(500);
    }

    @Test
    void deterministic() {
        Graph graph = JavaEmitterTest.graph("fmnist_resnet8");
        List<String> first = JavaEmitter.emit(graph, "p", "M", true).stream().map(Object::toString).toList();
        assertThat(first).hasSize(2);
        assertThat(JavaEmitter.emit(graph, "p", "M", true).stream().map(Object::toString).toList())
                .isEqualTo(first);
        // Without the variant: the scalar class alone, with no SIMD hooks.
        assertThat(JavaEmitter.emit(graph, "p", "M", false)).hasSize(1);
        assertThat(JavaEmitter.source(graph, "p", "M")).doesNotContain("VectorKernels");
    }

    @Test
    void fallsBackToTheScalarKernelsWithoutTheModuleOrWhenDisabled(@TempDir Path dir) throws Exception {
        Graph graph = awkward().graph();
        JavaOutput java = JavaOutput.build(graph, "gen.fallback", "Model", true);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        for (Map.Entry<String, byte[]> f : java.classes().files().entrySet()) {
            Path p = classes.resolve(f.getKey().replace('.', '/') + ".class");
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        Path weights = dir.resolve("weights.tamp");
        Files.write(weights, WeightsFile.write(graph));
        Path driver = dir.resolve("Driver.java");
        Files.writeString(driver, """
                public class Driver {
                    public static void main(String[] args) throws Exception {
                        Class<?> c = Class.forName("gen.fallback.Model");
                        Object m = c.getMethod("load", java.io.File.class).invoke(null, new java.io.File(args[0]));
                        float[] x = new float[c.getField("INPUT_SIZE").getInt(null)];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (i * 37 % 101) / 50f - 1f;
                        }
                        float[] y = (float[]) c.getMethod("predict", float[].class).invoke(m, (Object) x);
                        StringBuilder out = new StringBuilder(String.valueOf(c.getMethod("usesSimd").invoke(m)));
                        for (float v : y) {
                            out.append(' ').append(Float.floatToRawIntBits(v));
                        }
                        System.out.println(out);
                    }
                }
                """, StandardCharsets.UTF_8);
        float[] x = new float[3 * 7 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 37 % 101) / 50f - 1f;
        }
        String scalar = expected(false, load(java.scalarClasses(), java.qualifiedName(), graph).predict(x));
        String simd = expected(true, load(java.classes(), java.qualifiedName(), graph).predict(x));
        assertThat(scalar).isNotEqualTo(simd.replaceFirst("true", "false"));

        assertThat(run(classes, driver, weights)).isEqualTo(scalar);
        assertThat(run(classes, driver, weights, "--add-modules", "jdk.incubator.vector")).isEqualTo(simd);
        assertThat(run(classes, driver, weights, "--add-modules", "jdk.incubator.vector", "-Dtamp.simd=false"))
                .isEqualTo(scalar);
    }

    private static String expected(boolean simd, float[] y) {
        StringBuilder out = new StringBuilder(String.valueOf(simd));
        for (float v : y) {
            out.append(' ').append(Float.floatToRawIntBits(v));
        }
        return out.toString();
    }

    /** The driver's output line in a child JVM (this JDK's launcher in source-file mode) with {@code options}. */
    private static String run(Path classes, Path driver, Path weights, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classes.toString()));
        command.addAll(List.of(options));
        command.addAll(List.of(driver.toString(), weights.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s%n%s", command, err).isZero();
        return out;
    }
}
