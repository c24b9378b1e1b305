package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.MagnitudeSelection;
import dev.tamp.optimizer.numerics.MatrixView;
import dev.tamp.optimizer.numerics.StructuredSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Removes the smallest-magnitude weights, one-shot ({@code prune method=magnitude}): with {@code scope=layer} each
 * layer loses exactly {@code round(sparsity * n)} of its n weights; with {@code scope=global} the selected layers
 * that share a sparsity lose that fraction of their weights together, below one threshold. Pruned weights become
 * {@code Sparse}. Patterns ({@link StructuredSelection}): {@code unstructured}; {@code N:M}, N of every M consecutive
 * weights along each output's inputs kept (per layer only); blocks {@code bh x bw} of the output-by-input matrix
 * removed whole by smallest RMS until the sparsity is reached (per layer or across layers like unstructured).
 */
public final class PruneMagnitudePass implements Pass {
    private static final PassInfo INFO = new PassInfo("prune-magnitude",
            "Remove the smallest |w| (or N of every M, or whole blocks) per layer or across layers; store the rest as Sparse.",
            PassKind.PRUNE, "magnitude", List.of("sparsity", "scope", "pattern", "schedule"),
            List.of("layers-pruned", "layers-skipped", "weights-removed", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        List<WeightTargets.Target> layerScope = new ArrayList<>();
        Map<String, List<WeightTargets.Target>> globalScope = new TreeMap<>();
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            String name = t.node().name();
            if (!t.settings().word("schedule").equals("oneshot")) {
                // A gradual or iterative schedule is the fine-tuning loop calling this pass at rising sparsity; the
                // pass itself always prunes in one step.
                throw new IllegalArgumentException(name + ": schedule '" + t.settings().word("schedule")
                        + "' is run by the fine-tuning driver, not by this one-step pass");
            }
            Setting pattern = t.settings().get("pattern").orElse(null);
            boolean global = t.settings().word("scope").equals("global");
            if (pattern instanceof Setting.Ratio ratio) {
                pruneNofM(t, ratio, global, replaced, context);
                continue;
            }
            if (t.settings().isAuto("sparsity")) {
                throw new IllegalArgumentException(name + ": sparsity is auto; the planner chooses it first");
            }
            String key;
            if (pattern instanceof Setting.Shape shape) {
                if (shape.dims().size() != 2) {
                    throw new IllegalArgumentException(name + ": a block pattern has two dims (rows x columns), got "
                            + shape.dims());
                }
                key = shape.dims().get(0) + "x" + shape.dims().get(1);
            } else if (pattern instanceof Setting.Word w && w.word().equals("unstructured")) {
                key = "unstructured";
            } else {
                throw new IllegalArgumentException(name + ": unknown pruning pattern " + pattern);
            }
            if (global) {
                // One ranking per (pattern, sparsity): layers asking for different ones cannot share a threshold.
                globalScope.computeIfAbsent(key + "@" + t.settings().number("sparsity"), k -> new ArrayList<>())
                        .add(t);
            } else {
                layerScope.add(t);
            }
        }
        for (WeightTargets.Target t : layerScope) {
            prune(List.of(t), t.settings().number("sparsity"), replaced, context);
        }
        globalScope.values().forEach(group -> prune(group, group.get(0).settings().number("sparsity"), replaced,
                context));
        return WeightTargets.replace(model, replaced);
    }

    /**
     * N:M keeps N of every M weights along each output's reduction axis; the sparsity follows (1 - N/M, less in a
     * row ending in a short group), so an explicit sparsity must agree with it. Each group is its own budget: there
     * is nothing for one threshold across layers to decide, so {@code scope=global} is refused rather than ignored.
     */
    private static void pruneNofM(WeightTargets.Target t, Setting.Ratio ratio, boolean global,
            Map<String, Weight> replaced, PassContext context) {
        String name = t.node().name();
        int n = ratio.n();
        int m = ratio.m();
        if (n < 1 || n > m) {
            throw new IllegalArgumentException(name + ": pattern " + n + ":" + m + " must keep 1 to M of every M");
        }
        double implied = 1 - (double) n / m;
        if (!t.settings().isAuto("sparsity") && Math.abs(t.settings().number("sparsity") - implied) > 1e-9) {
            throw new IllegalArgumentException(name + ": pattern " + n + ":" + m + " removes " + 100 * implied
                    + " % of the weights, but sparsity asks for " + 100 * t.settings().number("sparsity")
                    + " %; leave sparsity out or make them agree");
        }
        if (global) {
            throw new IllegalArgumentException(name + ": scope global has no meaning for an " + n + ":" + m
                    + " pattern (every group of " + m + " keeps " + n + " whatever the other layers hold); use scope"
                    + " layer");
        }
        boolean[] removed = StructuredSelection.nOfM(t.tensor().floats(), MatrixView.of(t.tensor().shape(),
                t.outputAxis()), n, m);
        record(t, removed, replaced, context);
    }

    private static void prune(List<WeightTargets.Target> group, double sparsity, Map<String, Weight> replaced,
            PassContext context) {
        List<Tensor> tensors = group.stream().map(WeightTargets.Target::tensor).toList();
        long total = tensors.stream().mapToLong(Tensor::size).sum();
        long count = MagnitudeSelection.prunedCount(sparsity, total);
        boolean[][] removed;
        if (group.get(0).settings().get("pattern").orElseThrow() instanceof Setting.Shape shape) {
            removed = StructuredSelection.smallestBlocks(tensors.stream().map(Tensor::floats).toList(),
                    group.stream().map(t -> MatrixView.of(t.tensor().shape(), t.outputAxis())).toList(),
                    shape.dims().get(0), shape.dims().get(1), count);
        } else {
            removed = MagnitudeSelection.smallest(tensors, count);
        }
        for (int i = 0; i < group.size(); i++) {
            record(group.get(i), removed[i], replaced, context);
        }
    }

    private static void record(WeightTargets.Target t, boolean[] removed, Map<String, Weight> replaced,
            PassContext context) {
        Sparse s = MagnitudeSelection.prune(t.tensor(), removed);
        replaced.put(t.weightName(), new Weight(t.weightName(), s));
        context.count("layers-pruned", 1);
        context.count("bytes-before", 4L * t.tensor().size());
        context.count("bytes-after", s.storedBytes());
        context.count("weights-removed", t.tensor().size() - s.positions().length);
    }
}
