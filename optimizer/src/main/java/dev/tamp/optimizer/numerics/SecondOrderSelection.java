package dev.tamp.optimizer.numerics;

import java.util.Arrays;

/**
 * Picks the weights with the smallest saliency: exactly {@code count} of a layer (ties broken by the lower row-major
 * position), or the {@code of − keep} smallest of every group of {@code of} consecutive weights of a row. Shared by
 * OBD (saliency ½ H_qq w_q²) and the column blocks of OBS.
 */
public final class SecondOrderSelection {
    private SecondOrderSelection() {}

    /**
     * OBD's saliency {@code ½ H_qq w_q²} of every weight (LeCun et al. 1990): the loss increase a second-order
     * expansion with the Hessian's diagonal predicts when w_q alone is zeroed.
     */
    public static double[][] obdSaliency(double[][] w, double[] hessianDiagonal) {
        double[][] s = new double[w.length][];
        for (int r = 0; r < w.length; r++) {
            if (w[r].length != hessianDiagonal.length) {
                throw new IllegalArgumentException("row " + r + " has " + w[r].length + " weights, the Hessian "
                        + hessianDiagonal.length + " inputs");
            }
            s[r] = new double[w[r].length];
            for (int q = 0; q < w[r].length; q++) {
                s[r][q] = 0.5 * hessianDiagonal[q] * w[r][q] * w[r][q];
            }
        }
        return s;
    }

    /** The weights a pattern removes: the smallest saliencies, over the whole matrix or per group of a row. */
    public static boolean[][] smallest(double[][] saliency, PrunePattern pattern) {
        boolean[][] removed = new boolean[saliency.length][saliency.length == 0 ? 0 : saliency[0].length];
        if (pattern instanceof PrunePattern.Unstructured u) {
            mark(saliency, 0, removed[0].length, u.count(), removed);
        } else if (pattern instanceof PrunePattern.KeepNOfM nm) {
            requireGroups(removed[0].length, nm);
            for (int start = 0; start < removed[0].length; start += nm.of()) {
                markInGroups(saliency, start, nm, removed);
            }
        }
        return removed;
    }

    static void requireGroups(int width, PrunePattern.KeepNOfM nm) {
        if (width % nm.of() != 0) {
            throw new IllegalArgumentException("rows of " + width + " inputs do not split into groups of " + nm.of());
        }
    }

    /**
     * Marks the {@code count} smallest saliencies among columns {@code [from, to)} of all rows, ties by row-major
     * position.
     */
    static void mark(double[][] saliency, int from, int to, long count, boolean[][] removed) {
        int width = to - from;
        long total = (long) saliency.length * width;
        if (count < 0 || count > total) {
            throw new IllegalArgumentException("cannot remove " + count + " of " + total + " weights");
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(total + " weights are too many to rank at once");
        }
        Integer[] order = new Integer[(int) total];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(saliency[a / width][from + a % width], saliency[b / width][from + b % width]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int i = 0; i < count; i++) {
            removed[order[i] / width][from + order[i] % width] = true;
        }
    }

    /** In every row, marks the {@code of − keep} smallest saliencies of columns {@code [start, start + of)}. */
    static void markInGroups(double[][] saliency, int start, PrunePattern.KeepNOfM nm, boolean[][] removed) {
        int drop = nm.of() - nm.keep();
        for (int r = 0; r < saliency.length; r++) {
            double[] s = saliency[r];
            boolean[] row = removed[r];
            for (int k = 0; k < drop; k++) {
                int best = -1;
                for (int q = start; q < start + nm.of(); q++) {
                    if (!row[q] && (best < 0 || s[q] < s[best])) {
                        best = q;
                    }
                }
                row[best] = true;
            }
        }
    }
}
