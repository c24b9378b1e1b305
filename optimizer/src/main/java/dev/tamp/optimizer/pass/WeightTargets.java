package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.LayerFacts;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The layer weights a pass rewrites, and the model with them replaced; shared by the passes of this package. */
final class WeightTargets {
    /**
     * A dense float32 weight of a Conv, Gemm or MatMul that a statement of the pass's method selects.
     *
     * @param outputAxis the weight axis of the layer's output channels
     */
    record Target(Node node, String weightName, Tensor tensor, int outputAxis, Settings settings) {}

    private WeightTargets() {}

    /**
     * The targets in graph order. Layers already in another representation are counted as {@code layers-skipped}: a
     * second pass over a compressed weight would compress its materialization, which the recipe did not ask for.
     */
    static List<Target> select(Model model, PassContext context, PassInfo info) {
        return select(model, context, info, r -> r instanceof Dense d && d.dataType() == DataType.FLOAT);
    }

    /**
     * The targets whose representation {@code accepts} takes, in graph order (their tensor is its materialization);
     * the others are counted as {@code layers-skipped}.
     */
    static List<Target> select(Model model, PassContext context, PassInfo info, Predicate<Representation> accepts) {
        Graph graph = model.graph();
        List<Target> targets = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node node : graph.nodes()) {
            Settings settings = context.settings(info.family(), node.name()).orElse(null);
            if (settings == null || !info.method().equals(settings.get("method").map(s -> settings.word("method"))
                    .orElse(""))) {
                continue;
            }
            int axis = LayerFacts.outputAxis(graph, node);
            Weight weight = node.inputs().size() > 1 ? graph.weights().get(node.input(1)) : null;
            if (axis < 0 || weight == null || !seen.add(weight.name())) {
                continue;
            }
            Representation r = weight.representation();
            if (!accepts.test(r)) {
                context.count("layers-skipped", 1);
                continue;
            }
            targets.add(new Target(node, weight.name(), r instanceof Dense d ? d.tensor() : r.materialize(), axis,
                    settings));
        }
        return targets;
    }

    /** The model with some weights' representations replaced; a weight read by several layers is replaced once. */
    static Model replace(Model model, Map<String, Weight> replacements) {
        if (replacements.isEmpty()) {
            return model;
        }
        Graph g = model.graph();
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.putAll(replacements);
        Graph graph = new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights, g.values());
        return new Model(graph, model.producerName(), model.producerVersion(), model.irVersion());
    }
}
