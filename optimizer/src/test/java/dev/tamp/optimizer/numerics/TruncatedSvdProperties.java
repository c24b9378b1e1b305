package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Truncated SVD as properties over random matrices, full-rank and rank-deficient.
 *
 * <p>Every property runs on both backends, LAPACK ({@link NativeLapack}: {@code dgesdd}, Householder QR, {@code
 * sgemm}) and pure Java (commons-math3, Gram–Schmidt, plain Java GEMM), with the same tolerances.
 *
 * <p>Tolerances. The exact path is LAPACK's divide-and-conquer {@code dgesdd} or commons-math3's Golub–Kahan SVD, in
 * double; both are backward stable: the computed
 * factors are an exact SVD of {@code A + E} with {@code ‖E‖_F <= c·max(m,n)·ε·‖A‖_F}, {@code ε = 2⁻⁵²}, and are
 * orthonormal to {@code c·max(m,n)·ε}; LAPACK's own SVD test drivers accept such scaled residuals below a threshold
 * of 30–50, so {@code c = 50}. By Mirsky's theorem the dropped singular values of {@code A + E} and {@code A} differ
 * in 2-norm by at most {@code ‖E‖_F}, and the truncation residual of {@code A + E} differs from that of {@code A} by
 * at most {@code ‖E‖_F}: so {@code |‖A − A_r‖_F − √Σ_dropped s²| <= 2‖E‖_F + (forming A_r: r·ε·‖A‖_F) <= τ =
 * 50·max(m,n)·ε·‖A‖_F} (the factor 2 and the rounding term fit in c's slack for these sizes), and the squared
 * quantities differ by at most {@code τ(2√Σ_dropped + τ)}.
 */
class TruncatedSvdProperties {
    private static final double EPS = Math.ulp(1.0);

    @TestFactory
    Stream<DynamicTest> truncationErrorIsTheDroppedEnergy() {
        record Params(int m, int n, int rankWanted, int trueRank, long seed, boolean lapack) {}
        return PropertyCases.forAll(20261126, 200,
                g -> new Params(g.ints("m", 1, 40), g.ints("n", 1, 40), g.ints("rankWanted", 1, 40),
                        g.ints("trueRank", 0, 40), g.longs("seed"), g.booleans("lapack")),
                c -> truncationErrorIsTheDroppedEnergy(c.m(), c.n(), c.rankWanted(), c.trueRank(), c.seed(),
                        c.lapack()));
    }

    void truncationErrorIsTheDroppedEnergy(int m, int n, int rankWanted, int trueRank, long seed, boolean lapack) {
        float[] a = matrix(m, n, trueRank, seed);
        TruncatedSvd.Result full = TruncatedSvd.exact(a, m, n, backend(lapack));
        int r = Math.min(rankWanted, Math.min(m, n));
        TruncatedSvd.Result t = full.truncate(r);
        double[] s = full.s();
        for (int i = 1; i < s.length; i++) {
            assertThat(s[i]).isLessThanOrEqualTo(s[i - 1]);
        }
        assertThat(s[s.length - 1]).isGreaterThanOrEqualTo(0);
        double normA = Math.sqrt(full.frobeniusSquared());
        double tau = 50 * Math.max(m, n) * EPS * normA;
        double dropped = 0;
        for (int i = r; i < s.length; i++) {
            dropped += s[i] * s[i];
        }
        double err = residualSquared(a, m, n, t);
        assertThat(Math.abs(err - dropped)).isLessThanOrEqualTo(tau * (2 * Math.sqrt(dropped) + tau));
        assertOrthonormalColumns(t.u(), m, r, 50 * Math.max(m, n) * EPS);
        assertOrthonormalRows(t.vt(), r, n, 50 * Math.max(m, n) * EPS);
    }

    @TestFactory
    Stream<DynamicTest> energyRankIsTheSmallestThatKeepsTheFraction() {
        record Params(int m, int n, double energy, long seed) {}
        return PropertyCases.forAll(20261127, 200,
                g -> new Params(g.ints("m", 1, 30), g.ints("n", 1, 30), g.doubles("energy", 0.01, 1),
                        g.longs("seed")),
                c -> energyRankIsTheSmallestThatKeepsTheFraction(c.m(), c.n(), c.energy(), c.seed()));
    }

    void energyRankIsTheSmallestThatKeepsTheFraction(int m, int n, double energy, long seed) {
        float[] a = matrix(m, n, 0, seed);
        TruncatedSvd.Result full = TruncatedSvd.exact(a, m, n);
        TruncatedSvd.Result chosen = TruncatedSvd.compute(a, m, n, new TruncatedSvd.Target.Energy(energy), seed, 1);
        int r = chosen.rank();
        double[] s = full.s();
        double kept = 0;
        for (int i = 0; i < r - 1; i++) {
            kept += s[i] * s[i];
        }
        double goal = energy * full.frobeniusSquared();
        assertThat(kept).as("one rank fewer falls short").isLessThan(goal);
        if (r < s.length) {
            assertThat(kept + s[r - 1] * s[r - 1]).isGreaterThanOrEqualTo(goal);
        }
    }

    /**
     * On a matrix of rank k the randomized algorithm with a sketch of at least k columns recovers it. Its products
     * run in float32: each entry of a product of inner dimension p carries a relative error of at most {@code
     * γ_p = p·2⁻²⁴}, and the subspace iteration applies 2·2+2 of them to orthonormal bases, so the residual stays
     * below {@code 10·max(m,n)·2⁻²⁴·‖A‖_F}.
     */
    @TestFactory
    Stream<DynamicTest> randomizedRecoversLowRankMatrices() {
        record Params(int m, int n, int k, int extra, long seed, boolean lapack) {}
        return PropertyCases.forAll(20261128, 60,
                g -> new Params(g.ints("m", 20, 160), g.ints("n", 20, 160), g.ints("k", 1, 8), g.ints("extra", 0, 8),
                        g.longs("seed"), g.booleans("lapack")),
                c -> randomizedRecoversLowRankMatrices(c.m(), c.n(), c.k(), c.extra(), c.seed(), c.lapack()));
    }

    void randomizedRecoversLowRankMatrices(int m, int n, int k, int extra, long seed, boolean lapack) {
        float[] a = matrix(m, n, k, seed);
        int l = Math.min(Math.min(m, n), k + extra + 2);
        TruncatedSvd.Result t = TruncatedSvd.randomized(a, m, n, k, l, seed, 2, backend(lapack));
        double normA = Math.sqrt(t.frobeniusSquared());
        double err = Math.sqrt(residualSquared(a, m, n, t));
        assertThat(err).isLessThanOrEqualTo(10 * Math.max(m, n) * 0x1p-24 * normA);
        TruncatedSvd.Result exact = TruncatedSvd.exact(a, m, n, backend(lapack));
        for (int i = 0; i < k; i++) {
            assertThat(t.s()[i]).isCloseTo(exact.s()[i],
                    org.assertj.core.data.Offset.offset(10 * Math.max(m, n) * 0x1p-24 * normA));
        }
        assertOrthonormalColumns(t.u(), m, k, 10 * Math.max(m, n) * 0x1p-24);
        TruncatedSvd.Result again = TruncatedSvd.randomized(a, m, n, k, l, seed, 1, backend(lapack));
        assertThat(again.u()).as("same seed, other thread count").containsExactly(t.u());
        assertThat(again.s()).containsExactly(t.s());
    }

    /**
     * Both backends give the same factors up to their rounding: the singular values agree to the backward-error bound
     * τ above, and, with canonical signs, so do singular vectors whose singular value is separated from its
     * neighbours and from zero by a gap g (Wedin: each backend's vector is within about √2·τ/g of the exact one;
     * checked for gaps above 10⁻³·‖A‖_F, against 4τ/g).
     */
    @TestFactory
    Stream<DynamicTest> backendsAgree() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeLapack.get() != null, "LAPACK natives not loaded");
        record Params(int m, int n, long seed) {}
        return PropertyCases.forAll(20261129, 100,
                g -> new Params(g.ints("m", 1, 60), g.ints("n", 1, 60), g.longs("seed")),
                c -> backendsAgree(c.m(), c.n(), c.seed()));
    }

    void backendsAgree(int m, int n, long seed) {
        float[] a = matrix(m, n, 0, seed);
        TruncatedSvd.Result x = TruncatedSvd.exact(a, m, n, NativeLapack.get());
        TruncatedSvd.Result y = TruncatedSvd.exact(a, m, n, null);
        double normA = Math.sqrt(x.frobeniusSquared());
        double tau = 50 * Math.max(m, n) * EPS * normA;
        int k = x.rank();
        for (int p = 0; p < k; p++) {
            assertThat(Math.abs(x.s()[p] - y.s()[p])).isLessThanOrEqualTo(2 * tau);
            // Wedin's gap: to the neighbouring singular values and (for a non-square A) to zero, at most ‖A‖_F.
            double gap = Math.min(normA, x.s()[p]);
            if (p > 0) {
                gap = Math.min(gap, x.s()[p - 1] - x.s()[p]);
            }
            if (p + 1 < k) {
                gap = Math.min(gap, x.s()[p] - x.s()[p + 1]);
            }
            if (gap < 1e-3 * normA || x.s()[p] < 1e-3 * normA) {
                continue;
            }
            for (int i = 0; i < m; i++) {
                assertThat(Math.abs(x.u()[i * k + p] - y.u()[i * k + p])).as("u[%d][%d]", i, p)
                        .isLessThanOrEqualTo(4 * tau / gap);
            }
            for (int j = 0; j < n; j++) {
                assertThat(Math.abs(x.vt()[p * n + j] - y.vt()[p * n + j])).as("vt[%d][%d]", p, j)
                        .isLessThanOrEqualTo(4 * tau / gap);
            }
        }
    }

    /** The LAPACK backend, or null (pure Java) when not asked for or when its natives did not load. */
    private static NativeLapack backend(boolean lapack) {
        return lapack ? NativeLapack.get() : null;
    }

    /** A Gaussian matrix, of exactly {@code rank} (when positive and below both sides) as a product of two. */
    static float[] matrix(int m, int n, int rank, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[m * n];
        if (rank <= 0 || rank >= Math.min(m, n)) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
            }
            return a;
        }
        double[] x = new double[m * rank];
        double[] y = new double[rank * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextGaussian();
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < rank; p++) {
                    sum += x[i * rank + p] * y[p * n + j];
                }
                a[i * n + j] = (float) sum;
            }
        }
        return a;
    }

    static double residualSquared(float[] a, int m, int n, TruncatedSvd.Result t) {
        double err = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < t.rank(); p++) {
                    sum += t.u()[i * t.rank() + p] * t.s()[p] * t.vt()[p * n + j];
                }
                double e = a[i * n + j] - sum;
                err += e * e;
            }
        }
        return err;
    }

    static void assertOrthonormalColumns(double[] u, int m, int r, double tol) {
        for (int p = 0; p < r; p++) {
            for (int q = p; q < r; q++) {
                double d = 0;
                for (int i = 0; i < m; i++) {
                    d += u[i * r + p] * u[i * r + q];
                }
                assertThat(Math.abs(d - (p == q ? 1 : 0))).as("UᵀU[%d][%d]", p, q).isLessThanOrEqualTo(tol);
            }
        }
    }

    static void assertOrthonormalRows(double[] vt, int r, int n, double tol) {
        for (int p = 0; p < r; p++) {
            for (int q = p; q < r; q++) {
                double d = 0;
                for (int j = 0; j < n; j++) {
                    d += vt[p * n + j] * vt[q * n + j];
                }
                assertThat(Math.abs(d - (p == q ? 1 : 0))).as("VᵀV[%d][%d]", p, q).isLessThanOrEqualTo(tol);
            }
        }
    }
}
