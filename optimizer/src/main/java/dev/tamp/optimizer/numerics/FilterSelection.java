package dev.tamp.optimizer.numerics;

import java.util.Arrays;

/**
 * Chooses whole filters (output channels) or neurons to remove by the L1 norm of their weights (Li et al. 2017,
 * "Pruning Filters for Efficient ConvNets").
 */
public final class FilterSelection {
    private FilterSelection() {}

    /** The L1 norm of each row (output) of a weight's matrix view. */
    public static double[] l1Norms(float[] w, MatrixView view) {
        double[] norms = new double[view.rows()];
        for (int r = 0; r < view.rows(); r++) {
            double sum = 0;
            for (int c = 0; c < view.cols(); c++) {
                sum += Math.abs(w[view.flat(r, c)]);
            }
            norms[r] = sum;
        }
        return norms;
    }

    /**
     * How many of {@code n} filters a sparsity removes: {@code round(sparsity * n)}, but at least one filter is always
     * kept, since a layer without outputs would disconnect the network.
     */
    public static int removedCount(double sparsity, int n) {
        return (int) Math.min(MagnitudeSelection.prunedCount(sparsity, n), n - 1L);
    }

    /** The indices kept after removing the {@code removed} lowest scores (ties: the lower index goes), ascending. */
    public static int[] kept(double[] scores, int removed) {
        if (removed < 0 || removed >= scores.length) {
            throw new IllegalArgumentException("cannot remove " + removed + " of " + scores.length + " filters");
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byScore = Double.compare(scores[a], scores[b]);
            return byScore != 0 ? byScore : Integer.compare(a, b);
        });
        int[] kept = new int[scores.length - removed];
        for (int i = removed; i < order.length; i++) {
            kept[i - removed] = order[i];
        }
        Arrays.sort(kept);
        return kept;
    }
}
