package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.MagnitudeSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Removes the smallest-magnitude weights, one-shot ({@code prune method=magnitude}): with {@code scope=layer} each
 * layer loses exactly {@code round(sparsity * n)} of its n weights; with {@code scope=global} the selected layers
 * that share a sparsity lose that fraction of their weights together, below one threshold. Pruned weights become
 * {@code Sparse}.
 */
public final class PruneMagnitudePass implements Pass {
    private static final PassInfo INFO = new PassInfo("prune-magnitude",
            "Remove the smallest |w| per layer or below one threshold across layers; store the rest as Sparse.",
            PassKind.PRUNE, "magnitude", List.of("sparsity", "scope", "pattern", "schedule"),
            List.of("layers-pruned", "layers-skipped", "weights-removed", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        List<WeightTargets.Target> layerScope = new ArrayList<>();
        Map<Double, List<WeightTargets.Target>> globalScope = new TreeMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            String name = t.node().name();
            if (t.settings().isAuto("sparsity")) {
                throw new IllegalArgumentException(name + ": sparsity is auto; the planner chooses it first");
            }
            if (!(t.settings().get("pattern").orElse(null) instanceof Setting.Word w
                    && w.word().equals("unstructured"))) {
                throw new IllegalArgumentException(name + ": only unstructured magnitude pruning is implemented");
            }
            if (!t.settings().word("schedule").equals("oneshot")) {
                // A gradual or iterative schedule is the fine-tuning loop calling this pass at rising sparsity; the
                // pass itself always prunes in one step.
                throw new IllegalArgumentException(name + ": schedule '" + t.settings().word("schedule")
                        + "' is run by the fine-tuning driver, not by this one-step pass");
            }
            if (t.settings().word("scope").equals("global")) {
                globalScope.computeIfAbsent(t.settings().number("sparsity"), s -> new ArrayList<>()).add(t);
            } else {
                layerScope.add(t);
            }
        }
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : layerScope) {
            prune(List.of(t), t.settings().number("sparsity"), replaced, context);
        }
        globalScope.forEach((sparsity, group) -> prune(group, sparsity, replaced, context));
        return WeightTargets.replace(model, replaced);
    }

    private static void prune(List<WeightTargets.Target> group, double sparsity, Map<String, Weight> replaced,
            PassContext context) {
        List<Tensor> tensors = group.stream().map(WeightTargets.Target::tensor).toList();
        long total = tensors.stream().mapToLong(Tensor::size).sum();
        long count = MagnitudeSelection.prunedCount(sparsity, total);
        boolean[][] removed = MagnitudeSelection.smallest(tensors, count);
        for (int i = 0; i < group.size(); i++) {
            WeightTargets.Target t = group.get(i);
            Sparse s = MagnitudeSelection.prune(t.tensor(), removed[i]);
            replaced.put(t.weightName(), new Weight(t.weightName(), s));
            context.count("layers-pruned", 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", s.storedBytes());
        }
        context.count("weights-removed", count);
    }
}
