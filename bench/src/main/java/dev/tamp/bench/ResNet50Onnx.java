package dev.tamp.bench;

import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxExporter;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.ShapeInference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes a ResNet-50-shaped ONNX model (v1.5: stride in the 3×3 convolution; BatchNorm folded into the convolutions'
 * biases, as tamp's importer does for PyTorch exports) with seeded random He-initialized weights: 25.5 M parameters,
 * 4.1 G MACs per 224×224 image. The scale benchmark of docs/BENCHMARKS.md ("tool time and peak memory for a 25 M
 * parameter model"); accuracy means nothing here.
 *
 * <p>Usage: {@code ResNet50Onnx OUT.onnx [SEED] [--fashion]}. With {@code --fashion} the stem takes one 28×28 channel
 * (a Fashion-MNIST image) instead of three 224×224 ones, so that a recipe can plan it on the bundled images: the
 * same 25.5 M parameters, 1/64 of the MACs.
 */
public final class ResNet50Onnx {
    private final SplittableRandom random;
    private final int channels;
    private final int side;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Weight> weights = new LinkedHashMap<>();

    private ResNet50Onnx(long seed, int channels, int side) {
        this.random = new SplittableRandom(seed);
        this.channels = channels;
        this.side = side;
    }

    public static Model build(long seed) {
        return new ResNet50Onnx(seed, 3, 224).model();
    }

    /** The same network for one 28×28 channel (Fashion-MNIST). */
    public static Model buildFashion(long seed) {
        return new ResNet50Onnx(seed, 1, 28).model();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ResNet50Onnx OUT.onnx [SEED] [--fashion]");
            System.exit(2);
        }
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        Model model = args.length > 2 && args[2].equals("--fashion") ? buildFashion(seed) : build(seed);
        OnnxExporter.write(model, Path.of(args[0]));
        long params = model.graph().weights().values().stream()
                .mapToLong(w -> w.representation().materialize().size()).sum();
        System.out.printf("wrote %s: %,d parameters%n", args[0], params);
    }

    private Model model() {
        String x = conv("conv1", "input", channels, 64, 7, 2, 3, 1.0);
        x = relu("relu1", x);
        x = node("maxpool", "MaxPool", List.of(x), Map.of("kernel_shape", ints(3, 3), "strides", ints(2, 2),
                "pads", ints(1, 1, 1, 1)));
        int in = 64;
        int[] blocks = {3, 4, 6, 3};
        for (int stage = 0; stage < 4; stage++) {
            int width = 64 << stage;
            for (int b = 0; b < blocks[stage]; b++) {
                String name = "layer" + (stage + 1) + "." + b;
                int stride = b == 0 && stage > 0 ? 2 : 1;
                x = bottleneck(name, x, in, width, stride);
                in = width * 4;
            }
        }
        x = node("avgpool", "GlobalAveragePool", List.of(x), Map.of());
        x = node("flatten", "Flatten", List.of(x), Map.of("axis", new AttributeValue.Int(1)));
        String w = weight("fc.weight", new int[] {1000, 2048}, Math.sqrt(1.0 / 2048));
        String bias = weight("fc.bias", new int[] {1000}, 0.01);
        x = node("fc", "Gemm", List.of(x, w, bias), Map.of("transB", new AttributeValue.Int(1)));

        ValueInfo input = new ValueInfo("input", DataType.FLOAT,
                new Shape(List.of(Dim.symbolic("N"), Dim.of(channels), Dim.of(side), Dim.of(side))));
        Map<String, ValueInfo> values = ShapeInference.symbolic(List.of(input), weights, nodes, 13,
                Operators.standard());
        return new Model(new Graph("resnet50_random", 13, List.of(input), List.of(values.get(x)), nodes, weights,
                values), "tamp-bench", "1", 8);
    }

    private String bottleneck(String name, String x, int in, int width, int stride) {
        String y = relu(name + ".relu1", conv(name + ".conv1", x, in, width, 1, 1, 0, 1.0));
        y = relu(name + ".relu2", conv(name + ".conv2", y, width, width, 3, stride, 1, 1.0));
        // The last convolution of each block starts small (as zero-initialized BN scales do) so that sixteen residual
        // additions keep the activations' scale bounded.
        y = conv(name + ".conv3", y, width, width * 4, 1, 1, 0, 0.2);
        String shortcut = x;
        if (stride != 1 || in != width * 4) {
            shortcut = conv(name + ".downsample.0", x, in, width * 4, 1, stride, 0, 1.0);
        }
        return relu(name + ".relu3", node(name + ".add", "Add", List.of(y, shortcut), Map.of()));
    }

    private String conv(String name, String x, int in, int out, int k, int stride, int pad, double gain) {
        String w = weight(name + ".weight", new int[] {out, in, k, k}, gain * Math.sqrt(2.0 / (in * k * k)));
        String b = weight(name + ".bias", new int[] {out}, 0.01);
        return node(name, "Conv", List.of(x, w, b), Map.of("kernel_shape", ints(k, k), "strides",
                ints(stride, stride), "pads", ints(pad, pad, pad, pad)));
    }

    private String relu(String name, String x) {
        return node(name, "Relu", List.of(x), Map.of());
    }

    private String node(String name, String op, List<String> inputs, Map<String, AttributeValue> attributes) {
        String out = name + ".out";
        nodes.add(new Node(name, op, inputs, List.of(out), new Attributes(new TreeMap<>(attributes))));
        return out;
    }

    private String weight(String name, int[] shape, double std) {
        float[] v = new float[Math.toIntExact(Tensor.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (gaussian() * std);
        }
        weights.put(name, Weight.dense(name, Tensor.ofFloats(shape, v)));
        return name;
    }

    /** A standard normal by Box–Muller, from the seeded generator only. */
    private double gaussian() {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static AttributeValue ints(long... values) {
        List<Long> list = new ArrayList<>();
        for (long v : values) {
            list.add(v);
        }
        return new AttributeValue.Ints(list);
    }
}
