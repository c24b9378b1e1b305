package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Parallelism;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A graph prepared for training: one {@link Layer} per node, one {@link TrainableWeight} per weight that a Gemm,
 * MatMul or Conv multiplies by or adds as bias, and the activations of the last forward pass kept for the backward
 * pass. The graph must map one input to one output (the logits).
 *
 * <p>Trainable ops: Gemm (transA=0) and 2-D MatMul by a weight (through FFTs when the weight is circulant or
 * block-circulant: {@link CirculantLayer}), 2-D Conv, 2-D MaxPool, Relu, Add of equal shapes,
 * Flatten, GlobalAveragePool and inference-mode BatchNormalization (a fixed affine map). Anything else is refused
 * with an {@link IllegalArgumentException} naming the node. Not thread-safe: one instance per training run.
 */
public final class TrainableGraph {
    private final Graph graph;
    private final List<Layer> layers;
    private final Map<String, TrainableWeight> weights;
    private final int inputSlot;
    private final int outputSlot;
    private final boolean[] needsGrad;
    private Activations activations;

    private TrainableGraph(Graph graph, List<Layer> layers, Map<String, TrainableWeight> weights, int inputSlot,
            int outputSlot, int slots) {
        this.graph = graph;
        this.layers = List.copyOf(layers);
        this.weights = weights;
        this.inputSlot = inputSlot;
        this.outputSlot = outputSlot;
        // A tensor needs a gradient when a trainable weight lies upstream of it; the image input never does.
        this.needsGrad = new boolean[slots];
        for (Layer l : layers) {
            boolean upstream = !l.weights().isEmpty();
            for (int s : l.inputs()) {
                upstream |= needsGrad[s];
            }
            needsGrad[l.output()] = upstream;
        }
    }

    /** Prepares {@code graph} with the standard trainable form of each weight ({@link TrainableWeight#of}). */
    public static TrainableGraph of(Graph graph) {
        return of(graph, TrainableWeight::of);
    }

    /** Prepares {@code graph}, turning each weight a layer trains into a {@link TrainableWeight} with {@code factory}. */
    public static TrainableGraph of(Graph graph, BiFunction<Node, Weight, TrainableWeight> factory) {
        List<ValueInfo> inputs = graph.inputs().stream().filter(v -> !graph.isWeight(v.name())).toList();
        if (inputs.size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalArgumentException("cannot train graph " + graph.name() + ": it has " + inputs.size()
                    + " inputs and " + graph.outputs().size() + " outputs, training needs one of each");
        }
        Map<String, Integer> slots = new LinkedHashMap<>();
        slots.put(inputs.get(0).name(), 0);
        Map<String, TrainableWeight> weights = new LinkedHashMap<>();
        List<Layer> layers = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Builder b = new Builder(graph, node, slots, weights, factory);
            layers.add(b.layer());
            if (node.outputs().size() > 1 && node.outputs().subList(1, node.outputs().size()).stream()
                    .anyMatch(o -> !o.isEmpty() && !graph.consumersOf(o).isEmpty())) {
                throw ConvGeometry.refuse(node, "only its first output can be used");
            }
            slots.put(node.output(0), slots.size());
        }
        Integer out = slots.get(graph.outputs().get(0).name());
        if (out == null || out == 0) {
            throw new IllegalArgumentException("cannot train graph " + graph.name() + ": its output is not computed");
        }
        return new TrainableGraph(graph, layers, weights, 0, out, slots.size());
    }

    /** Resolves one node's inputs to slots and weights and builds its layer. */
    private record Builder(Graph graph, Node node, Map<String, Integer> slots, Map<String, TrainableWeight> weights,
            BiFunction<Node, Weight, TrainableWeight> factory) {
        Layer layer() {
            int out = slots.size();
            return switch (node.opType()) {
                case "Gemm" -> {
                    var a = node.attributes();
                    if (a.getInt("transA", 0) != 0) {
                        throw ConvGeometry.refuse(node, "transA=1 is not supported");
                    }
                    yield gemm(out, node.hasInput(2), a.getInt("transB", 0) != 0, a.getFloat("alpha", 1f),
                            a.getFloat("beta", 1f));
                }
                case "MatMul" -> gemm(out, false, false, 1f, 1f);
                case "Conv" -> new ConvLayer(node, slot(0), out, dense(trainable(1)),
                        node.hasInput(2) ? dense(trainable(2)) : null);
                case "MaxPool" -> new SimpleLayers.MaxPool(node, slot(0), out);
                case "Relu" -> new SimpleLayers.Relu(node, slot(0), out);
                case "Add" -> new SimpleLayers.Add(node, slot(0), slot(1), out);
                case "Flatten" -> new SimpleLayers.Flatten(node, slot(0), out);
                case "GlobalAveragePool" -> new SimpleLayers.GlobalAveragePool(node, slot(0), out);
                case "BatchNormalization" -> SimpleLayers.BatchNorm.of(node, slot(0), out, constant(1), constant(2),
                        constant(3), constant(4));
                default -> throw ConvGeometry.refuse(node, "the op cannot be trained (trainable: Gemm, MatMul, Conv, "
                        + "MaxPool, Relu, Add, Flatten, GlobalAveragePool, BatchNormalization)");
            };
        }

        /** A Gemm or MatMul: through FFTs when its weight is circulant, else by dense products. */
        Layer gemm(int out, boolean hasBias, boolean transB, float alpha, float beta) {
            TrainableWeight w = trainable(1);
            TrainableWeight bias = hasBias ? trainable(2) : null;
            return w instanceof CirculantWeight c
                    ? new CirculantLayer(node, slot(0), out, c, dense(bias), transB, alpha, beta)
                    : new GemmLayer(node, slot(0), out, w, dense(bias), transB, alpha, beta);
        }

        /** A weight that a layer reads through {@link TrainableWeight#dense()}: anything but a circulant one. */
        TrainableWeight dense(TrainableWeight w) {
            if (w instanceof CirculantWeight) {
                throw ConvGeometry.refuse(node, "weight " + w.name() + " is circulant, which trains as the matrix of "
                        + "a Gemm or MatMul only");
            }
            return w;
        }

        /** An activation input. */
        int slot(int i) {
            String name = node.input(i);
            if (graph.isWeight(name)) {
                throw ConvGeometry.refuse(node, "input " + i + " (" + name + ") is a weight where an activation is "
                        + "expected");
            }
            Integer s = slots.get(name);
            if (s == null) {
                throw ConvGeometry.refuse(node, "input " + i + " (" + name + ") is not computed by a trainable node");
            }
            return s;
        }

        /** A weight trained through its representation, shared by every layer that reads it. */
        TrainableWeight trainable(int i) {
            String name = node.input(i);
            Weight w = graph.weights().get(name);
            if (w == null) {
                throw ConvGeometry.refuse(node, "input " + i + " (" + name + ") must be a weight to be trained");
            }
            return weights.computeIfAbsent(name, n -> factory.apply(node, w));
        }

        /** A weight used as a fixed constant. */
        float[] constant(int i) {
            Weight w = graph.weights().get(node.input(i));
            if (w == null) {
                throw ConvGeometry.refuse(node, "input " + i + " must be a weight");
            }
            return w.representation().materialize().floats();
        }
    }

    public Graph graph() {
        return graph;
    }

    /** The trainable weights in the order the graph first reads them. */
    public List<TrainableWeight> weights() {
        return List.copyOf(weights.values());
    }

    /** Every parameter the optimizer updates, weight by weight in graph order. */
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (TrainableWeight w : weights.values()) {
            ps.addAll(w.parameters());
        }
        return ps;
    }

    /**
     * Runs the graph on a batch ({@code input} row-major in {@code shape}) and keeps the activations for {@link
     * #backward}. Returns a copy of the output (logits), row-major; {@link #outputShape()} gives its shape.
     */
    public float[] forward(float[] input, int[] shape, Parallelism par) {
        activations = new Activations(needsGrad.length);
        activations.set(inputSlot, input, shape.clone());
        for (Layer l : layers) {
            l.forward(activations, par);
        }
        // A copy: layers keep their output buffers across steps, so the caller's logits outlive the next pass.
        return activations.values[outputSlot].clone();
    }

    public int[] outputShape() {
        return activations.shapes[outputSlot].clone();
    }

    /**
     * Back-propagates {@code outputGrad} (dLoss/dOutput of the last forward pass) and adds the gradients of the
     * trainable weights to their {@link TrainableWeight#denseGrad()}; call {@link #zeroGrad()} first.
     */
    public void backward(float[] outputGrad, Parallelism par) {
        if (activations == null) {
            throw new IllegalStateException("backward before forward");
        }
        if (outputGrad.length != activations.values[outputSlot].length) {
            throw new IllegalArgumentException("output gradient has " + outputGrad.length + " elements, output "
                    + activations.values[outputSlot].length);
        }
        activations.clearGrads();
        activations.grads[outputSlot] = outputGrad;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (activations.grads[l.output()] != null) {
                l.backward(activations, needsGrad, par);
            }
        }
    }

    public void zeroGrad() {
        for (TrainableWeight w : weights.values()) {
            w.zeroGrad();
        }
    }

    /** Maps every dense gradient onto its representation's parameters ({@link TrainableWeight#pullGradient}). */
    public void pullGradients(Parallelism par) {
        for (TrainableWeight w : weights.values()) {
            w.pullGradient(par);
        }
    }

    /** Re-imposes constraints and recomputes dense weights after an optimizer step. */
    public void afterStep(Parallelism par) {
        for (TrainableWeight w : weights.values()) {
            w.afterStep(par);
        }
    }

    /** The graph with every trained weight replaced by its representation rebuilt from the trained parameters. */
    public Graph toGraph() {
        Map<String, Weight> ws = new LinkedHashMap<>(graph.weights());
        for (TrainableWeight w : weights.values()) {
            ws.put(w.name(), new Weight(w.name(), w.toRepresentation()));
        }
        return new Graph(graph.name(), graph.opsetVersion(), graph.inputs(), graph.outputs(), graph.nodes(), ws,
                graph.values());
    }

    @Override
    public String toString() {
        return "TrainableGraph[" + graph.name() + ", " + layers.size() + " layers, " + weights.size()
                + " trainable weights " + Arrays.toString(weights.keySet().toArray()) + "]";
    }
}
