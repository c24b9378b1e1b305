package dev.tamp.model.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable computation graph: inputs, weights, layers in topological order and outputs, plus the inferred type
 * and shape of every tensor. The constructor checks that the graph is well formed (each tensor defined once and
 * before it is used), so a {@code Graph} value never has cycles or dangling edges.
 *
 * @param opsetVersion version of the default ONNX operator set whose semantics the nodes follow
 * @param values type and shape of every input, weight and node output, by name
 */
public record Graph(
        String name,
        int opsetVersion,
        List<ValueInfo> inputs,
        List<ValueInfo> outputs,
        List<Node> nodes,
        Map<String, Weight> weights,
        Map<String, ValueInfo> values) {

    public Graph {
        Objects.requireNonNull(name, "name");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        nodes = List.copyOf(nodes);
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        Set<String> defined = new HashSet<>();
        for (ValueInfo in : inputs) {
            if (!defined.add(in.name())) {
                throw new IllegalArgumentException("graph input " + in.name() + " declared twice");
            }
        }
        for (Map.Entry<String, Weight> w : weights.entrySet()) {
            if (!w.getKey().equals(w.getValue().name())) {
                throw new IllegalArgumentException("weight keyed " + w.getKey() + " is named " + w.getValue().name());
            }
            // ONNX allows an initializer to double as a graph input (a default value); both mean the same tensor.
            defined.add(w.getKey());
        }
        Set<String> nodeNames = new HashSet<>();
        for (Node node : nodes) {
            if (!nodeNames.add(node.name())) {
                throw new IllegalArgumentException("two nodes are named " + node.name());
            }
            for (String in : node.inputs()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new IllegalArgumentException(
                            "node " + node.name() + " reads " + in + ", which is not defined before it");
                }
            }
            for (String out : node.outputs()) {
                if (!out.isEmpty() && !defined.add(out)) {
                    throw new IllegalArgumentException("tensor " + out + " is defined twice (node " + node.name() + ")");
                }
            }
        }
        for (ValueInfo out : outputs) {
            if (!defined.contains(out.name())) {
                throw new IllegalArgumentException("graph output " + out.name() + " is never computed");
            }
        }
    }

    /** The node with exactly this name. */
    public Optional<Node> node(String nodeName) {
        return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst();
    }

    /** The node at this position in topological order (0-based). */
    public Node nodeAt(int position) {
        return nodes.get(position);
    }

    public int positionOf(Node node) {
        int i = nodes.indexOf(node);
        if (i < 0) {
            throw new IllegalArgumentException("node " + node.name() + " is not in this graph");
        }
        return i;
    }

    public List<Node> nodesOfType(String opType) {
        return nodes.stream().filter(n -> n.opType().equals(opType)).toList();
    }

    /** Nodes that read the weight or tensor of this name, in graph order. */
    public List<Node> consumersOf(String tensorName) {
        return nodes.stream().filter(n -> n.inputs().contains(tensorName)).toList();
    }

    /** The node that computes this tensor, if it is not an input or weight. */
    public Optional<Node> producerOf(String tensorName) {
        return nodes.stream().filter(n -> n.outputs().contains(tensorName)).findFirst();
    }

    public boolean isWeight(String tensorName) {
        return weights.containsKey(tensorName);
    }

    public List<Weight> weightsOf(Node node) {
        List<Weight> out = new ArrayList<>();
        for (String in : node.inputs()) {
            Weight w = weights.get(in);
            if (w != null) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Resolves a layer selector the way recipes name layers: an exact node name, the name of a weight the layer reads
     * ({@code fc.weight}, {@code onnx::Conv_89}), the name of a tensor the layer writes, {@code OpType} for all layers
     * of a type, {@code OpType[k]} for the k-th of them (0-based), or {@code #k} for the k-th layer overall.
     * Returns an empty list when nothing matches.
     */
    public List<Node> select(String selector) {
        Objects.requireNonNull(selector);
        Optional<Node> byName = node(selector);
        if (byName.isPresent()) {
            return List.of(byName.get());
        }
        if (weights.containsKey(selector)) {
            return consumersOf(selector);
        }
        Optional<Node> byOutput = producerOf(selector);
        if (byOutput.isPresent()) {
            return List.of(byOutput.get());
        }
        if (selector.startsWith("#")) {
            try {
                int k = Integer.parseInt(selector.substring(1));
                return k >= 0 && k < nodes.size() ? List.of(nodes.get(k)) : List.of();
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        int bracket = selector.indexOf('[');
        if (bracket > 0 && selector.endsWith("]")) {
            try {
                int k = Integer.parseInt(selector.substring(bracket + 1, selector.length() - 1));
                List<Node> ofType = nodesOfType(selector.substring(0, bracket));
                return k >= 0 && k < ofType.size() ? List.of(ofType.get(k)) : List.of();
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        return nodesOfType(selector);
    }

    /** Up to {@code limit} node, weight and op-type names closest to a selector that matched nothing. */
    public List<String> closestNames(String selector, int limit) {
        List<String> all = new ArrayList<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (Node n : nodes) {
            for (String s : List.of(n.name(), n.opType())) {
                if (seen.putIfAbsent(s, true) == null) {
                    all.add(s);
                }
            }
        }
        for (String w : weights.keySet()) {
            if (seen.putIfAbsent(w, true) == null) {
                all.add(w);
            }
        }
        all.sort(Comparator.comparingInt((String s) -> editDistance(selector, s)).thenComparing(s -> s));
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
