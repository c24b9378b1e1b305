package dev.tamp.model.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Facts about layers that checking a compression recipe against a model needs: the matrix a layer's weight forms
 * (low-rank factorization needs rank <= min(m, n)) and the residual Adds a layer's output reaches (pruning its filters
 * needs the same filters pruned on the Add's other branch).
 */
public final class LayerFacts {
    /** Layers that keep every channel where it is, so a pruned filter stays pruned through them. */
    private static final Set<String> CHANNEL_PRESERVING = Set.of("Relu", "LeakyRelu", "Elu", "Clip", "Sigmoid", "Tanh",
            "HardSigmoid", "HardSwish", "Identity", "Dropout", "BatchNormalization", "MaxPool", "AveragePool");

    private LayerFacts() {}

    /**
     * The layer's weight as a matrix {@code [outputs, inputs]}: Gemm and MatMul with a constant 2-D weight, and Conv
     * (its filters flattened: {@code [M, C/group * kernel size]}). Empty for layers without such a weight.
     */
    public static Optional<int[]> weightMatrix(Graph graph, Node node) {
        Weight w = graph.weights().get(node.input(1));
        if (w == null) {
            return Optional.empty();
        }
        int[] d = w.representation().dims();
        switch (node.opType()) {
            case "Gemm":
                if (d.length != 2) {
                    return Optional.empty();
                }
                return Optional.of(node.attributes().getInt("transB", 0) != 0 ? new int[] {d[0], d[1]}
                        : new int[] {d[1], d[0]});
            case "MatMul":
                return d.length == 2 ? Optional.of(new int[] {d[1], d[0]}) : Optional.empty();
            case "Conv":
                int inputs = 1;
                for (int i = 1; i < d.length; i++) {
                    inputs *= d[i];
                }
                return Optional.of(new int[] {d[0], inputs});
            default:
                return Optional.empty();
        }
    }

    /**
     * The axis of a layer's weight that indexes its outputs: 0 for a Conv ({@code [M, C/group, kh, kw]}) and for a Gemm
     * with transB=1 ({@code [out, in]}), 1 for a Gemm without it and a MatMul ({@code [in, out]}); -1 for layers
     * without such a weight.
     */
    public static int outputAxis(Graph graph, Node node) {
        Weight w = node.inputs().size() > 1 ? graph.weights().get(node.input(1)) : null;
        if (w == null) {
            return -1;
        }
        int rank = w.representation().dims().length;
        return switch (node.opType()) {
            case "Conv" -> rank >= 3 ? 0 : -1;
            case "Gemm" -> rank == 2 ? (node.attributes().getInt("transB", 0) != 0 ? 0 : 1) : -1;
            case "MatMul" -> rank == 2 ? 1 : -1;
            default -> -1;
        };
    }

    /**
     * The tensors that carry a layer's output channels: its outputs and, through channel-preserving layers, theirs,
     * in the order reached.
     */
    public static List<String> channelCarriers(Graph graph, Node node) {
        List<String> carriers = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>(node.outputs());
        Set<String> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            String tensor = pending.poll();
            if (tensor.isEmpty() || !seen.add(tensor)) {
                continue;
            }
            carriers.add(tensor);
            for (Node consumer : graph.consumersOf(tensor)) {
                if (CHANNEL_PRESERVING.contains(consumer.opType())) {
                    pending.add(consumer.output(0));
                }
            }
        }
        return List.copyOf(carriers);
    }

    /**
     * The Add (or Sum) nodes joining two computed tensors that this layer's output reaches directly or through
     * channel-preserving layers, in graph order.
     */
    public static List<Node> residualAddsFed(Graph graph, Node node) {
        List<Node> adds = new ArrayList<>();
        for (String tensor : channelCarriers(graph, node)) {
            for (Node consumer : graph.consumersOf(tensor)) {
                boolean join = (consumer.opType().equals("Add") || consumer.opType().equals("Sum"))
                        && consumer.inputs().stream().filter(in -> !in.isEmpty() && !graph.isWeight(in)).count() >= 2;
                if (join && !adds.contains(consumer)) {
                    adds.add(consumer);
                }
            }
        }
        adds.sort((a, b) -> Integer.compare(graph.positionOf(a), graph.positionOf(b)));
        return List.copyOf(adds);
    }

    /** Whether a layer's output channels reach a graph output unchanged in number (so they cannot be pruned). */
    public static boolean reachesOutput(Graph graph, Node node) {
        List<String> carriers = channelCarriers(graph, node);
        return graph.outputs().stream().anyMatch(o -> carriers.contains(o.name()));
    }

    /** The node whose channels a tensor carries, walking back through channel-preserving layers. */
    public static Optional<Node> channelSource(Graph graph, String tensor) {
        Optional<Node> producer = graph.producerOf(tensor);
        while (producer.isPresent() && CHANNEL_PRESERVING.contains(producer.get().opType())) {
            producer = graph.producerOf(producer.get().input(0));
        }
        return producer;
    }

    /**
     * The PyTorch module path in an exporter's node name: {@code /layer2/shortcut/shortcut.0/Conv} is
     * {@code layer2.shortcut.0} (a Sequential's child is named {@code parent.k} inside its parent's scope); empty for
     * names not of that form, such as {@code /Relu} or {@code Conv_3}.
     */
    public static Optional<String> modulePath(String nodeName) {
        if (!nodeName.startsWith("/")) {
            return Optional.empty();
        }
        String[] parts = nodeName.substring(1).split("/");
        List<String> path = new ArrayList<>();
        for (int i = 0; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                return Optional.empty();
            }
            if (!path.isEmpty() && part.startsWith(path.get(path.size() - 1) + ".")) {
                path.set(path.size() - 1, part);
            } else {
                path.add(part);
            }
        }
        return path.isEmpty() ? Optional.empty() : Optional.of(String.join(".", path));
    }
}
