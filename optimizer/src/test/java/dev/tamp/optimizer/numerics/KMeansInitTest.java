package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The density and random initializations of k-means (Han et al. 2016, section 3.2). */
class KMeansInitTest {
    private static float[] gaussian(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @Test
    void densityStartsAtEquallySpacedQuantiles() {
        // 0..99: the quantile (i + 1/2) / 4 of 100 sorted values is the value at index floor((i + 1/2) * 25).
        float[] x = new float[100];
        for (int i = 0; i < 100; i++) {
            x[99 - i] = i;
        }
        KMeans1D.Clustering c = KMeans1D.cluster(x, 2, 0, KMeans1D.Init.DENSITY, 0);
        assertThat(c.centroids()).containsExactly(12f, 37f, 62f, 87f);
    }

    @Test
    void randomStartsAtDistinctSampledValuesDeterminedByTheSeed() {
        float[] x = gaussian(3, 1000);
        KMeans1D.Clustering a = KMeans1D.cluster(x, 4, 0, KMeans1D.Init.RANDOM, 99);
        KMeans1D.Clustering b = KMeans1D.cluster(x, 4, 0, KMeans1D.Init.RANDOM, 99);
        KMeans1D.Clustering other = KMeans1D.cluster(x, 4, 0, KMeans1D.Init.RANDOM, 100);
        assertThat(a.centroids()).containsExactly(b.centroids()).isNotEqualTo(other.centroids());
        java.util.Set<Float> values = new java.util.HashSet<>();
        for (float v : x) {
            values.add(v);
        }
        java.util.Set<Float> distinct = new java.util.HashSet<>();
        for (float c : a.centroids()) {
            assertThat(values).contains(c);
            distinct.add(c);
        }
        assertThat(distinct).hasSize(16);
        // Fewer values than centroids: drawn with replacement, still values of the input.
        KMeans1D.Clustering few = KMeans1D.cluster(new float[] {1f, 2f}, 3, 5, KMeans1D.Init.RANDOM, 1);
        assertThat(few.error()).isZero();
    }

    @Test
    void everyInitNeverEndsAboveItsStartAndDensityBeatsLinearOnBellShapedWeights() {
        float[] x = gaussian(7, 20_000);
        double[] finals = new double[3];
        for (KMeans1D.Init init : KMeans1D.Init.values()) {
            KMeans1D.Clustering c = KMeans1D.cluster(x, 3, 30, init, 5);
            assertThat(c.error()).isLessThanOrEqualTo(c.errors()[0]);
            finals[init.ordinal()] = c.errors()[0];
        }
        // Before any Lloyd step, quantile centroids sit where the mass is; linear ones waste centroids on the tails.
        assertThat(finals[KMeans1D.Init.DENSITY.ordinal()]).isLessThan(finals[KMeans1D.Init.LINEAR.ordinal()]);
    }
}
