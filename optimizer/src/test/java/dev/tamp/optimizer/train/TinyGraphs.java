package dev.tamp.optimizer.train;

import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Small random graphs that exercise every trainable op and attribute, built directly in the IR. */
final class TinyGraphs {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Weight> weights = new LinkedHashMap<>();
    private final SplittableRandom random;

    private TinyGraphs(long seed) {
        random = new SplittableRandom(seed);
    }

    /** [4, 6] -> Gemm(transB=1, bias [5]) -> Relu -> Gemm(transB=0, alpha 0.5, beta 2, bias [1, 3]) -> [4, 3]. */
    static Graph mlp(long seed) {
        TinyGraphs g = new TinyGraphs(seed);
        g.weight("w1", 5, 6);
        g.weight("b1", 5);
        g.weight("w2", 5, 3);
        g.weight("b2", 1, 3);
        g.node("Gemm", List.of("x", "w1", "b1"), "h1", "transB", 1L);
        g.node("Relu", List.of("h1"), "h2");
        g.node("Gemm", List.of("h2", "w2", "b2"), "logits", "alpha", 0.5f, "beta", 2f);
        return g.graph("mlp", 4, 6);
    }

    /**
     * [4, 6] -> Gemm(transB=1, [6, 6], bias [6]) -> Relu -> Gemm(transB=0, [6, 6], alpha 0.5, beta 2, bias [1, 6]) ->
     * Relu -> MatMul([6, 3]) -> [4, 3]: square layers in both orientations, for circulant weights.
     */
    static Graph squareMlp(long seed) {
        TinyGraphs g = new TinyGraphs(seed);
        g.weight("w1", 6, 6);
        g.weight("b1", 6);
        g.weight("w2", 6, 6);
        g.weight("b2", 1, 6);
        g.weight("w3", 6, 3);
        g.node("Gemm", List.of("x", "w1", "b1"), "h1", "transB", 1L);
        g.node("Relu", List.of("h1"), "h2");
        g.node("Gemm", List.of("h2", "w2", "b2"), "h3", "alpha", 0.5f, "beta", 2f);
        g.node("Relu", List.of("h3"), "h4");
        g.node("MatMul", List.of("h4", "w3"), "logits");
        return g.graph("square", 4, 6);
    }

    /** [4, 6] -> MatMul([6, 3]) -> [4, 3]. */
    static Graph matMul(long seed) {
        TinyGraphs g = new TinyGraphs(seed);
        g.weight("w", 6, 3);
        g.node("MatMul", List.of("x", "w"), "logits");
        return g.graph("matmul", 4, 6);
    }

    /**
     * [2, 4, 7, 7] -> grouped padded Conv -> BN -> Relu -> padded strided MaxPool -> dilated padded Conv -> residual
     * Add -> Relu -> strided Conv without bias -> GlobalAveragePool -> Flatten -> Gemm -> [2, 3].
     */
    static Graph convNet(long seed) {
        TinyGraphs g = new TinyGraphs(seed);
        g.weight("c1", 6, 2, 3, 3);
        g.weight("c1b", 6);
        g.positive("bn_scale", 6);
        g.weight("bn_shift", 6);
        g.weight("bn_mean", 6);
        g.positive("bn_var", 6);
        g.weight("c2", 6, 6, 3, 3);
        g.weight("c2b", 6);
        g.weight("c3", 5, 6, 2, 2);
        g.weight("fc", 3, 5);
        g.weight("fcb", 3);
        g.node("Conv", List.of("x", "c1", "c1b"), "a1", "group", 2L, "pads", new long[] {1, 1, 1, 1},
                "kernel_shape", new long[] {3, 3});
        g.node("BatchNormalization", List.of("a1", "bn_scale", "bn_shift", "bn_mean", "bn_var"), "a2");
        g.node("Relu", List.of("a2"), "a3");
        g.node("MaxPool", List.of("a3"), "a4", "kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2},
                "pads", new long[] {0, 0, 1, 1});
        g.node("Conv", List.of("a4", "c2", "c2b"), "a5", "pads", new long[] {2, 2, 2, 2}, "dilations",
                new long[] {2, 2});
        g.node("Add", List.of("a5", "a4"), "a6");
        g.node("Relu", List.of("a6"), "a7");
        g.node("Conv", List.of("a7", "c3"), "a8", "strides", new long[] {2, 2});
        g.node("GlobalAveragePool", List.of("a8"), "a9");
        g.node("Flatten", List.of("a9"), "a10");
        g.node("Gemm", List.of("a10", "fc", "fcb"), "logits", "transB", 1L);
        return g.graph("convnet", 2, 4, 7, 7);
    }

    /** Uniform random inputs in [0, 1) for a graph's input shape. */
    static float[] input(int[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        return x;
    }

    private void weight(String name, int... dims) {
        float[] v = new float[(int) Tensor.elementCount(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() - 0.5);
        }
        weights.put(name, Weight.dense(name, Tensor.ofFloats(dims, v)));
    }

    private void positive(String name, int... dims) {
        float[] v = new float[(int) Tensor.elementCount(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.5 + random.nextDouble());
        }
        weights.put(name, Weight.dense(name, Tensor.ofFloats(dims, v)));
    }

    private void node(String op, List<String> inputs, String output, Object... attributes) {
        Map<String, AttributeValue> attrs = new LinkedHashMap<>();
        for (int i = 0; i < attributes.length; i += 2) {
            Object v = attributes[i + 1];
            AttributeValue av = v instanceof Long l ? new AttributeValue.Int(l)
                    : v instanceof Float f ? new AttributeValue.Float(f)
                    : new AttributeValue.Ints(Arrays.stream((long[]) v).boxed().toList());
            attrs.put((String) attributes[i], av);
        }
        nodes.add(new Node(op.toLowerCase() + nodes.size(), op, inputs, List.of(output), new Attributes(attrs)));
    }

    private Graph graph(String name, long... inputShape) {
        ValueInfo in = new ValueInfo("x", DataType.FLOAT, Shape.of(inputShape));
        ValueInfo out = new ValueInfo("logits", DataType.FLOAT, Shape.of());
        return new Graph(name, 13, List.of(in), List.of(out), nodes, weights, Map.of());
    }
}
