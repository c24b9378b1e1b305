package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.Hashed;

/**
 * The least-squares bucket values of a hashed weight (HashedNets, Chen et al. 2015): element {@code k} reads
 * {@code xi(k) * b[h(k)]} with {@link Hashed}'s bucket and sign hashes. The error {@code sum_k (w_k - xi(k)
 * b[h(k)])^2} splits by bucket, and since {@code xi(k)^2 = 1} each term {@code sum_{k in j} (xi(k) w_k - b_j)^2} is
 * minimized by the mean of {@code xi(k) w_k} over the bucket. An empty bucket gets 0 (any value is optimal).
 */
public final class HashProjection {
    private HashProjection() {}

    /** The hashed representation of a weight with the fitted buckets. */
    public static Hashed fit(int[] dims, float[] w, long seed, boolean signHash, int buckets) {
        Hashed shape = new Hashed(dims, seed, signHash, new float[buckets]);
        double[] sum = new double[buckets];
        int[] count = new int[buckets];
        for (int k = 0; k < w.length; k++) {
            int j = shape.bucket(k);
            sum[j] += shape.sign(k) * w[k];
            count[j]++;
        }
        float[] table = new float[buckets];
        for (int j = 0; j < buckets; j++) {
            table[j] = count[j] == 0 ? 0f : (float) (sum[j] / count[j]);
        }
        return new Hashed(dims, seed, signHash, table);
    }

    /** The number of buckets no element hashes to. */
    public static int emptyBuckets(Hashed h, int elements) {
        boolean[] hit = new boolean[h.buckets().length];
        int empty = hit.length;
        for (int k = 0; k < elements; k++) {
            int j = h.bucket(k);
            if (!hit[j]) {
                hit[j] = true;
                empty--;
            }
        }
        return empty;
    }
}
