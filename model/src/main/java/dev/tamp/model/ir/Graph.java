package dev.tamp.model.ir;

import java.util.ArrayList;
import java.util.Collections;
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
}
