package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The patch moments against a direct convolution, and the compact fits' exact cases and monotone errors. */
class CompactFiltersTest {
    private static final ConvWindow ODD = new ConvWindow(3, 2, 2, 1, 1, 0, 1, 1, 1, 2);

    @Test
    void patchMomentsGiveTheSummedSquaredOutputDifference() {
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 3;
        int c = 2;
        int h = 7;
        int w = 6;
        float[] x = floats(rnd, n * c * h * w);
        CompactFilters.Conv a = randomConv(rnd, 4, c, ODD.kernelSize());
        CompactFilters.Conv b = randomConv(rnd, 4, c, ODD.kernelSize());
        double[][] gram = PatchGram.of(x, n, c, h, w, ODD, 1);
        double direct = 0;
        double[] ya = convolve(x, n, c, h, w, a);
        double[] yb = convolve(x, n, c, h, w, b);
        for (int i = 0; i < ya.length; i++) {
            direct += (ya[i] - yb[i]) * (ya[i] - yb[i]);
        }
        // Both sides sum a few hundred double products of O(1) terms: rounding is ~1e-14 relative, 1e-10 is slack.
        assertThat(CompactFilters.error(a, b.weight(), b.bias(), gram)).isCloseTo(direct, within(1e-10 * direct));
        assertThat(PatchGram.of(x, n, c, h, w, ODD, 3)).isDeepEqualTo(gram);
    }

    @Test
    void aPerChannelSeparableWeightIsRecoveredByTheDataFreeInit() {
        SplittableRandom rnd = new SplittableRandom(2);
        int out = 6;
        int in = 4;
        int k = 9;
        double[][] d = new double[in][k];
        double[][] p = new double[out][in];
        for (double[] row : d) {
            fill(rnd, row);
        }
        for (double[] row : p) {
            fill(rnd, row);
        }
        double[][] weight = new CompactFilters.Separable(d, p, new double[out]).effective();
        CompactFilters.Conv conv = new CompactFilters.Conv(out, in, k, weight, randomVector(rnd, out));
        double[][] got = CompactFilters.separableInit(conv).effective();
        for (int o = 0; o < out; o++) {
            // SVD in double of O(1) entries: backward error ~1e-15 relative; 1e-12 absolute is slack.
            assertThat(got[o]).containsExactly(weight[o], within(1e-12));
        }
    }

    @Test
    void separableAlternationNeverIncreasesTheErrorAndImprovesOnCorrelatedInputs() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = 4;
        int c = 3;
        int h = 8;
        int w = 8;
        float[] x = smoothImages(rnd, n, c, h, w);
        ConvWindow win = new ConvWindow(3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        CompactFilters.Conv conv = randomConv(rnd, 5, c, 9);
        double[][] gram = PatchGram.of(x, n, c, h, w, win, 1);
        CompactFilters.Fit<CompactFilters.Separable> fit = CompactFilters.fitSeparable(conv, gram);
        assertNonIncreasing(fit.accepted());
        assertThat(fit.initialError()).isEqualTo(fit.accepted().get(0));
        assertThat(fit.error()).isLessThan(fit.initialError());
        assertThat(CompactFilters.error(conv, fit.result().effective(), fit.result().bias(), gram))
                .isEqualTo(fit.error());
    }

    @Test
    void aTucker2WeightIsRecoveredAndTheRefitOnlyLowersTheError() {
        SplittableRandom rnd = new SplittableRandom(4);
        int out = 7;
        int in = 5;
        int width = 3;
        int k = 9;
        double[][] reduce = randomMatrix(rnd, width, in);
        double[][] core = randomMatrix(rnd, width, width * k);
        double[][] expand = randomMatrix(rnd, out, width);
        double[][] weight = new CompactFilters.Bottleneck(reduce, core, expand, new double[out]).effective();
        CompactFilters.Conv conv = new CompactFilters.Conv(out, in, k, weight, randomVector(rnd, out));
        double[][] got = CompactFilters.tucker2(conv, width).effective();
        for (int o = 0; o < out; o++) {
            assertThat(got[o]).containsExactly(weight[o], within(1e-12));
        }

        float[] x = smoothImages(rnd, 3, in, 6, 6);
        ConvWindow win = new ConvWindow(3, 3, 1, 1, 0, 0, 0, 0, 1, 1);
        CompactFilters.Conv full = randomConv(rnd, out, in, k);
        double[][] gram = PatchGram.of(x, 3, in, 6, 6, win, 1);
        CompactFilters.Fit<CompactFilters.Bottleneck> fit = CompactFilters.fitBottleneck(full, width, gram);
        assertNonIncreasing(fit.accepted());
        assertThat(fit.error()).isLessThan(fit.initialError());
    }

    @Test
    void ridgeSolverSolvesAWellConditionedSystem() {
        double[][] a = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] x = {{1, -2}, {0.5, 3}, {-1, 0.25}};
        double[][] b = CompactFilters.multiply(a, x);
        double[][] got = RidgeSolver.solve(a, b);
        for (int i = 0; i < 3; i++) {
            // The ridge 1e-9·mean(diag) perturbs A by 3e-9 on an eigenvalue ≥ 1: relative change ≤ ~1e-8.
            assertThat(got[i]).containsExactly(x[i], within(1e-7));
        }
        assertThat(RidgeSolver.solve(new double[2][2], new double[][] {{1}, {1}})).isDeepEqualTo(new double[2][1]);
    }

    private static void assertNonIncreasing(List<Double> errors) {
        for (int i = 1; i < errors.size(); i++) {
            assertThat(errors.get(i)).isLessThanOrEqualTo(errors.get(i - 1));
        }
    }

    /** A direct NCHW convolution in double with ODD's window, for checking the moments. */
    private static double[] convolve(float[] x, int n, int c, int h, int w, CompactFilters.Conv conv) {
        int oh = ODD.outH(h);
        int ow = ODD.outW(w);
        double[] y = new double[n * conv.out() * oh * ow];
        int i = 0;
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < conv.out(); o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = conv.bias()[o];
                        for (int ch = 0; ch < c; ch++) {
                            for (int ky = 0; ky < ODD.kernelH(); ky++) {
                                for (int kx = 0; kx < ODD.kernelW(); kx++) {
                                    int iy = oy * ODD.strideH() - ODD.padTop() + ky * ODD.dilationH();
                                    int ix = ox * ODD.strideW() - ODD.padLeft() + kx * ODD.dilationW();
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += conv.weight()[o][(ch * ODD.kernelH() + ky) * ODD.kernelW() + kx]
                                                * x[((img * c + ch) * h + iy) * w + ix];
                                    }
                                }
                            }
                        }
                        y[i++] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Images whose neighbouring pixels and channels are correlated, as natural feature maps are. */
    private static float[] smoothImages(SplittableRandom rnd, int n, int c, int h, int w) {
        float[] x = new float[n * c * h * w];
        for (int img = 0; img < n; img++) {
            double fx = rnd.nextDouble(0.2, 1.0);
            double fy = rnd.nextDouble(0.2, 1.0);
            for (int ch = 0; ch < c; ch++) {
                double amp = rnd.nextDouble(0.5, 1.5);
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        x[((img * c + ch) * h + y) * w + xx] = (float) (amp * Math.sin(fx * xx + fy * y + ch)
                                + 0.1 * rnd.nextGaussian());
                    }
                }
            }
        }
        return x;
    }

    private static CompactFilters.Conv randomConv(SplittableRandom rnd, int out, int in, int k) {
        return new CompactFilters.Conv(out, in, k, randomMatrix(rnd, out, in * k), randomVector(rnd, out));
    }

    private static double[][] randomMatrix(SplittableRandom rnd, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            fill(rnd, row);
        }
        return m;
    }

    private static double[] randomVector(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        fill(rnd, v);
        return v;
    }

    private static void fill(SplittableRandom rnd, double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
    }

    private static float[] floats(SplittableRandom rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        return f;
    }
}
