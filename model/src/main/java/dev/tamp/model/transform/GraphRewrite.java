package dev.tamp.model.transform;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.ShapeInference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural edits of a graph (a layer replaced by several, weights shrunk or added): the graph is rebuilt with the
 * same inputs and outputs and every value's type inferred again, so an edit cannot leave a stale shape behind.
 * Weights no node reads any more are dropped.
 */
public final class GraphRewrite {
    private GraphRewrite() {}

    /** The graph with these nodes (topologically ordered) and weights, its types inferred afresh. */
    public static Graph rebuild(Graph g, List<Node> nodes, Map<String, Weight> weights) {
        Set<String> read = new HashSet<>();
        for (Node n : nodes) {
            read.addAll(n.inputs());
        }
        for (ValueInfo in : g.inputs()) {
            read.add(in.name());
        }
        Map<String, Weight> used = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            if (read.contains(name)) {
                used.put(name, w);
            }
        });
        Map<String, ValueInfo> values = ShapeInference.symbolic(g.inputs(), used, nodes, g.opsetVersion(),
                Operators.standard());
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfo out : g.outputs()) {
            ValueInfo inferred = values.get(out.name());
            if (inferred == null) {
                throw new IllegalArgumentException("graph output " + out.name() + " is no longer computed");
            }
            outputs.add(inferred);
        }
        return new Graph(g.name(), g.opsetVersion(), g.inputs(), outputs, nodes, used, values);
    }

    /** The model with its graph rebuilt from these nodes and weights. */
    public static Model rebuild(Model model, List<Node> nodes, Map<String, Weight> weights) {
        return new Model(rebuild(model.graph(), nodes, weights), model.producerName(), model.producerVersion(),
                model.irVersion());
    }

    /**
     * The graph with {@code replaced} swapped for {@code replacements} in place (the last of them must write the
     * replaced node's outputs) and {@code newWeights} added to, or replacing, the graph's weights.
     */
    public static Graph replaceNode(Graph g, Node replaced, List<Node> replacements, Map<String, Weight> newWeights) {
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.equals(replaced)) {
                nodes.addAll(replacements);
            } else {
                nodes.add(n);
            }
        }
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.putAll(newWeights);
        return rebuild(g, nodes, weights);
    }

    /** A tensor name not yet used in the graph, derived from {@code base}. */
    public static String freshName(Graph g, String base) {
        Set<String> taken = new HashSet<>(g.values().keySet());
        taken.addAll(g.weights().keySet());
        for (Node n : g.nodes()) {
            taken.add(n.name());
        }
        if (!taken.contains(base)) {
            return base;
        }
        for (int i = 1; ; i++) {
            String candidate = base + "_" + i;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }
}
