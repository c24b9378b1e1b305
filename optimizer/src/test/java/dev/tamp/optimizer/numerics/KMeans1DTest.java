package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.RandomTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of 1-D k-means over random and awkward tensors and every bit width.
 *
 * <p>Lloyd's steps cannot raise the squared error in real arithmetic; here centroids are rounded to float32, which can
 * raise it by a relative amount of order 2^-24 per step, so the trace is checked with a relative slack of 1e-6. The
 * returned clustering is the best iterate, so its error is at most the initialization's with no slack at all.
 */
class KMeans1DTest {
    private static final double LLOYD_SLACK = 1e-6;

    @Test
    void errorNeverRisesAboveTheInitializationAndLloydStepsDoNotIncreaseIt() {
        Random random = new Random(1990);
        int cases = 0;
        for (int[] shape : RandomTensors.SHAPES) {
            for (int kind = 0; kind < RandomTensors.KINDS; kind++) {
                Tensor w = RandomTensors.of(shape, kind, random);
                for (int bits = 1; bits <= 8; bits++) {
                    KMeans1D.Result r = KMeans1D.cluster(w, bits, 30);
                    double[] errors = r.errors();
                    for (int i = 1; i < errors.length; i++) {
                        assertThat(errors[i]).isLessThanOrEqualTo(errors[i - 1] * (1 + LLOYD_SLACK) + Double.MIN_VALUE);
                    }
                    assertThat(r.error()).isLessThanOrEqualTo(errors[0]);
                    Codebook c = r.codebook();
                    assertThat(c.centroids().length).isLessThanOrEqualTo(1 << bits);
                    assertThat(KMeans1D.squaredError(w, c)).isCloseTo(r.error(), within(1e-9 * (1 + r.error())));
                    assertNearestCentroids(w, c);
                    assertThat(c.storedBytes()).isEqualTo(c.serialize().length);
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(RandomTensors.SHAPES.size() * RandomTensors.KINDS * 8);
    }

    @Test
    void largeGaussianLayersImproveOnTheLinearStart() {
        Random random = new Random(3);
        float[] x = new float[300 * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 0.05);
        }
        KMeans1D.Result r = KMeans1D.cluster(Tensor.ofFloats(new int[] {300, 784}, x), 4, 30);
        // Linear centroids waste most of 16 levels on the sparse tails; Lloyd moves them to where the weights are.
        assertThat(r.error()).isLessThan(0.5 * r.errors()[0]);
    }

    @Test
    void zeroIterationsGiveTheLinearInitialization() {
        Tensor w = Tensor.ofFloats(new int[] {5}, new float[] {-1f, 0f, 0.2f, 0.9f, 1f});
        Codebook c = KMeans1D.cluster(w, 2, 0).codebook();
        assertThat(c.centroids()).containsExactly(-1f, -1f / 3, 1f / 3, 1f);
        assertThat(c.indices()).containsExactly(0, 1, 2, 3, 3);
    }

    private static void assertNearestCentroids(Tensor w, Codebook c) {
        float[] x = w.floats();
        float[] centroids = c.centroids();
        int[] idx = c.indices();
        for (int k = 0; k < x.length; k++) {
            double chosen = Math.abs((double) x[k] - centroids[idx[k]]);
            for (float centroid : centroids) {
                assertThat(chosen).isLessThanOrEqualTo(Math.abs((double) x[k] - centroid));
            }
        }
    }
}
