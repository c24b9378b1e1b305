package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.FilterSelection;
import dev.tamp.optimizer.numerics.MatrixView;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes whole filters by L1 norm ({@code prune method=l1-filter}, Li et al. 2017): each selected Conv (or Gemm)
 * loses {@code round(sparsity * outputs)} of its output channels, the smallest sum of |w| (at least one channel is
 * always kept), together with their bias, and every reader is narrowed to match ({@link ChannelPruning}): the next
 * Conv's input channels, a Gemm's columns (after Flatten, one per channel and spatial position), BatchNorm entries;
 * activations and pooling pass through. Layers whose channels meet at a residual Add are pruned together, the same
 * channels from each, ranked by the sum of their filters' L1 norms; all of them must be selected with one sparsity,
 * otherwise the pass refuses and names the Add.
 */
public final class PruneFilterPass implements Pass {
    private static final PassInfo INFO = new PassInfo("prune-l1-filter",
            "Remove the output filters with the smallest L1 norm and narrow every layer that reads them.",
            PassKind.PRUNE, "l1-filter", List.of("sparsity", "schedule"),
            List.of("layers-pruned", "layers-skipped", "filters-removed", "readers-narrowed", "bytes-before",
                    "bytes-after"), PassInfo.Effect.GRAPH);

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Graph g = model.graph();
        List<WeightTargets.Target> targets = WeightTargets.select(model, context, INFO);
        Map<String, WeightTargets.Target> selected = new LinkedHashMap<>();
        for (WeightTargets.Target t : targets) {
            StructuralChecks.oneShotWithSparsity(t, INFO.name());
            selected.put(t.node().name(), t);
        }
        Map<ChannelPruning.Component, int[]> plans = new LinkedHashMap<>();
        Set<String> done = new HashSet<>();
        for (WeightTargets.Target t : targets) {
            if (done.contains(t.node().name())) {
                continue;
            }
            ChannelPruning.Component component = ChannelPruning.trace(g, t.node());
            double sparsity = t.settings().number("sparsity");
            List<String> names = component.producers().stream().map(Node::name).toList();
            for (Node p : component.producers()) {
                WeightTargets.Target other = selected.get(p.name());
                if (other == null || other.settings().number("sparsity") != sparsity) {
                    throw new IllegalArgumentException(t.node().name() + ": its filters meet those of " + names
                            + " at " + component.joins().stream().map(Node::name).toList() + "; "
                            + (other == null ? p.name() + " is not selected" : p.name() + " asks for another sparsity")
                            + ". Select all of them for l1-filter with one sparsity to prune the same channels from "
                            + "each, or none");
                }
                done.add(p.name());
            }
            double[] scores = new double[component.channels()];
            for (Node p : component.producers()) {
                MatrixView view = ChannelPruning.view(g, p);
                double[] norms = FilterSelection.l1Norms(selected.get(p.name()).tensor().floats(), view);
                for (int c = 0; c < scores.length; c++) {
                    scores[c] += norms[c];
                }
            }
            int removed = FilterSelection.removedCount(sparsity, component.channels());
            plans.put(component, FilterSelection.kept(scores, removed));
            context.count("layers-pruned", component.producers().size());
            context.count("filters-removed", (long) removed * component.producers().size());
            context.count("readers-narrowed", component.consumers().size());
        }
        if (plans.isEmpty()) {
            return model;
        }
        Model out = ChannelPruning.shrink(model, plans, Map.of());
        context.count("bytes-before", storedBytes(model));
        context.count("bytes-after", storedBytes(out));
        return out;
    }

    static long storedBytes(Model model) {
        return model.graph().weights().values().stream().map(Weight::representation)
                .mapToLong(r -> r.storedBytes()).sum();
    }
}
