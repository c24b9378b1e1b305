package dev.tamp.optimizer.numerics;

import java.util.Arrays;
import java.util.List;

/**
 * Chooses the weights structured magnitude pruning removes, on the {@link MatrixView} of each layer (rows = outputs).
 *
 * <p><b>N:M</b>: along each row, every group of M consecutive columns keeps its N largest |w| (ties: the lower
 * column). A row whose length is not a multiple of M ends in a short group of L &lt; M weights, treated as a full group
 * padded with zeros (as sparse tensor cores would see it): it keeps its min(N, L) largest.
 *
 * <p><b>Blocks</b> {@code bh x bw}: the matrix is tiled from its top-left corner; the last block row and column may be
 * shorter. Blocks are ranked by their root-mean-square weight (the L2 norm divided by the square root of the block's
 * size: the same order as the L2 norm for full blocks, and it does not single out the smaller edge blocks just for
 * being small), ties by layer then position, and the lowest ranked are removed until at least the target count of
 * weights is gone; the overshoot is less than one block.
 */
public final class StructuredSelection {
    private StructuredSelection() {}

    /** Which flat elements N:M removes. */
    public static boolean[] nOfM(float[] w, MatrixView view, int n, int m) {
        if (n < 1 || n > m) {
            throw new IllegalArgumentException("N:M needs 1 <= N <= M, got " + n + ":" + m);
        }
        boolean[] removed = new boolean[w.length];
        Integer[] order = new Integer[m];
        for (int r = 0; r < view.rows(); r++) {
            for (int c0 = 0; c0 < view.cols(); c0 += m) {
                int length = Math.min(m, view.cols() - c0);
                for (int k = 0; k < length; k++) {
                    order[k] = k;
                }
                final int row = r;
                final int start = c0;
                // Largest |w| first, then the lower column: sorting boxed indices of at most 64 is cheap enough.
                Arrays.sort(order, 0, length, (a, b) -> {
                    int byMagnitude = Float.compare(Math.abs(w[view.flat(row, start + b)]),
                            Math.abs(w[view.flat(row, start + a)]));
                    return byMagnitude != 0 ? byMagnitude : Integer.compare(a, b);
                });
                for (int k = Math.min(n, length); k < length; k++) {
                    removed[view.flat(r, c0 + order[k])] = true;
                }
            }
        }
        return removed;
    }

    /** A tile of a layer's matrix view: rows [r0, r1), columns [c0, c1). */
    public record Block(int layer, int r0, int r1, int c0, int c1, double meanSquare) {
        public int size() {
            return (r1 - r0) * (c1 - c0);
        }
    }

    /** The blocks of one layer, in row-major tile order. */
    public static List<Block> blocks(int layer, float[] w, MatrixView view, int bh, int bw) {
        if (bh < 1 || bw < 1) {
            throw new IllegalArgumentException("block dims must be positive, got " + bh + "x" + bw);
        }
        java.util.ArrayList<Block> blocks = new java.util.ArrayList<>();
        for (int r0 = 0; r0 < view.rows(); r0 += bh) {
            int r1 = Math.min(view.rows(), r0 + bh);
            for (int c0 = 0; c0 < view.cols(); c0 += bw) {
                int c1 = Math.min(view.cols(), c0 + bw);
                double sum = 0;
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        double v = w[view.flat(r, c)];
                        sum += v * v;
                    }
                }
                blocks.add(new Block(layer, r0, r1, c0, c1, sum / ((r1 - r0) * (c1 - c0))));
            }
        }
        return blocks;
    }

    /**
     * For each layer, which flat elements block pruning removes so that at least {@code count} weights go in total
     * (fewer blocks cannot reach it).
     */
    public static boolean[][] smallestBlocks(List<float[]> weights, List<MatrixView> views, int bh, int bw,
            long count) {
        java.util.ArrayList<Block> all = new java.util.ArrayList<>();
        long total = 0;
        for (int i = 0; i < weights.size(); i++) {
            all.addAll(blocks(i, weights.get(i), views.get(i), bh, bw));
            total += views.get(i).size();
        }
        if (count < 0 || count > total) {
            throw new IllegalArgumentException("cannot remove " + count + " of " + total + " weights");
        }
        // The list is in (layer, position) order already and the sort is stable, so ties keep that order.
        all.sort((a, b) -> Double.compare(a.meanSquare(), b.meanSquare()));
        boolean[][] removed = new boolean[weights.size()][];
        for (int i = 0; i < weights.size(); i++) {
            removed[i] = new boolean[weights.get(i).length];
        }
        long gone = 0;
        for (int k = 0; gone < count; k++) {
            Block b = all.get(k);
            MatrixView view = views.get(b.layer());
            for (int r = b.r0(); r < b.r1(); r++) {
                for (int c = b.c0(); c < b.c1(); c++) {
                    removed[b.layer()][view.flat(r, c)] = true;
                }
            }
            gone += b.size();
        }
        return removed;
    }
}
