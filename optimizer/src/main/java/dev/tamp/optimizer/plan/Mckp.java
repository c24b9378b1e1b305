package dev.tamp.optimizer.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The multiple-choice knapsack the planner solves: pick exactly one item per group, minimizing the sum of values,
 * with the summed sizes at most a capacity and each summed extra resource (latency, resident bytes) at most its own.
 *
 * <p>Size is handled exactly by dynamic programming over a discretized capacity: sizes are divided by a fixed
 * {@code unit} and rounded <em>up</em>, so a solution the DP accepts always fits the real capacity (with
 * {@code unit} 1, integer sizes, the DP is exact). The extra resources are handled by Lagrangian relaxation: their
 * normalized use, weighted by one multiplier, is added to each item's value, and the multiplier is found by
 * bisection (the smallest one found whose solution satisfies every extra budget). Ties on value go to the smaller
 * size, then to the earlier item, so results are deterministic and a looser size capacity never yields a smaller
 * solution when value does not improve.
 */
public final class Mckp {
    private static final int BISECTIONS = 48;
    private static final int MAX_DOUBLINGS = 60;

    private Mckp() {}

    /** One choice: its value to minimize, its size, and its use of each extra resource. */
    public record Item(double value, long size, double[] extras) {
        public Item {
            extras = extras.clone();
        }
    }

    /** The chosen item index per group, with totals. */
    public record Solution(int[] choice, double value, long size, double[] extras) {
        public Solution {
            choice = choice.clone();
            extras = extras.clone();
        }
    }

    /**
     * The best choice, or empty when none satisfies every constraint (or, for the extra resources, when the
     * Lagrangian search finds none: it may miss a feasible choice in a duality gap, never accept an infeasible one).
     *
     * @param unit the size granularity of the DP (1 for exact); keep it the same across calls that are compared
     */
    public static Optional<Solution> solve(List<List<Item>> groups, long capacity, double[] extraCapacity,
            long unit) {
        if (unit < 1) {
            throw new IllegalArgumentException("unit must be >= 1");
        }
        for (List<Item> g : groups) {
            if (g.isEmpty()) {
                throw new IllegalArgumentException("every group needs at least one item");
            }
        }
        if (capacity < 0) {
            return Optional.empty();
        }
        Optional<Solution> plain = solveWeighted(groups, capacity, extraCapacity, unit, 0);
        if (plain.isEmpty() || fits(plain.get(), extraCapacity)) {
            return plain;
        }
        double hi = 1e-6;
        Optional<Solution> atHi = Optional.empty();
        for (int i = 0; i < MAX_DOUBLINGS; i++) {
            atHi = solveWeighted(groups, capacity, extraCapacity, unit, hi);
            if (atHi.isPresent() && fits(atHi.get(), extraCapacity)) {
                break;
            }
            atHi = Optional.empty();
            hi *= 2;
        }
        if (atHi.isEmpty()) {
            return Optional.empty();
        }
        double lo = hi / 2;
        for (int i = 0; i < BISECTIONS; i++) {
            double mid = (lo + hi) / 2;
            Optional<Solution> s = solveWeighted(groups, capacity, extraCapacity, unit, mid);
            if (s.isPresent() && fits(s.get(), extraCapacity)) {
                hi = mid;
                atHi = s;
            } else {
                lo = mid;
            }
        }
        return atHi;
    }

    private static boolean fits(Solution s, double[] extraCapacity) {
        for (int k = 0; k < extraCapacity.length; k++) {
            if (s.extras()[k] > extraCapacity[k]) {
                return false;
            }
        }
        return true;
    }

    /** The DP over size for values {@code value + lambda * sum(extra_k / capacity_k)}. */
    private static Optional<Solution> solveWeighted(List<List<Item>> groups, long capacity, double[] extraCapacity,
            long unit, double lambda) {
        int buckets = Math.toIntExact(capacity / unit);
        int n = groups.size();
        double[] best = new double[buckets + 1];
        long[] bestSize = new long[buckets + 1];
        int[][] pick = new int[n][buckets + 1];
        double[] next = new double[buckets + 1];
        long[] nextSize = new long[buckets + 1];
        for (int g = 0; g < n; g++) {
            List<Item> items = groups.get(g);
            Arrays.fill(next, Double.POSITIVE_INFINITY);
            Arrays.fill(nextSize, Long.MAX_VALUE);
            Arrays.fill(pick[g], -1);
            for (int c = 0; c <= buckets; c++) {
                for (int j = 0; j < items.size(); j++) {
                    Item item = items.get(j);
                    long w = ceilDiv(item.size(), unit);
                    if (w > c || (g > 0 && best[(int) (c - w)] == Double.POSITIVE_INFINITY)) {
                        continue;
                    }
                    double v = (g == 0 ? 0 : best[(int) (c - w)]) + weighted(item, extraCapacity, lambda);
                    long size = (g == 0 ? 0 : bestSize[(int) (c - w)]) + item.size();
                    if (v < next[c] || (v == next[c] && size < nextSize[c])) {
                        next[c] = v;
                        nextSize[c] = size;
                        pick[g][c] = j;
                    }
                }
            }
            System.arraycopy(next, 0, best, 0, buckets + 1);
            System.arraycopy(nextSize, 0, bestSize, 0, buckets + 1);
        }
        if (n == 0) {
            return Optional.of(new Solution(new int[0], 0, 0, new double[extraCapacity.length]));
        }
        if (best[buckets] == Double.POSITIVE_INFINITY) {
            return Optional.empty();
        }
        int[] choice = new int[n];
        int c = buckets;
        for (int g = n - 1; g >= 0; g--) {
            choice[g] = pick[g][c];
            c -= (int) ceilDiv(groups.get(g).get(choice[g]).size(), unit);
        }
        return Optional.of(totals(groups, choice, extraCapacity.length));
    }

    private static double weighted(Item item, double[] extraCapacity, double lambda) {
        double v = item.value();
        if (lambda > 0) {
            for (int k = 0; k < extraCapacity.length; k++) {
                v += lambda * item.extras()[k] / Math.max(extraCapacity[k], Double.MIN_NORMAL);
            }
        }
        return v;
    }

    /** The totals of a given choice. */
    public static Solution totals(List<List<Item>> groups, int[] choice, int extras) {
        double value = 0;
        long size = 0;
        double[] e = new double[extras];
        for (int g = 0; g < groups.size(); g++) {
            Item item = groups.get(g).get(choice[g]);
            value += item.value();
            size += item.size();
            for (int k = 0; k < extras; k++) {
                e[k] += item.extras()[k];
            }
        }
        return new Solution(choice, value, size, e);
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }
}
