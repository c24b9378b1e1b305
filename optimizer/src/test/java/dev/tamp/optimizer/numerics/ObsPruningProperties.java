package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.PropertyCases;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * OBD and layer-wise OBS (SparseGPT order) on random layers {@code y = W x} with correlated random inputs: the
 * reconstruction error ordering, the single-removal closed form, the no-op, and OBD's relation to magnitude.
 *
 * <p>Inputs are {@code x = A z} with Gaussian z and a random mixing A, so that H is far from a multiple of the
 * identity (with isotropic inputs all three criteria coincide). Tolerances of the closed-form comparisons: with the
 * damping the Hessian's condition number is at most {@code (trace + λ·mean)/(λ·mean) ≤ d/λ + 1 ≈ 2,400} for d = 24,
 * so solving and factorizing in double loses at most about {@code 2,400 · d · 2⁻⁵³ ≈ 6e-12} relative; 1e-9 leaves a
 * factor of 100.
 */
class ObsPruningProperties {
    private static final double CLOSED_FORM_TOLERANCE = 1e-9;

    /**
     * OBS is greedy (the mask of a block is chosen before later removals move the weights), so on a single small
     * random layer it can lose to magnitude or OBD; measured on 200 layers (d = 24 and 64) it did so in a minority of
     * cases at 70-90 % sparsity. What holds, and is asserted, is the average: over fixed-seed random layers OBS's
     * error is clearly below both, and exactly the requested count is removed, every removed weight being zero.
     */
    @Test
    void obsReconstructsBetterThanMagnitudeAndObdOnAverage() {
        SplittableRandom rnd = new SplittableRandom(20261126);
        for (double sparsity : new double[] {0.3, 0.5, 0.8}) {
            double ratioMagnitude = 0;
            double ratioObd = 0;
            int layers = 100;
            for (int t = 0; t < layers; t++) {
                Layer layer = Layer.random(rnd.nextLong(), 6, 64, 120);
                long count = MagnitudeSelection.prunedCount(sparsity, 6L * 64);
                PrunePattern pattern = new PrunePattern.Unstructured(count);
                ObsPruning.Result obs = ObsPruning.prune(layer.w, layer.h, pattern, ObsPruning.DAMPING);
                assertThat(countRemoved(obs.removed())).isEqualTo(count);
                for (int r = 0; r < layer.w.length; r++) {
                    for (int q = 0; q < layer.w[r].length; q++) {
                        if (obs.removed()[r][q]) {
                            assertThat(obs.weights()[r][q]).isZero();
                        }
                    }
                }
                boolean[][] obd = SecondOrderSelection.smallest(
                        SecondOrderSelection.obdSaliency(layer.w, diagonal(layer.h)), pattern);
                double e = layer.error(obs.weights());
                ratioMagnitude += e / layer.error(zeroed(layer.w, magnitudeMask(layer.w, count))) / layers;
                ratioObd += e / layer.error(zeroed(layer.w, obd)) / layers;
            }
            System.out.printf("OBS error / magnitude %.3f, / OBD %.3f at %.0f %%%n", ratioMagnitude, ratioObd,
                    100 * sparsity);
            assertThat(ratioMagnitude).as("vs magnitude at %s", sparsity).isLessThan(0.95);
            assertThat(ratioObd).as("vs OBD at %s", sparsity).isLessThan(0.95);
        }
    }

    @TestFactory
    Stream<DynamicTest> aSingleRemovalIsTheConstrainedLeastSquaresOptimumOverTheLaterColumns() {
        return PropertyCases.forAll(20261127, 200, g -> g.longs("seed"),
                this::aSingleRemovalIsTheConstrainedLeastSquaresOptimumOverTheLaterColumns);
    }

    void aSingleRemovalIsTheConstrainedLeastSquaresOptimumOverTheLaterColumns(long seed) {
        Layer layer = Layer.random(seed, 1, 24, 120);
        double[][] h = ObsPruning.damped(layer.h, ObsPruning.DAMPING);
        ObsPruning.Result r = ObsPruning.prune(layer.w, layer.h, new PrunePattern.Unstructured(1),
                ObsPruning.DAMPING);
        int q = -1;
        for (int j = 0; j < 24; j++) {
            q = r.removed()[0][j] ? j : q;
        }
        // Columns before q are frozen; the others R = (q, d) solve min (ŵ − w)ᵀ H (ŵ − w) with ŵ_q = 0:
        // H_RR δ_R + H_Rq δ_q = 0 with δ_q = −w_q, so δ_R = H_RR⁻¹ H_Rq w_q.
        double[] expected = layer.w[0].clone();
        expected[q] = 0;
        int m = 23 - q;
        if (m > 0) {
            double[][] hrr = new double[m][m];
            double[] hrq = new double[m];
            for (int a = 0; a < m; a++) {
                hrq[a] = h[q + 1 + a][q] * layer.w[0][q];
                for (int b = 0; b < m; b++) {
                    hrr[a][b] = h[q + 1 + a][q + 1 + b];
                }
            }
            double[] delta = new LUDecomposition(new Array2DRowRealMatrix(hrr)).getSolver()
                    .solve(new org.apache.commons.math3.linear.ArrayRealVector(hrq)).toArray();
            for (int a = 0; a < m; a++) {
                expected[q + 1 + a] += delta[a];
            }
        }
        assertClose(r.weights()[0], expected);
    }

    @TestFactory
    Stream<DynamicTest> removingTheFirstColumnIsTheTextbookObsStep() {
        return PropertyCases.forAll(20261128, 200, g -> g.longs("seed"),
                this::removingTheFirstColumnIsTheTextbookObsStep);
    }

    void removingTheFirstColumnIsTheTextbookObsStep(long seed) {
        Layer layer = Layer.random(seed, 1, 16, 80);
        layer.w[0][0] = 1e-4; // by far the smallest saliency, so OBS removes it
        double[][] h = ObsPruning.damped(layer.h, ObsPruning.DAMPING);
        ObsPruning.Result r = ObsPruning.prune(layer.w, layer.h, new PrunePattern.Unstructured(1),
                ObsPruning.DAMPING);
        assertThat(r.removed()[0][0]).isTrue();
        RealMatrix inverse = new LUDecomposition(new Array2DRowRealMatrix(h)).getSolver().getInverse();
        // δ = −(w_q / [H⁻¹]_qq) H⁻¹ e_q, and the error rises by ½ δᵀ H δ = ½ w_q² / [H⁻¹]_qq.
        double[] expected = layer.w[0].clone();
        double scale = layer.w[0][0] / inverse.getEntry(0, 0);
        double[] delta = new double[16];
        for (int j = 0; j < 16; j++) {
            delta[j] = -scale * inverse.getEntry(j, 0);
            expected[j] += delta[j];
        }
        expected[0] = 0;
        assertClose(r.weights()[0], expected);
        double quadratic = 0;
        double[] hd = new Array2DRowRealMatrix(h).operate(delta);
        for (int j = 0; j < 16; j++) {
            quadratic += delta[j] * hd[j];
        }
        double cost = 0.5 * layer.w[0][0] * layer.w[0][0] / inverse.getEntry(0, 0);
        assertThat(0.5 * quadratic).isCloseTo(cost, org.assertj.core.data.Offset.offset(CLOSED_FORM_TOLERANCE * cost));
    }

    @TestFactory
    Stream<DynamicTest> removingNothingChangesNothing() {
        return PropertyCases.forAll(20261129, 50, g -> g.longs("seed"), this::removingNothingChangesNothing);
    }

    void removingNothingChangesNothing(long seed) {
        Layer layer = Layer.random(seed, 5, 16, 60);
        for (PrunePattern p : List.of(new PrunePattern.Unstructured(0), new PrunePattern.KeepNOfM(4, 4))) {
            ObsPruning.Result r = ObsPruning.prune(layer.w, layer.h, p, ObsPruning.DAMPING);
            assertThat(r.weights()).isDeepEqualTo(layer.w);
            assertThat(countRemoved(r.removed())).isZero();
        }
    }

    @TestFactory
    Stream<DynamicTest> nOfMKeepsExactlyNOfEveryGroup() {
        record Params(long seed, int keep) {}
        return PropertyCases.forAll(20261130, 100, g -> new Params(g.longs("seed"), g.ints("keep", 1, 3)),
                c -> nOfMKeepsExactlyNOfEveryGroup(c.seed(), c.keep()));
    }

    void nOfMKeepsExactlyNOfEveryGroup(long seed, int keep) {
        Layer layer = Layer.random(seed, 6, 24, 120);
        ObsPruning.Result r = ObsPruning.prune(layer.w, layer.h, new PrunePattern.KeepNOfM(keep, 4),
                ObsPruning.DAMPING);
        for (int row = 0; row < 6; row++) {
            for (int g = 0; g < 24; g += 4) {
                int removed = 0;
                for (int q = g; q < g + 4; q++) {
                    removed += r.removed()[row][q] ? 1 : 0;
                }
                assertThat(removed).isEqualTo(4 - keep);
            }
        }
        assertThat(layer.error(r.weights())).isFinite();
    }

    @TestFactory
    Stream<DynamicTest> obdOrdersLikeMagnitudeWhenTheHessianIsAMultipleOfTheIdentity() {
        record Params(long seed, int log2Scale, double sparsity) {}
        return PropertyCases.forAll(20261131, 100,
                g -> new Params(g.longs("seed"), g.ints("log2Scale", -6, 6), g.doubles("sparsity", 0, 1)),
                c -> obdOrdersLikeMagnitudeWhenTheHessianIsAMultipleOfTheIdentity(c.seed(), c.log2Scale(),
                        c.sparsity()));
    }

    void obdOrdersLikeMagnitudeWhenTheHessianIsAMultipleOfTheIdentity(long seed, int log2Scale, double sparsity) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] flat = new float[5 * 12];
        double[][] w = new double[5][12];
        for (int i = 0; i < flat.length; i++) {
            // Few distinct values, so ties (and their tie-break by position) are exercised.
            flat[i] = (rnd.nextInt(9) - 4) * 0.25f;
            w[i / 12][i % 12] = flat[i];
        }
        // A power-of-two scale keeps ½ c w² exact, so equal magnitudes stay equal saliencies.
        double[] diagonal = new double[12];
        java.util.Arrays.fill(diagonal, Math.scalb(1.0, log2Scale));
        long count = MagnitudeSelection.prunedCount(sparsity, flat.length);
        boolean[][] obd = SecondOrderSelection.smallest(SecondOrderSelection.obdSaliency(w, diagonal),
                new PrunePattern.Unstructured(count));
        boolean[] magnitude = MagnitudeSelection.smallest(List.of(Tensor.ofFloats(new int[] {5, 12}, flat)),
                count)[0];
        for (int i = 0; i < flat.length; i++) {
            assertThat(obd[i / 12][i % 12]).as("position %d", i).isEqualTo(magnitude[i]);
        }
    }

    @TestFactory
    Stream<DynamicTest> inverseAndCholeskyAgreeWithCommonsMath() {
        record Params(long seed, int d) {}
        return PropertyCases.forAll(20261132, 50, g -> new Params(g.longs("seed"), g.ints("d", 1, 40)),
                c -> inverseAndCholeskyAgreeWithCommonsMath(c.seed(), c.d()));
    }

    void inverseAndCholeskyAgreeWithCommonsMath(long seed, int d) {
        Layer layer = Layer.random(seed, 1, d, 3 * d);
        double[][] h = ObsPruning.damped(layer.h, ObsPruning.DAMPING);
        double[][] inverse = SymmetricMatrices.inverse(h);
        RealMatrix expected = new LUDecomposition(new Array2DRowRealMatrix(h)).getSolver().getInverse();
        double[][] u = SymmetricMatrices.upperCholeskyOfInverse(h);
        RealMatrix uu = new Array2DRowRealMatrix(u).transpose().multiply(new Array2DRowRealMatrix(u));
        double norm = expected.getNorm();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertThat(inverse[i][j]).isCloseTo(expected.getEntry(i, j),
                        org.assertj.core.data.Offset.offset(CLOSED_FORM_TOLERANCE * norm));
                assertThat(uu.getEntry(i, j)).isCloseTo(expected.getEntry(i, j),
                        org.assertj.core.data.Offset.offset(CLOSED_FORM_TOLERANCE * norm));
                if (j < i) {
                    assertThat(u[i][j]).isZero();
                }
            }
        }
    }

    /** A random layer: weights, correlated inputs X (n × d) and H = (2/n) XᵀX. */
    record Layer(double[][] w, double[][] x, double[][] h) {
        static Layer random(long seed, int rows, int d, int n) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[][] w = new double[rows][d];
            for (double[] row : w) {
                for (int q = 0; q < d; q++) {
                    row[q] = gaussian(rnd);
                }
            }
            double[][] mix = new double[d][d];
            for (double[] row : mix) {
                for (int q = 0; q < d; q++) {
                    row[q] = gaussian(rnd);
                }
            }
            double[][] x = new double[n][d];
            for (double[] v : x) {
                double[] z = new double[d];
                for (int q = 0; q < d; q++) {
                    z[q] = gaussian(rnd);
                }
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        v[a] += mix[a][b] * z[b];
                    }
                }
            }
            double[][] h = new double[d][d];
            for (double[] v : x) {
                for (int a = 0; a < d; a++) {
                    for (int b = 0; b < d; b++) {
                        h[a][b] += 2.0 / n * v[a] * v[b];
                    }
                }
            }
            return new Layer(w, x, h);
        }

        /** ‖W X − Ŵ X‖², summed over the input vectors and rows. */
        double error(double[][] pruned) {
            double e = 0;
            for (double[] v : x) {
                for (int r = 0; r < w.length; r++) {
                    double y = 0;
                    for (int q = 0; q < v.length; q++) {
                        y += (w[r][q] - pruned[r][q]) * v[q];
                    }
                    e += y * y;
                }
            }
            return e;
        }

        private static double gaussian(SplittableRandom rnd) {
            return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
        }
    }

    private static boolean[][] magnitudeMask(double[][] w, long count) {
        double[][] abs = new double[w.length][];
        for (int r = 0; r < w.length; r++) {
            abs[r] = java.util.Arrays.stream(w[r]).map(Math::abs).toArray();
        }
        return SecondOrderSelection.smallest(abs, new PrunePattern.Unstructured(count));
    }

    private static double[][] zeroed(double[][] w, boolean[][] removed) {
        double[][] z = new double[w.length][];
        for (int r = 0; r < w.length; r++) {
            z[r] = w[r].clone();
            for (int q = 0; q < z[r].length; q++) {
                if (removed[r][q]) {
                    z[r][q] = 0;
                }
            }
        }
        return z;
    }

    private static double[] diagonal(double[][] h) {
        double[] d = new double[h.length];
        for (int i = 0; i < h.length; i++) {
            d[i] = h[i][i];
        }
        return d;
    }

    private static long countRemoved(boolean[][] removed) {
        long n = 0;
        for (boolean[] row : removed) {
            for (boolean b : row) {
                n += b ? 1 : 0;
            }
        }
        return n;
    }

    private static void assertClose(double[] actual, double[] expected) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int j = 0; j < expected.length; j++) {
            assertThat(actual[j]).as("column %d", j).isCloseTo(expected[j],
                    org.assertj.core.data.Offset.offset(CLOSED_FORM_TOLERANCE * (1 + scale)));
        }
    }
}
