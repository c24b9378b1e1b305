package dev.tamp.optimizer.pass;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.LayerFacts;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.transform.GraphRewrite;
import dev.tamp.optimizer.numerics.MatrixView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removing output channels (Conv filters, Gemm neurons) for real, with every reader of those channels narrowed to
 * match; shared by {@code prune-l1-filter} and {@code prune-data-free}.
 *
 * <p>A {@link Component} is every tensor that carries one channel numbering on axis 1: it starts at a Conv or Gemm
 * output and follows per-channel ops (activations, pooling, BatchNormalization) forward and backward, and element-wise
 * binary ops (a residual {@code Add}) to their other operand, which must then carry the same channels. Its producers
 * (the Convs and Gemms writing it) lose output channels, its BatchNorms lose the same entries, and its consumers (a
 * Conv reading it, a Gemm reading it directly or after {@code Flatten}) lose the matching input columns: for a Conv
 * {@code kh*kw} per channel, after {@code Flatten} one per spatial position. Anything else that sees the channels (a
 * graph output, Concat, Reshape, a per-channel constant) makes the component unprunable, and {@link #trace} says
 * where.
 */
final class ChannelPruning {
    private static final Set<String> PER_CHANNEL = Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu",
            "Selu", "Softplus", "HardSigmoid", "HardSwish", "Identity", "Dropout", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "LpPool", "BatchNormalization");
    private static final Set<String> ELEMENTWISE = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean");

    /** A reader of the channels that loses input columns: {@code spatial} columns per channel. */
    record Consumer(Node node, int spatial) {}

    /**
     * @param producers the Convs and Gemms writing the channels, in graph order
     * @param joins the element-wise nodes that tie several producers together
     * @param perChannel the per-channel nodes on the way (BatchNorms among them lose entries)
     */
    record Component(int channels, List<Node> producers, List<Node> joins, List<Node> perChannel,
            List<Consumer> consumers) {}

    private ChannelPruning() {}

    /** The component of {@code producer}'s output channels; throws naming the node that makes them unprunable. */
    static Component trace(Graph g, Node producer) {
        String start = producer.output(0);
        Set<String> tensors = new LinkedHashSet<>();
        Deque<String> work = new ArrayDeque<>();
        Set<Node> producers = new LinkedHashSet<>();
        Set<Node> joins = new LinkedHashSet<>();
        Set<Node> perChannel = new LinkedHashSet<>();
        Map<Node, Integer> consumers = new LinkedHashMap<>();
        tensors.add(start);
        work.add(start);
        String why = producer.name() + ": its output channels cannot be removed: ";
        Set<String> outputs = new LinkedHashSet<>();
        g.outputs().forEach(o -> outputs.add(o.name()));
        while (!work.isEmpty()) {
            String t = work.poll();
            if (outputs.contains(t)) {
                throw new IllegalArgumentException(why + "they reach the graph output " + t);
            }
            Node p = g.producerOf(t).orElseThrow(() -> new IllegalArgumentException(why
                    + "they are tied to the graph input " + t));
            if (isLayer(p)) {
                producers.add(p);
            } else if (PER_CHANNEL.contains(p.opType())) {
                perChannel.add(p);
                add(p.input(0), tensors, work);
            } else if (ELEMENTWISE.contains(p.opType())) {
                joins.add(p);
                for (String in : p.inputs()) {
                    if (requireActivation(g, p, in, why)) {
                        add(in, tensors, work);
                    }
                }
            } else {
                throw new IllegalArgumentException(why + "they are computed by " + p.name() + " (" + p.opType()
                        + "), which the pass cannot narrow");
            }
            for (Node c : g.consumersOf(t)) {
                if (PER_CHANNEL.contains(c.opType()) && c.input(0).equals(t)) {
                    perChannel.add(c);
                    add(c.output(0), tensors, work);
                } else if (ELEMENTWISE.contains(c.opType())) {
                    joins.add(c);
                    for (String in : c.inputs()) {
                        if (requireActivation(g, c, in, why)) {
                            add(in, tensors, work);
                        }
                    }
                    add(c.output(0), tensors, work);
                } else if (c.opType().equals("Conv") && c.input(0).equals(t)) {
                    requireUngrouped(c, why);
                    int[] dims = g.weights().get(c.input(1)).representation().dims();
                    consumers.put(c, dims[2] * (dims.length > 3 ? dims[3] : 1));
                } else if (c.opType().equals("Gemm") && c.input(0).equals(t) && rank(g, t) == 2
                        && c.attributes().getInt("transA", 0) == 0) {
                    consumers.put(c, 1);
                } else if (c.opType().equals("Flatten") && c.attributes().getInt("axis", 1) == 1) {
                    int spatial = spatialSize(g, t, c, why);
                    if (outputs.contains(c.output(0))) {
                        throw new IllegalArgumentException(why + c.name() + " sends them to the graph output");
                    }
                    for (Node gemm : g.consumersOf(c.output(0))) {
                        if (!gemm.opType().equals("Gemm") || !gemm.input(0).equals(c.output(0))
                                || gemm.attributes().getInt("transA", 0) != 0) {
                            throw new IllegalArgumentException(why + "after " + c.name() + " they are read by "
                                    + gemm.name() + " (" + gemm.opType() + "), which the pass cannot narrow");
                        }
                        consumers.put(gemm, spatial);
                    }
                } else {
                    throw new IllegalArgumentException(why + "they are read by " + c.name() + " (" + c.opType()
                            + "), which the pass cannot narrow");
                }
            }
        }
        List<Node> ordered = g.nodes().stream().filter(producers::contains).toList();
        for (Node p : ordered) {
            if (p.opType().equals("Conv")) {
                requireUngrouped(p, why);
            }
        }
        int channels = outputChannels(g, producer);
        List<Consumer> readers = new ArrayList<>();
        g.nodes().stream().filter(consumers::containsKey).forEach(n -> readers.add(new Consumer(n, consumers.get(n))));
        return new Component(channels, ordered, g.nodes().stream().filter(joins::contains).toList(),
                g.nodes().stream().filter(perChannel::contains).toList(), readers);
    }

    /** Conv and Gemm nodes, whose weight's rows are their output channels. */
    static boolean isLayer(Node n) {
        return n.opType().equals("Conv") || n.opType().equals("Gemm") && n.attributes().getInt("transA", 0) == 0;
    }

    static int outputChannels(Graph g, Node layer) {
        return view(g, layer).rows();
    }

    /** The matrix view of a layer's weight (rows = outputs). */
    static MatrixView view(Graph g, Node layer) {
        Weight w = g.weights().get(layer.input(1));
        if (w == null) {
            throw new IllegalArgumentException(layer.name() + ": its weight is not a constant of the model");
        }
        return MatrixView.of(w.representation().dims(), LayerFacts.outputAxis(g, layer));
    }

    private static void add(String t, Set<String> tensors, Deque<String> work) {
        if (tensors.add(t)) {
            work.add(t);
        }
    }

    /** Whether an operand of an element-wise node is an activation; a scalar constant is fine, other constants not. */
    private static boolean requireActivation(Graph g, Node join, String in, String why) {
        if (!g.isWeight(in)) {
            return true;
        }
        if (g.weights().get(in).elementCount() != 1) {
            throw new IllegalArgumentException(why + join.name() + " (" + join.opType() + ") combines them with the "
                    + "constant " + in + ", which the pass does not narrow");
        }
        return false;
    }

    private static void requireUngrouped(Node conv, String why) {
        if (conv.attributes().getInt("group", 1) != 1) {
            throw new IllegalArgumentException(why + conv.name() + " is a grouped convolution");
        }
    }

    private static int rank(Graph g, String t) {
        ValueInfo v = g.values().get(t);
        return v == null ? -1 : v.shape().rank();
    }

    private static int spatialSize(Graph g, String t, Node flatten, String why) {
        ValueInfo v = g.values().get(t);
        long size = 1;
        if (v != null) {
            List<Dim> dims = v.shape().dims();
            for (int i = 2; i < dims.size(); i++) {
                if (!dims.get(i).isKnown()) {
                    size = -1;
                    break;
                }
                size *= dims.get(i).size();
            }
        }
        if (v == null || size < 1) {
            throw new IllegalArgumentException(why + "the spatial size before " + flatten.name() + " is unknown");
        }
        return (int) size;
    }

    /**
     * The model with each component narrowed to its kept channels. {@code adjusted} replaces some dense weights
     * (by name) before narrowing, for passes that fold removed channels into kept ones.
     */
    static Model shrink(Model model, Map<Component, int[]> kept, Map<String, Tensor> adjusted) {
        Graph g = model.graph();
        Map<String, int[]> rows = new LinkedHashMap<>();
        Map<String, int[]> cols = new LinkedHashMap<>();
        Map<String, int[]> vectors = new LinkedHashMap<>();
        kept.forEach((component, channels) -> {
            for (Node p : component.producers()) {
                rows.put(p.name(), channels);
                if (p.hasInput(2)) {
                    claimVector(g, p, p.input(2), component.channels(), channels, vectors);
                }
            }
            for (Node bn : component.perChannel()) {
                if (bn.opType().equals("BatchNormalization")) {
                    for (int i = 1; i <= 4; i++) {
                        claimVector(g, bn, bn.input(i), component.channels(), channels, vectors);
                    }
                }
            }
            for (Consumer c : component.consumers()) {
                cols.put(c.node().name(), expand(channels, c.spatial()));
            }
        });
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        for (Node n : g.nodes()) {
            int[] r = rows.get(n.name());
            int[] c = cols.get(n.name());
            if (r == null && c == null) {
                continue;
            }
            String name = n.input(1);
            requireSoleReader(g, n, name);
            Tensor w = tensor(g, n, name, adjusted);
            MatrixView view = MatrixView.of(w.shape(), LayerFacts.outputAxis(g, n));
            weights.put(name, Weight.dense(name, narrow(w, view, LayerFacts.outputAxis(g, n), r, c)));
        }
        vectors.forEach((name, channels) -> {
            Node reader = g.consumersOf(name).get(0);
            Tensor v = tensor(g, reader, name, adjusted);
            float[] x = v.floats();
            float[] y = new float[channels.length];
            for (int i = 0; i < channels.length; i++) {
                y[i] = x[channels[i]];
            }
            weights.put(name, Weight.dense(name, Tensor.ofFloats(new int[] {channels.length}, y)));
        });
        return GraphRewrite.rebuild(model, g.nodes(), weights);
    }

    private static void claimVector(Graph g, Node n, String name, int channels, int[] kept, Map<String, int[]> vectors) {
        Weight w = g.weights().get(name);
        if (w == null || w.representation().dims().length != 1 || w.representation().dims()[0] != channels) {
            throw new IllegalArgumentException(n.name() + ": input " + name + " is not a constant vector of "
                    + channels + " channels, so it cannot be narrowed with them");
        }
        requireSoleReader(g, n, name);
        vectors.put(name, kept);
    }

    private static void requireSoleReader(Graph g, Node n, String weight) {
        if (g.consumersOf(weight).size() != 1) {
            throw new IllegalArgumentException(n.name() + ": its constant " + weight + " is shared with other nodes");
        }
    }

    private static Tensor tensor(Graph g, Node n, String name, Map<String, Tensor> adjusted) {
        if (adjusted.containsKey(name)) {
            return adjusted.get(name);
        }
        if (!(g.weights().get(name).representation() instanceof Dense d) || d.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(n.name() + ": " + name + " is stored as "
                    + g.weights().get(name).representation().kind() + "; removing channels needs dense float32 "
                    + "weights, so run this pass before weight compression");
        }
        return d.tensor();
    }

    /** Channel indices expanded to the columns they occupy: channel c owns columns c*spatial to c*spatial+spatial-1. */
    private static int[] expand(int[] channels, int spatial) {
        int[] columns = new int[channels.length * spatial];
        for (int i = 0; i < channels.length; i++) {
            for (int s = 0; s < spatial; s++) {
                columns[i * spatial + s] = channels[i] * spatial + s;
            }
        }
        return columns;
    }

    /** The weight with only these rows and columns of its matrix view (null keeps all). */
    private static Tensor narrow(Tensor w, MatrixView view, int outputAxis, int[] rows, int[] cols) {
        int[] r = rows != null ? rows : range(view.rows());
        int[] c = cols != null ? cols : range(view.cols());
        MatrixView out = new MatrixView(r.length, c.length, view.rowsFirst());
        float[] x = w.floats();
        float[] y = new float[out.size()];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < c.length; j++) {
                y[out.flat(i, j)] = x[view.flat(r[i], c[j])];
            }
        }
        int[] dims = w.shape();
        if (dims.length > 2) {
            // Conv [O, I, kh, kw]: columns are (i, y, x), so the kept columns are whole input channels.
            dims[0] = r.length;
            dims[1] = c.length / (view.cols() / dims[1]);
        } else {
            dims[outputAxis] = r.length;
            dims[1 - outputAxis] = c.length;
        }
        return Tensor.ofFloats(dims, y);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
