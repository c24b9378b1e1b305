package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.FilterSelection;
import dev.tamp.optimizer.numerics.MatrixView;
import dev.tamp.optimizer.numerics.NeuronMerging;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Data-free neuron merging ({@code prune method=data-free}, Srinivas &amp; Babu 2015, {@link NeuronMerging}): a
 * selected Gemm whose outputs reach exactly one other Gemm through ReLU-like activations only (positively homogeneous:
 * Relu, LeakyRelu, or none) loses {@code round(sparsity * neurons)} neurons (at least one kept); each removed neuron's
 * outgoing weights are added to those of the neuron whose incoming weights and bias are closest to its own. The
 * reading Gemm's bias is unchanged. No data is used.
 */
public final class PruneDataFreePass implements Pass {
    private static final Set<String> HOMOGENEOUS = Set.of("Relu", "LeakyRelu");
    private static final PassInfo INFO = new PassInfo("prune-data-free",
            "Merge each removed hidden neuron into the one with the closest incoming weights, without data.",
            PassKind.PRUNE, "data-free", List.of("sparsity", "schedule"),
            List.of("layers-pruned", "layers-skipped", "neurons-removed", "bytes-before", "bytes-after"),
            PassInfo.Effect.GRAPH);

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Graph g = model.graph();
        Map<ChannelPruning.Component, int[]> plans = new LinkedHashMap<>();
        Map<String, Tensor> adjusted = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            StructuralChecks.oneShotWithSparsity(t, INFO.name());
            Node layer = t.node();
            if (!layer.opType().equals("Gemm")) {
                throw new IllegalArgumentException(layer.name() + ": data-free merging applies to Gemm neurons, not "
                        + layer.opType() + " (use l1-filter for filters)");
            }
            ChannelPruning.Component component = ChannelPruning.trace(g, layer);
            Node reader = singleGemmReader(layer, component);
            MatrixView in = ChannelPruning.view(g, layer);
            MatrixView out = ChannelPruning.view(g, reader);
            double[][] incoming = incoming(g, layer, t.tensor().floats(), in);
            Tensor next = dense(g, reader);
            double[][] outgoing = new double[in.rows()][out.rows()];
            float[] a = next.floats();
            for (int j = 0; j < in.rows(); j++) {
                for (int k = 0; k < out.rows(); k++) {
                    outgoing[j][k] = a[out.flat(k, j)];
                }
            }
            int removed = FilterSelection.removedCount(t.settings().number("sparsity"), in.rows());
            List<NeuronMerging.Merge> merges = NeuronMerging.merge(incoming, outgoing, removed);
            float[] merged = a.clone();
            for (int j = 0; j < in.rows(); j++) {
                for (int k = 0; k < out.rows(); k++) {
                    merged[out.flat(k, j)] = (float) outgoing[j][k];
                }
            }
            adjusted.put(reader.input(1), Tensor.ofFloats(next.shape(), merged));
            boolean[] gone = new boolean[in.rows()];
            merges.forEach(m -> gone[m.removed()] = true);
            plans.put(component, java.util.stream.IntStream.range(0, in.rows()).filter(j -> !gone[j]).toArray());
            context.count("layers-pruned", 1);
            context.count("neurons-removed", removed);
        }
        if (plans.isEmpty()) {
            return model;
        }
        Model result = ChannelPruning.shrink(model, plans, adjusted);
        context.count("bytes-before", PruneFilterPass.storedBytes(model));
        context.count("bytes-after", PruneFilterPass.storedBytes(result));
        return result;
    }

    private static Node singleGemmReader(Node layer, ChannelPruning.Component component) {
        String why = layer.name() + ": data-free merging needs its neurons read by one Gemm through Relu or "
                + "LeakyRelu only";
        if (component.producers().size() != 1 || !component.joins().isEmpty()) {
            throw new IllegalArgumentException(why + ", but they meet " + component.joins().stream().map(Node::name)
                    .toList());
        }
        for (Node n : component.perChannel()) {
            if (!HOMOGENEOUS.contains(n.opType())) {
                throw new IllegalArgumentException(why + ", but they pass " + n.name() + " (" + n.opType() + ")");
            }
        }
        if (component.consumers().size() != 1 || !component.consumers().get(0).node().opType().equals("Gemm")) {
            throw new IllegalArgumentException(why + ", but they are read by " + component.consumers().stream()
                    .map(c -> c.node().name()).toList());
        }
        return component.consumers().get(0).node();
    }

    /** Each neuron's incoming weights (times alpha) with its bias (times beta, 0 without one) appended. */
    private static double[][] incoming(Graph g, Node layer, float[] w, MatrixView view) {
        double alpha = layer.attributes().getFloat("alpha", 1f);
        double beta = layer.attributes().getFloat("beta", 1f);
        float[] bias = new float[view.rows()];
        if (layer.hasInput(2)) {
            Tensor c = dense(g, layer, layer.input(2));
            if (c.size() != view.rows()) {
                throw new IllegalArgumentException(layer.name() + ": bias " + layer.input(2) + " has "
                        + Arrays.toString(c.shape()) + ", not one entry per neuron");
            }
            bias = c.floats();
        }
        double[][] rows = new double[view.rows()][view.cols() + 1];
        for (int r = 0; r < view.rows(); r++) {
            for (int c = 0; c < view.cols(); c++) {
                rows[r][c] = alpha * w[view.flat(r, c)];
            }
            rows[r][view.cols()] = beta * bias[r];
        }
        return rows;
    }

    private static Tensor dense(Graph g, Node layer) {
        return dense(g, layer, layer.input(1));
    }

    private static Tensor dense(Graph g, Node layer, String name) {
        Weight w = g.weights().get(name);
        if (w == null || !(w.representation() instanceof Dense d)) {
            throw new IllegalArgumentException(layer.name() + ": " + name + " is not a dense constant; run "
                    + INFO.name() + " before weight compression");
        }
        return d.tensor();
    }
}
