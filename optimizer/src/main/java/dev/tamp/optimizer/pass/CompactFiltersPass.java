package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.transform.GraphRewrite;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.numerics.CompactFilters;
import dev.tamp.optimizer.numerics.ConvWindow;
import dev.tamp.optimizer.numerics.PatchGram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replaces a k×k convolution by compact filters fitted to its outputs ({@code compact method=depthwise-separable |
 * bottleneck}): a depthwise k×k then a pointwise 1×1, or a 1×1 → k×k → 1×1 bottleneck, initialized from the weight
 * (per-channel rank-1 SVD, Tucker-2 HOSVD) and fitted by least squares on the layer's inputs over {@code samples}
 * training images ({@link CompactFilters}). Layers are fitted in graph order, each on the inputs it sees after the
 * earlier replacements, to reproduce its original map there.
 */
public final class CompactFiltersPass implements Pass {
    private static final List<String> STATISTICS = List.of("layers-compacted", "layers-skipped", "params-before",
            "params-after", "samples");

    static final CompactFiltersPass DEPTHWISE_SEPARABLE = new CompactFiltersPass(new PassInfo(
            "compact-depthwise-separable",
            "Replace a k×k Conv by a depthwise k×k and a pointwise 1×1, fitted to its outputs by least squares.",
            PassKind.COMPACT, "depthwise-separable", List.of("method", "samples"), STATISTICS, PassInfo.Effect.GRAPH));
    static final CompactFiltersPass BOTTLENECK = new CompactFiltersPass(new PassInfo("compact-bottleneck",
            "Replace a k×k Conv by a 1×1 → k×k → 1×1 bottleneck (Tucker-2), its last 1×1 fitted by least squares.",
            PassKind.COMPACT, "bottleneck", List.of("method", "width", "samples"), STATISTICS,
            PassInfo.Effect.GRAPH));

    private final PassInfo info;

    private CompactFiltersPass(PassInfo info) {
        this.info = info;
    }

    @Override
    public PassInfo info() {
        return info;
    }

    /** A selected Conv with its weight in double and its window resolved for its input. */
    private record Layer(Node node, CompactFilters.Conv conv, int kernelH, int kernelW, ConvWindow window,
            int[] inputDims) {}

    @Override
    public Model apply(Model model, PassContext context) {
        Model current = model;
        for (Node node : model.graph().nodes()) {
            Settings settings = context.settings(info.family(), node.name()).orElse(null);
            if (settings == null || !settings.word("method").equals(info.method())) {
                continue;
            }
            current = compact(current, node, settings, context);
        }
        return current;
    }

    private Model compact(Model model, Node node, Settings settings, PassContext context) {
        String name = node.name();
        Graph g = model.graph();
        if (!node.opType().equals("Conv")) {
            throw new IllegalArgumentException(name + ": compact filters replace a Conv, not a " + node.opType());
        }
        Weight weight = g.weights().get(node.input(1));
        Weight biasWeight = node.hasInput(2) ? g.weights().get(node.input(2)) : null;
        if (weight == null || node.hasInput(2) && biasWeight == null) {
            throw new IllegalArgumentException(name + ": the weight and bias must be constants to be refitted");
        }
        if (!(weight.representation() instanceof Dense dense) || dense.dataType() != DataType.FLOAT
                || biasWeight != null && !(biasWeight.representation() instanceof Dense)) {
            context.count("layers-skipped", 1);
            return model;
        }
        int[] dims = dense.dims();
        if (dims.length != 4) {
            throw new IllegalArgumentException(name + ": only 2-D convolutions are implemented, the weight is "
                    + java.util.Arrays.toString(dims));
        }
        long group = node.attributes().getInt("group", 1);
        if (group != 1) {
            throw new IllegalArgumentException(name + ": a grouped convolution (group " + group
                    + ") is already compact; compact filters replace a dense convolution");
        }
        int out = dims[0];
        int in = dims[1];
        int kh = dims[2];
        int kw = dims[3];
        if (kh * kw == 1) {
            throw new IllegalArgumentException(name + ": a 1×1 convolution has no spatial kernel to separate");
        }
        int width = info.method().equals("bottleneck") ? width(name, settings, in) : 0;
        long before = (long) out * in * kh * kw + out;
        long after = info.method().equals("bottleneck")
                ? (long) width * in + (long) width * width * kh * kw + (long) out * width + out
                : (long) in * kh * kw + (long) out * in + out;
        if (after >= before) {
            throw new IllegalArgumentException(name + ": the " + info.method() + " form has " + after
                    + " parameters, the convolution " + before + "; it would not be smaller");
        }
        if (settings.isAuto("samples")) {
            throw new IllegalArgumentException(name + ": samples is auto; the planner chooses it first");
        }
        int samples = (int) settings.number("samples");
        Tensor batch = context.trainingBatch(info.name(), name, samples);
        Tensor x = layerInput(g, node, batch, context.threads());
        int[] xs = x.shape();
        if (xs.length != 4 || xs[1] != in) {
            throw new IllegalArgumentException(name + ": input " + java.util.Arrays.toString(xs)
                    + " is not NCHW with " + in + " channels");
        }
        ConvWindow window = window(node, kh, kw, xs[2], xs[3]);
        double[][] gram = PatchGram.of(x.floats(), xs[0], in, xs[2], xs[3], window, context.threads());
        CompactFilters.Conv conv = conv(dense.tensor(), biasWeight == null ? null
                : biasWeight.representation().materialize(), out, in, kh * kw);
        context.count("samples", xs[0]);
        context.count("params-before", before);
        context.count("params-after", after);
        context.count("layers-compacted", 1);
        Map<String, Weight> weights = new LinkedHashMap<>();
        List<Node> nodes;
        if (info.method().equals("bottleneck")) {
            CompactFilters.Bottleneck b = CompactFilters.fitBottleneck(conv, width, gram).result();
            String reduce = fresh(g, weights, weight.name() + "::reduce", floats(b.reduce(), width, in, 1, 1));
            String core = fresh(g, weights, weight.name() + "::core", floats(b.core(), width, width, kh, kw));
            String expand = fresh(g, weights, weight.name() + "::expand", floats(b.expand(), out, width, 1, 1));
            String bias = fresh(g, weights, weight.name() + "::bias", Tensor.ofFloats(new int[] {out},
                    toFloats(b.bias())));
            String reduced = GraphRewrite.freshName(g, node.output(0) + "::reduce");
            String cored = GraphRewrite.freshName(g, node.output(0) + "::core");
            nodes = List.of(
                    new Node(PassContext.partName(name, "reduce"), "Conv", List.of(node.input(0), reduce),
                            List.of(reduced), pointwiseAttributes()),
                    new Node(PassContext.partName(name, "core"), "Conv", List.of(reduced, core), List.of(cored),
                            spatialAttributes(node, 1)),
                    new Node(PassContext.partName(name, "expand"), "Conv", List.of(cored, expand, bias),
                            node.outputs(), pointwiseAttributes()));
        } else {
            CompactFilters.Separable s = CompactFilters.fitSeparable(conv, gram).result();
            String depthwise = fresh(g, weights, weight.name() + "::depthwise", floats(s.depthwise(), in, 1, kh, kw));
            String pointwise = fresh(g, weights, weight.name() + "::pointwise", floats(s.pointwise(), out, in, 1, 1));
            String bias = fresh(g, weights, weight.name() + "::bias", Tensor.ofFloats(new int[] {out},
                    toFloats(s.bias())));
            String mid = GraphRewrite.freshName(g, node.output(0) + "::depthwise");
            nodes = List.of(
                    new Node(PassContext.partName(name, "depthwise"), "Conv", List.of(node.input(0), depthwise),
                            List.of(mid), spatialAttributes(node, in)),
                    new Node(PassContext.partName(name, "pointwise"), "Conv", List.of(mid, pointwise, bias),
                            node.outputs(), pointwiseAttributes()));
        }
        Graph rewritten = GraphRewrite.replaceNode(g, node, nodes, weights);
        return new Model(rewritten, model.producerName(), model.producerVersion(), model.irVersion());
    }

    /**
     * The bottleneck width: a count ({@code width 8}), or a fraction of the input channels ({@code width 25 %},
     * {@code width 0.25}) rounded to nearest, at least 1. The checker records which form was written, so
     * {@code width 1} is one channel and {@code width 100 %} all of them.
     */
    static int width(String name, Settings settings, int in) {
        if (settings.isAuto("width")) {
            throw new IllegalArgumentException(name + ": width is auto; the planner chooses it first");
        }
        double w = settings.number("width");
        int width = settings.isFraction("width") ? (int) Math.max(1, Math.round(w * in)) : (int) w;
        if (width > in) {
            throw new IllegalArgumentException(name + ": width " + width + " exceeds the " + in
                    + " input channels; a bottleneck is at most as wide as its input");
        }
        return width;
    }

    /** What the layer reads on the batch: the batch itself when it reads the graph input. */
    private static Tensor layerInput(Graph g, Node node, Tensor batch, int threads) {
        String input = node.input(0);
        for (ValueInfo v : g.inputs()) {
            if (v.name().equals(input)) {
                return batch;
            }
        }
        return Activations.capture(g, batch, List.of(input), threads).get(input);
    }

    /** The node's window as the executor resolves it (explicit pads, VALID or SAME_*). */
    static ConvWindow window(Node node, int kh, int kw, int height, int width) {
        Attributes a = node.attributes();
        int[] strides = ints(a.getInts("strides"), 1);
        int[] dilations = ints(a.getInts("dilations"), 1);
        String autoPad = a.getString("auto_pad", "NOTSET");
        int[] pads = new int[4];
        switch (autoPad) {
            case "NOTSET" -> {
                long[] p = a.getInts("pads");
                if (p != null) {
                    for (int i = 0; i < 4; i++) {
                        pads[i] = (int) p[i];
                    }
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] kernel = {kh, kw};
                int[] size = {height, width};
                for (int i = 0; i < 2; i++) {
                    int span = (kernel[i] - 1) * dilations[i] + 1;
                    int outSize = (size[i] + strides[i] - 1) / strides[i];
                    int total = Math.max(0, (outSize - 1) * strides[i] + span - size[i]);
                    pads[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    pads[i + 2] = total - pads[i];
                }
            }
            default -> throw new IllegalArgumentException(node.name() + ": auto_pad " + autoPad);
        }
        return new ConvWindow(kh, kw, strides[0], strides[1], pads[0], pads[1], pads[2], pads[3], dilations[0],
                dilations[1]);
    }

    private static int[] ints(long[] values, int fallback) {
        return values == null ? new int[] {fallback, fallback} : new int[] {(int) values[0], (int) values[1]};
    }

    /** The original's window (kernel, strides, pads, dilations, auto_pad) with {@code group} set. */
    private static Attributes spatialAttributes(Node original, int group) {
        Map<String, AttributeValue> values = new TreeMap<>(original.attributes().values());
        values.put("group", new AttributeValue.Int(group));
        return new Attributes(values);
    }

    private static Attributes pointwiseAttributes() {
        return new Attributes(Map.of("kernel_shape", new AttributeValue.Ints(List.of(1L, 1L))));
    }

    private static CompactFilters.Conv conv(Tensor weight, Tensor bias, int out, int in, int k) {
        float[] w = weight.floats();
        double[][] rows = new double[out][in * k];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in * k; j++) {
                rows[o][j] = w[o * in * k + j];
            }
        }
        double[] b = new double[out];
        if (bias != null) {
            float[] bf = bias.floats();
            for (int o = 0; o < out; o++) {
                b[o] = bf[o];
            }
        }
        return new CompactFilters.Conv(out, in, k, rows, b);
    }

    private static String fresh(Graph g, Map<String, Weight> added, String base, Tensor value) {
        String name = GraphRewrite.freshName(g, base);
        for (int i = 1; added.containsKey(name); i++) {
            name = GraphRewrite.freshName(g, base + "_" + i);
        }
        added.put(name, Weight.dense(name, value));
        return name;
    }

    private static Tensor floats(double[][] rows, int... shape) {
        float[] f = new float[(int) Tensor.elementCount(shape)];
        int i = 0;
        for (double[] row : rows) {
            for (double v : row) {
                f[i++] = (float) v;
            }
        }
        return Tensor.ofFloats(shape, f);
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
