package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.PropertyCases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** N:M and block selection as properties over arbitrary matrices, short groups and edge blocks included. */
class StructuredSelectionProperties {
    @TestFactory
    Stream<DynamicTest> nOfMKeepsExactlyTheNLargestOfEveryGroup() {
        record Params(float[] values, int rows, int n, int m, boolean rowsFirst) {}
        return PropertyCases.forAll(20261126, 300,
                g -> new Params(g.floats("values", 1, 240, -3, 3), g.ints("rows", 1, 8), g.ints("n", 1, 8),
                        g.ints("m", 1, 8), g.booleans("rowsFirst")),
                c -> nOfMKeepsExactlyTheNLargestOfEveryGroup(c.values(), c.rows(), c.n(), c.m(), c.rowsFirst()));
    }

    void nOfMKeepsExactlyTheNLargestOfEveryGroup(float[] values, int rows, int n, int m, boolean rowsFirst) {
        n = Math.min(n, m);
        int cols = Math.max(1, values.length / rows);
        float[] w = java.util.Arrays.copyOf(values, rows * cols);
        MatrixView view = new MatrixView(rows, cols, rowsFirst);
        boolean[] removed = StructuredSelection.nOfM(w, view, n, m);
        for (int r = 0; r < rows; r++) {
            for (int c0 = 0; c0 < cols; c0 += m) {
                int length = Math.min(m, cols - c0);
                int kept = 0;
                float smallestKept = Float.POSITIVE_INFINITY;
                float largestRemoved = 0;
                for (int c = c0; c < c0 + length; c++) {
                    float a = Math.abs(w[view.flat(r, c)]);
                    if (removed[view.flat(r, c)]) {
                        largestRemoved = Math.max(largestRemoved, a);
                    } else {
                        kept++;
                        smallestKept = Math.min(smallestKept, a);
                    }
                }
                assertThat(kept).isEqualTo(Math.min(n, length));
                assertThat(largestRemoved).isLessThanOrEqualTo(smallestKept);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> blockPruningRemovesTheLowestRmsBlocksAndNoMoreThanNeeded() {
        record Params(float[] values, int rows, int bh, int bw, int percent) {}
        return PropertyCases.forAll(20261127, 200,
                g -> new Params(g.floats("values", 1, 300, -3, 3), g.ints("rows", 1, 12), g.ints("bh", 1, 5),
                        g.ints("bw", 1, 5), g.ints("percent", 0, 100)),
                c -> blockPruningRemovesTheLowestRmsBlocksAndNoMoreThanNeeded(c.values(), c.rows(), c.bh(), c.bw(),
                        c.percent()));
    }

    void blockPruningRemovesTheLowestRmsBlocksAndNoMoreThanNeeded(float[] values, int rows, int bh, int bw,
            int percent) {
        int cols = Math.max(1, values.length / rows);
        float[] w = java.util.Arrays.copyOf(values, rows * cols);
        MatrixView view = new MatrixView(rows, cols, true);
        long count = MagnitudeSelection.prunedCount(percent / 100.0, w.length);
        boolean[] removed = StructuredSelection.smallestBlocks(List.of(w), List.of(view), bh, bw, count)[0];
        long gone = 0;
        double worstRemoved = Double.NEGATIVE_INFINITY;
        double bestKept = Double.POSITIVE_INFINITY;
        int smallestRemovedBlock = Integer.MAX_VALUE;
        for (StructuredSelection.Block b : StructuredSelection.blocks(0, w, view, bh, bw)) {
            boolean first = removed[view.flat(b.r0(), b.c0())];
            for (int r = b.r0(); r < b.r1(); r++) {
                for (int c = b.c0(); c < b.c1(); c++) {
                    assertThat(removed[view.flat(r, c)]).as("blocks go whole").isEqualTo(first);
                }
            }
            if (first) {
                gone += b.size();
                worstRemoved = Math.max(worstRemoved, b.meanSquare());
                smallestRemovedBlock = Math.min(smallestRemovedBlock, b.size());
            } else {
                bestKept = Math.min(bestKept, b.meanSquare());
            }
        }
        assertThat(worstRemoved).isLessThanOrEqualTo(bestKept);
        assertThat(gone).isGreaterThanOrEqualTo(count);
        if (gone > 0) {
            // The last block removed was needed: without the one with the highest RMS the count was not reached.
            assertThat(gone - bh * bw).isLessThan(count);
        }
    }
}
