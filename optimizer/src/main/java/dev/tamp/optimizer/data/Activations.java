package dev.tamp.optimizer.data;

import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Intermediate tensors of a model on a batch: what a layer sees (its input) and produces, for passes that fit a
 * replacement to a layer's behaviour (OBS, compact filters) or estimate statistics from data.
 */
public final class Activations {
    private Activations() {}

    /** The named tensors computed on {@code input} (the graph's single input), in the order asked. */
    public static Map<String, Tensor> capture(Graph graph, Tensor input, List<String> names, int threads) {
        List<ValueInfo> outputs = new ArrayList<>();
        for (String name : names) {
            ValueInfo v = graph.values().get(name);
            if (v == null) {
                throw new IllegalArgumentException("no tensor named " + name);
            }
            outputs.add(v);
        }
        Graph probe = new Graph(graph.name(), graph.opsetVersion(), graph.inputs(), outputs, graph.nodes(),
                graph.weights(), graph.values());
        try (Executor ex = Executor.create(probe, threads)) {
            return ex.run(Map.of(graph.inputs().get(0).name(), input));
        }
    }
}
