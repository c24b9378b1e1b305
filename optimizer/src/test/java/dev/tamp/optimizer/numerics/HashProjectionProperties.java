package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Hashed;
import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The fitted buckets are the least-squares optimum: the gradient of {@code sum_k (w_k - xi(k) b[h(k)])^2} with
 * respect to each bucket, {@code -2 sum_{k in j} xi(k) (w_k - xi(k) b_j)}, is zero up to the float rounding of b_j
 * (at most 2^-24 per element for |b_j| <= 1, so |gradient| <= 2 * count_j * 2^-24; allowed 2 * count_j * 2^-22),
 * and random perturbations never lower the error (tolerance as in {@link CirculantProjectionProperties}).
 */
class HashProjectionProperties {
    @TestFactory
    Stream<DynamicTest> bucketsAreTheLeastSquaresOptimum() {
        record Params(int size, int buckets, long seed, boolean signHash) {}
        return PropertyCases.forAll(20260304, 150,
                g -> new Params(g.ints("size", 1, 400), g.ints("buckets", 1, 60), g.longs("seed"),
                        g.booleans("signHash")),
                c -> bucketsAreTheLeastSquaresOptimum(c.size(), c.buckets(), c.seed(), c.signHash()));
    }

    void bucketsAreTheLeastSquaresOptimum(int size, int buckets, long seed, boolean signHash) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = CirculantProjectionProperties.uniform(rnd, size);
        Hashed h = HashProjection.fit(new int[] {size}, w, seed, signHash, buckets);
        float[] table = h.buckets();
        double[] gradient = new double[buckets];
        int[] count = new int[buckets];
        for (int k = 0; k < size; k++) {
            int j = h.bucket(k);
            gradient[j] += -2 * h.sign(k) * (w[k] - h.sign(k) * table[j]);
            count[j]++;
        }
        for (int j = 0; j < buckets; j++) {
            assertThat(Math.abs(gradient[j])).isLessThanOrEqualTo(2 * count[j] * 0x1p-22);
            if (count[j] == 0) {
                assertThat(table[j]).isZero();
            }
        }
        assertThat(HashProjection.emptyBuckets(h, size)).isEqualTo((int) java.util.Arrays.stream(count)
                .filter(c -> c == 0).count());
        double best = CirculantProjectionProperties.error(w, h.materialize().floats());
        for (int trial = 0; trial < 20; trial++) {
            float[] perturbed = table.clone();
            perturbed[rnd.nextInt(buckets)] += (float) (rnd.nextDouble(-1, 1) * Math.pow(10, -rnd.nextInt(1, 6)));
            double worse = CirculantProjectionProperties.error(w,
                    new Hashed(new int[] {size}, seed, signHash, perturbed).materialize().floats());
            assertThat(worse).isGreaterThanOrEqualTo(best - 1e-12 * size);
        }
    }

    @TestFactory
    Stream<DynamicTest> aHashedWeightIsItsOwnFit() {
        record Params(int size, int buckets, long seed) {}
        return PropertyCases.forAll(20260305, 50,
                g -> new Params(g.ints("size", 1, 300), g.ints("buckets", 1, 40), g.longs("seed")),
                c -> aHashedWeightIsItsOwnFit(c.size(), c.buckets(), c.seed()));
    }

    void aHashedWeightIsItsOwnFit(int size, int buckets, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Hashed original = new Hashed(new int[] {size}, seed, true, CirculantProjectionProperties.uniform(rnd,
                buckets));
        Hashed fitted = HashProjection.fit(new int[] {size}, original.materialize().floats(), seed, true, buckets);
        // Each bucket averages copies of one float (sign undone exactly), so the mean is that float; empty buckets
        // go to 0.
        float[] expected = original.buckets();
        for (int j = 0; j < buckets; j++) {
            boolean used = false;
            for (int k = 0; k < size && !used; k++) {
                used = original.bucket(k) == j;
            }
            if (!used) {
                expected[j] = 0f;
            }
        }
        assertThat(fitted.buckets()).isEqualTo(expected);
        assertThat(fitted.materialize()).isEqualTo(original.materialize());
    }
}
