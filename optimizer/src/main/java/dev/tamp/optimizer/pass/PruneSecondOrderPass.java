package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.MagnitudeSelection;
import dev.tamp.optimizer.numerics.ObsPruning;
import dev.tamp.optimizer.numerics.PrunePattern;
import dev.tamp.optimizer.numerics.SecondOrderSelection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Second-order pruning calibrated on training images ({@code prune method=obd} and {@code method=obs}), with the
 * layer-wise Hessian {@code H = (2/n) Σ x xᵀ} of each layer's squared reconstruction error over its input vectors x
 * (a Gemm's input rows, a Conv's im2col patches; see {@link LayerHessians}). OBD removes the weights of smallest
 * saliency {@code ½ H_qq w_q²} and leaves the rest alone; OBS removes weights by {@code w_q² / [H⁻¹]_qq} and moves
 * the remaining weights of the row to compensate ({@link ObsPruning}). Both remove exactly
 * {@code round(sparsity · n)} weights of each layer, or keep N of every M consecutive inputs of a row with
 * {@code pattern N:M}; the result is stored as {@code Sparse}.
 */
public final class PruneSecondOrderPass implements Pass {
    private static final List<String> OPTIONS = List.of("sparsity", "pattern", "samples");
    private static final List<String> STATISTICS = List.of("layers-pruned", "layers-skipped", "weights-removed",
            "calibration-vectors", "bytes-before", "bytes-after");

    static final PruneSecondOrderPass OBD = new PruneSecondOrderPass(new PassInfo("prune-obd",
            "Remove the weights of smallest ½ H_qq w_q² (OBD, layer-wise Hessian from training images); store Sparse.",
            PassKind.PRUNE, "obd", OPTIONS, STATISTICS), false);
    static final PruneSecondOrderPass OBS = new PruneSecondOrderPass(new PassInfo("prune-obs",
            "Remove weights by w_q² / [H⁻¹]_qq and update the rest (layer-wise OBS, SparseGPT order); store Sparse.",
            PassKind.PRUNE, "obs", OPTIONS, STATISTICS), true);

    private final PassInfo info;
    private final boolean surgeon;

    private PruneSecondOrderPass(PassInfo info, boolean surgeon) {
        this.info = info;
        this.surgeon = surgeon;
    }

    @Override
    public PassInfo info() {
        return info;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        List<WeightTargets.Target> targets = WeightTargets.select(model, context, info);
        if (targets.isEmpty()) {
            return model;
        }
        List<PrunePattern> patterns = new ArrayList<>();
        List<LayerHessians.Layer> layers = new ArrayList<>();
        for (WeightTargets.Target t : targets) {
            LayerHessians.Layer layer = LayerHessians.layer(model.graph(), t,
                    (int) t.settings().number("samples"));
            patterns.add(pattern(t, layer));
            layers.add(layer);
        }
        LayerHessians.Calibration calibration = LayerHessians.calibrate(model.graph(), layers, info.name(), context);
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            WeightTargets.Target t = targets.get(i);
            LayerHessians.Layer layer = layers.get(i);
            double[][] w = layer.rows(t.tensor());
            boolean[][] removed = new boolean[w.length][];
            List<double[][]> hessians = calibration.hessians(i);
            if (surgeon) {
                obs(w, removed, hessians, patterns.get(i), layer);
            } else {
                obd(w, removed, hessians, patterns.get(i), layer);
            }
            Tensor updated = layer.tensor(w, t.tensor().shape());
            boolean[] flat = layer.flatMask(removed);
            Sparse s = MagnitudeSelection.prune(updated, flat);
            replaced.put(t.weightName(), new Weight(t.weightName(), s));
            context.count("layers-pruned", 1);
            context.count("weights-removed", t.tensor().size() - s.positions().length);
            context.count("calibration-vectors", calibration.vectors(i));
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", s.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    /** OBS per group of output rows (one Hessian each), the layer's count shared by position. */
    private static void obs(double[][] w, boolean[][] removed, List<double[][]> hessians, PrunePattern pattern,
            LayerHessians.Layer layer) {
        int groupRows = w.length / hessians.size();
        long total = (long) w.length * layer.inputs();
        for (int g = 0; g < hessians.size(); g++) {
            double[][] rows = java.util.Arrays.copyOfRange(w, g * groupRows, (g + 1) * groupRows);
            PrunePattern p = pattern;
            if (pattern instanceof PrunePattern.Unstructured u) {
                long perRow = layer.inputs();
                p = new PrunePattern.Unstructured(share(u.count(), g * groupRows * perRow,
                        (g + 1) * groupRows * perRow, total));
            }
            ObsPruning.Result r = ObsPruning.prune(rows, hessians.get(g), p, ObsPruning.DAMPING);
            for (int k = 0; k < groupRows; k++) {
                w[g * groupRows + k] = r.weights()[k];
                removed[g * groupRows + k] = r.removed()[k];
            }
        }
    }

    /** OBD over the whole layer: saliency ½ H_qq w_q² with each group's own diagonal; the weights stay as they are. */
    private static void obd(double[][] w, boolean[][] removed, List<double[][]> hessians, PrunePattern pattern,
            LayerHessians.Layer layer) {
        int groupRows = w.length / hessians.size();
        double[][] saliency = new double[w.length][];
        for (int g = 0; g < hessians.size(); g++) {
            double[][] h = hessians.get(g);
            double[] diagonal = new double[h.length];
            for (int q = 0; q < h.length; q++) {
                diagonal[q] = h[q][q];
            }
            double[][] s = SecondOrderSelection.obdSaliency(
                    java.util.Arrays.copyOfRange(w, g * groupRows, (g + 1) * groupRows), diagonal);
            System.arraycopy(s, 0, saliency, g * groupRows, groupRows);
        }
        boolean[][] chosen = SecondOrderSelection.smallest(saliency, pattern);
        System.arraycopy(chosen, 0, removed, 0, w.length);
        for (int r = 0; r < w.length; r++) {
            for (int q = 0; q < w[r].length; q++) {
                if (removed[r][q]) {
                    w[r][q] = 0;
                }
            }
        }
    }

    /** The pattern a layer's options ask for, refused with the layer's name when it cannot be honoured. */
    private PrunePattern pattern(WeightTargets.Target t, LayerHessians.Layer layer) {
        String name = t.node().name();
        Settings s = t.settings();
        Setting pattern = s.get("pattern").orElseThrow();
        long n = t.tensor().size();
        if (pattern instanceof Setting.Word w && w.word().equals("unstructured")) {
            if (s.isAuto("sparsity")) {
                throw new IllegalArgumentException(name + ": sparsity is auto; the planner chooses it first");
            }
            return new PrunePattern.Unstructured(MagnitudeSelection.prunedCount(s.number("sparsity"), n));
        }
        if (pattern instanceof Setting.Ratio r) {
            if (r.n() < 1 || r.n() > r.m()) {
                throw new IllegalArgumentException(name + ": pattern " + r.n() + ":" + r.m()
                        + " must keep between 1 and " + r.m() + " of every " + r.m() + " weights");
            }
            if (layer.inputs() % r.m() != 0) {
                throw new IllegalArgumentException(name + ": pattern " + r.n() + ":" + r.m() + " needs rows whose "
                        + layer.inputs() + " inputs split into groups of " + r.m());
            }
            double implied = (double) (r.m() - r.n()) / r.m();
            if (!s.isAuto("sparsity") && Math.abs(s.number("sparsity") - implied) > 1e-9) {
                throw new IllegalArgumentException(name + ": pattern " + r.n() + ":" + r.m() + " removes "
                        + implied + " of the weights, but sparsity asks for " + s.number("sparsity"));
            }
            return new PrunePattern.KeepNOfM(r.n(), r.m());
        }
        throw new IllegalArgumentException(name + ": " + info.name() + " implements the unstructured and N:M "
                + "patterns, not " + describe(pattern) + " (block pruning is magnitude pruning's)");
    }

    private static String describe(Setting s) {
        if (s instanceof Setting.Shape shape) {
            return shape.dims().get(0) + "x" + shape.dims().get(1) + " blocks";
        }
        return s instanceof Setting.Word w ? w.word() : s.toString();
    }

    private static long share(long count, long from, long to, long total) {
        return Math.floorDiv(2 * count * to + total, 2 * total) - Math.floorDiv(2 * count * from + total, 2 * total);
    }
}
