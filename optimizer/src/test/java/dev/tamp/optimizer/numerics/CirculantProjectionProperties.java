package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The projections are the Frobenius-nearest (block-)circulants: they average the wrapped diagonals, the residual is
 * orthogonal to every basis matrix of the structure (the 0/1 matrix of one tile's one diagonal), and no random
 * perturbation of the defining vectors lowers the error.
 *
 * <p>Tolerances: the residual's inner product with a basis matrix is a sum of at most b residuals, each the difference
 * of a float weight and a float-rounded mean of floats in [-1, 1]; the mean's rounding to float is at most 2^-24 per
 * element (|mean| <= 1), so the sum is at most b * 2^-24 off zero; we allow b * 2^-22. A perturbation raises the
 * error by exactly sum (delta^2) * (entries per diagonal) >= 0 in exact arithmetic; the float rounding of the stored
 * means can make the computed "optimum" worse than the true one by at most (elements) * 2 * 2^-24 * 2^-24 * 4 in
 * squared error, so the comparison allows 1e-12 * elements.
 */
class CirculantProjectionProperties {
    @TestFactory
    Stream<DynamicTest> blockCirculantIsTheMeanOfEachWrappedDiagonalAndNoPerturbationHelps() {
        record Params(int m, int n, int b, long seed) {}
        return PropertyCases.forAll(20260301, 200,
                g -> new Params(g.ints("m", 1, 23), g.ints("n", 1, 23), g.ints("b", 1, 9), g.longs("seed")),
                c -> blockCirculantIsTheMeanOfEachWrappedDiagonalAndNoPerturbationHelps(c.m(), c.n(), c.b(),
                        c.seed()));
    }

    void blockCirculantIsTheMeanOfEachWrappedDiagonalAndNoPerturbationHelps(int m, int n, int b, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = uniform(rnd, m * n);
        float[] v = CirculantProjection.blockCirculant(w, m, n, b);
        float[] approx = new BlockCirculant(new int[] {m, n}, b, v).materialize().floats();
        int q = (n + b - 1) / b;
        // Residual orthogonal to every (tile, diagonal) basis matrix; diagonals with entries get their mean.
        double[] residualSum = new double[v.length];
        double[] sum = new double[v.length];
        int[] count = new int[v.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int slot = ((i / b) * q + j / b) * b + Math.floorMod(i - j, b);
                residualSum[slot] += w[i * n + j] - approx[i * n + j];
                sum[slot] += w[i * n + j];
                count[slot]++;
            }
        }
        for (int s = 0; s < v.length; s++) {
            assertThat(Math.abs(residualSum[s])).isLessThanOrEqualTo(b * 0x1p-22);
            assertThat(v[s]).isEqualTo(count[s] == 0 ? 0f : (float) (sum[s] / count[s]));
        }
        double best = error(w, approx);
        for (int trial = 0; trial < 20; trial++) {
            float[] perturbed = v.clone();
            int at = rnd.nextInt(perturbed.length);
            perturbed[at] += (float) (rnd.nextDouble(-1, 1) * Math.pow(10, -rnd.nextInt(1, 6)));
            for (int k = 0; k < perturbed.length; k++) {
                perturbed[k] += rnd.nextBoolean() ? 0f : (float) rnd.nextDouble(-1e-3, 1e-3);
            }
            double worse = error(w, new BlockCirculant(new int[] {m, n}, b, perturbed).materialize().floats());
            assertThat(worse).isGreaterThanOrEqualTo(best - 1e-12 * w.length);
        }
    }

    @TestFactory
    Stream<DynamicTest> circulantProjectionIsTheSquareCaseAndFixesCirculants() {
        record Params(int n, long seed) {}
        return PropertyCases.forAll(20260302, 100, g -> new Params(g.ints("n", 1, 40), g.longs("seed")),
                c -> circulantProjectionIsTheSquareCaseAndFixesCirculants(c.n(), c.seed()));
    }

    void circulantProjectionIsTheSquareCaseAndFixesCirculants(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = uniform(rnd, n * n);
        float[] c = CirculantProjection.circulant(w, n);
        for (int d = 0; d < n; d++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += w[i * n + Math.floorMod(i - d, n)];
            }
            assertThat(c[d]).isEqualTo((float) (s / n));
        }
        // A circulant is its own projection, bit for bit: each diagonal holds n copies of one float, whose mean in
        // double is that float exactly.
        float[] circ = new Circulant(new int[] {n, n}, c).materialize().floats();
        assertThat(CirculantProjection.circulant(circ, n)).isEqualTo(c);
        assertThat(CirculantProjection.blockCirculant(w, n, n, n)).isEqualTo(c);
    }

    @TestFactory
    Stream<DynamicTest> blockSizeOneKeepsEveryWeight() {
        record Params(int m, int n, long seed) {}
        return PropertyCases.forAll(20260303, 50,
                g -> new Params(g.ints("m", 1, 30), g.ints("n", 1, 30), g.longs("seed")),
                c -> blockSizeOneKeepsEveryWeight(c.m(), c.n(), c.seed()));
    }

    void blockSizeOneKeepsEveryWeight(int m, int n, long seed) {
        float[] w = uniform(new SplittableRandom(seed), m * n);
        assertThat(new BlockCirculant(new int[] {m, n}, 1, CirculantProjection.blockCirculant(w, m, n, 1))
                .materialize().floats()).isEqualTo(w);
    }

    static float[] uniform(SplittableRandom rnd, int size) {
        float[] w = new float[size];
        for (int i = 0; i < size; i++) {
            w[i] = (float) rnd.nextDouble(-1, 1);
        }
        return w;
    }

    static double error(float[] a, float[] b) {
        double e = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            e += d * d;
        }
        return e;
    }
}
