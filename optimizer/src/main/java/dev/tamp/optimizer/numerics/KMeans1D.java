package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Lloyd's k-means on the values of one tensor (weight sharing, Han et al. 2016), with 2^bits centroids initialized
 * linearly over [min, max], at quantiles of the values (density) or at sampled values (random).
 *
 * <p>The values are sorted once; in one dimension every cluster of a nearest-centroid assignment is a run of the
 * sorted values between two midpoints, so an iteration is a binary search per midpoint plus prefix sums, O(k log n).
 * Centroids are float32 (as stored) and the squared error of every iterate is measured with them in double; the
 * result is the iterate of lowest error, so it never has more error than the initialization even where float32
 * rounding of the means would make a Lloyd step worse by a few ulps.
 */
public final class KMeans1D {
    private KMeans1D() {}

    /**
     * The clustering and the squared error (sum over elements, in double) of each iterate: {@code errors[0]} is the
     * initialization's, {@code errors[i]} the one after i Lloyd steps; iteration stops early at a fixed point.
     */
    public record Result(Codebook codebook, double[] errors, double error) {
        public Result {
            errors = errors.clone();
        }

        @Override
        public double[] errors() {
            return errors.clone();
        }
    }

    /** How the centroids start (Han et al. 2016, section 3.2). */
    public enum Init {
        /** Evenly spaced over [min, max]: keeps the rare large weights representable. */
        LINEAR,
        /** At equally spaced quantiles {@code (i + 1/2) / k} of the values' empirical CDF. */
        DENSITY,
        /** {@code k} of the values drawn without replacement (with, when there are fewer than k). */
        RANDOM;

        public static Init named(String word) {
            return valueOf(word.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * A clustering of a list of values: {@code values[i]} is replaced by {@code centroids[indices[i]]}; errors as in
     * {@link Result}.
     */
    public record Clustering(float[] centroids, int[] indices, double[] errors, double error) {
        public Clustering {
            centroids = centroids.clone();
            indices = indices.clone();
            errors = errors.clone();
        }

        @Override
        public float[] centroids() {
            return centroids.clone();
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }

        @Override
        public double[] errors() {
            return errors.clone();
        }
    }

    public static Result cluster(Tensor w, int bits, int iterations) {
        return cluster(w, bits, iterations, Init.LINEAR, 0);
    }

    /** A tensor's codebook; {@code seed} drives the {@link Init#RANDOM} draw only. */
    public static Result cluster(Tensor w, int bits, int iterations, Init init, long seed) {
        Clustering c = cluster(w.floats(), bits, iterations, init, seed);
        return new Result(new Codebook(w.shape(), bits, c.centroids(), c.indices()), c.errors(), c.error());
    }

    /** Clusters a non-empty list of values (e.g. the kept weights of a pruned layer) into 2^bits centroids. */
    public static Clustering cluster(float[] x, int bits, int iterations, Init init, long seed) {
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("k-means needs 1 to 8 bits, got " + bits);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0");
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("k-means needs at least one value");
        }
        double[] sorted = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            sorted[i] = x[i];
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        double[] prefix = new double[n + 1];
        double[] prefixSquares = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + sorted[i];
            prefixSquares[i + 1] = prefixSquares[i] + sorted[i] * sorted[i];
        }
        int k = 1 << bits;
        float[] centroids = initial(sorted, x, k, init, seed);
        double[] errors = new double[iterations + 1];
        int[] bounds = bounds(sorted, centroids);
        errors[0] = error(sorted, centroids, bounds);
        float[] best = centroids.clone();
        double bestError = errors[0];
        int done = 0;
        for (int it = 1; it <= iterations; it++) {
            float[] next = centroids.clone();
            for (int c = 0; c < k; c++) {
                int from = bounds[c];
                int to = bounds[c + 1];
                if (to > from) {
                    // The mean of a run of sorted values lies within it; clamp against rounding of the prefix sums.
                    double mean = (prefix[to] - prefix[from]) / (to - from);
                    next[c] = (float) Math.max(sorted[from], Math.min(sorted[to - 1], mean));
                }
            }
            // Empty clusters keep their centroid, which may then be out of order; midpoints need sorted centroids.
            Arrays.sort(next);
            done = it;
            if (Arrays.equals(next, centroids)) {
                errors[it] = errors[it - 1];
                break;
            }
            centroids = next;
            bounds = bounds(sorted, centroids);
            errors[it] = error(sorted, centroids, bounds);
            if (errors[it] < bestError) {
                bestError = errors[it];
                best = centroids.clone();
            }
        }
        double[] trace = Arrays.copyOf(errors, done + 1);
        int[] indices = new int[x.length];
        double[] mid = midpoints(best);
        for (int i = 0; i < x.length; i++) {
            indices[i] = clusterOf(mid, x[i]);
        }
        return new Clustering(best, indices, trace, bestError);
    }

    /** Sorted initial centroids. */
    private static float[] initial(double[] sorted, float[] x, int k, Init init, long seed) {
        int n = sorted.length;
        float[] c = new float[k];
        switch (init) {
            case LINEAR -> {
                double min = sorted[0];
                double max = sorted[n - 1];
                for (int i = 0; i < k; i++) {
                    c[i] = (float) (min + (max - min) * i / (k - 1));
                }
            }
            case DENSITY -> {
                // The inverse empirical CDF at (i + 1/2) / k: the value with that fraction of the values below it.
                for (int i = 0; i < k; i++) {
                    c[i] = (float) sorted[(int) Math.min(n - 1, (long) ((i + 0.5) * n / k))];
                }
            }
            case RANDOM -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                if (n >= k) {
                    // Partial Fisher-Yates over the positions: k distinct elements, uniformly.
                    int[] order = new int[n];
                    for (int i = 0; i < n; i++) {
                        order[i] = i;
                    }
                    for (int i = 0; i < k; i++) {
                        int j = i + rnd.nextInt(n - i);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                        c[i] = x[order[i]];
                    }
                } else {
                    for (int i = 0; i < k; i++) {
                        c[i] = x[rnd.nextInt(n)];
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        Arrays.sort(c);
        return c;
    }

    /** The squared error of a codebook against the values it replaces, summed in double. */
    public static double squaredError(Tensor original, Codebook codebook) {
        float[] a = original.floats();
        float[] b = codebook.materialize().floats();
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            e += d * d;
        }
        return e;
    }

    private static double[] midpoints(float[] centroids) {
        double[] mid = new double[centroids.length - 1];
        for (int i = 0; i < mid.length; i++) {
            mid[i] = ((double) centroids[i] + centroids[i + 1]) / 2;
        }
        return mid;
    }

    /** The nearest centroid's index; a value exactly on a midpoint goes to the lower one. */
    private static int clusterOf(double[] mid, double v) {
        int lo = 0;
        int hi = mid.length;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (v > mid[m]) {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        return lo;
    }

    /** {@code bounds[c]..bounds[c+1]} is the run of sorted values nearest to centroid c. */
    private static int[] bounds(double[] sorted, float[] centroids) {
        double[] mid = midpoints(centroids);
        int[] bounds = new int[centroids.length + 1];
        for (int c = 0; c < mid.length; c++) {
            bounds[c + 1] = firstAbove(sorted, mid[c]);
        }
        bounds[centroids.length] = sorted.length;
        return bounds;
    }

    private static int firstAbove(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (sorted[m] > v) {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        return lo;
    }

    private static double error(double[] sorted, float[] centroids, int[] bounds) {
        double e = 0;
        for (int c = 0; c < centroids.length; c++) {
            double cc = centroids[c];
            for (int i = bounds[c]; i < bounds[c + 1]; i++) {
                double d = sorted[i] - cc;
                e += d * d;
            }
        }
        return e;
    }
}
