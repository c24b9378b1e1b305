package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The FFT products equal the dense products of the materialized matrices, for every size (radix-2 and Bluestein).
 *
 * <p>Tolerance, per output element. An FFT of power-of-two length M computed with twiddles accurate to a few ulps has
 * {@code ||err||_2 <= log2(M) * eta * ||X||_2} with {@code eta <= 7u}, u = 2^-53 (Higham, Accuracy and Stability of
 * Numerical Algorithms, Thm 24.2). One tile product is three transforms and a pointwise product; bounding each
 * intermediate by {@code ||c||_1 ||x||_2} (the spectrum of c is at most {@code ||c||_1} in modulus, and the unitary
 * normalization keeps 2-norms) gives {@code (3 * 7 log2 M + 2) u ||c||_1 ||x||_2}. Bluestein replaces each transform
 * by three of length M plus two chirp products, so at most three times that. Summing p*q tile products adds the
 * accumulation error {@code q u} of the same size. The dense reference in double has {@code n u sum|W||x|}. We allow
 * {@code 100 (log2 M + q) u ||c||_1 ||x||_2 + n u sum_j |W_ij x_j|}, with {@code ||c||_1} the largest tile vector's
 * 1-norm times q.
 */
class CirculantProductProperties {
    private static final double U = 0x1p-53;

    @TestFactory
    Stream<DynamicTest> fftProductEqualsTheDenseProduct() {
        record Params(int m, int n, int b, long seed) {}
        return PropertyCases.forAll(20260306, 200,
                g -> new Params(g.ints("m", 1, 40), g.ints("n", 1, 40), g.ints("b", 1, 17), g.longs("seed")),
                c -> fftProductEqualsTheDenseProduct(c.m(), c.n(), c.b(), c.seed()));
    }

    void fftProductEqualsTheDenseProduct(int m, int n, int b, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int p = (m + b - 1) / b;
        int q = (n + b - 1) / b;
        float[] vectors = CirculantProjectionProperties.uniform(rnd, p * q * b);
        float[] w = new BlockCirculant(new int[] {m, n}, b, vectors).materialize().floats();
        CirculantProduct product = CirculantProduct.blockCirculant(m, n, b, vectors);
        int workSize = new Fft(b).workSize();
        double tileNorm = 0;
        for (int t = 0; t < p * q; t++) {
            double s = 0;
            for (int k = 0; k < b; k++) {
                s += Math.abs(vectors[t * b + k]);
            }
            tileNorm = Math.max(tileNorm, s);
        }

        double[] x = gaussian(rnd, n);
        double[] y = product.multiply(x);
        assertThat(y).hasSize(m);
        for (int i = 0; i < m; i++) {
            double dense = 0;
            double magnitude = 0;
            for (int j = 0; j < n; j++) {
                dense += w[i * n + j] * x[j];
                magnitude += Math.abs(w[i * n + j] * x[j]);
            }
            double tol = 100 * (log2(workSize) + Math.max(p, q)) * U * tileNorm * Math.max(p, q) * norm(x)
                    + n * U * magnitude;
            assertThat(Math.abs(y[i] - dense)).as("row %d", i).isLessThanOrEqualTo(tol);
        }

        double[] xt = gaussian(rnd, m);
        double[] yt = product.multiplyTransposed(xt);
        assertThat(yt).hasSize(n);
        for (int j = 0; j < n; j++) {
            double dense = 0;
            double magnitude = 0;
            for (int i = 0; i < m; i++) {
                dense += w[i * n + j] * xt[i];
                magnitude += Math.abs(w[i * n + j] * xt[i]);
            }
            double tol = 100 * (log2(workSize) + Math.max(p, q)) * U * tileNorm * Math.max(p, q) * norm(xt)
                    + m * U * magnitude;
            assertThat(Math.abs(yt[j] - dense)).as("column %d", j).isLessThanOrEqualTo(tol);
        }
    }

    /** The transform itself against the O(n^2) definition, same bound with the DFT's own sum in the reference. */
    @TestFactory
    Stream<DynamicTest> fftEqualsTheDefinition() {
        record Params(int n, long seed) {}
        return PropertyCases.forAll(20260307, 100, g -> new Params(g.ints("n", 1, 70), g.longs("seed")),
                c -> fftEqualsTheDefinition(c.n(), c.seed()));
    }

    void fftEqualsTheDefinition(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] re = gaussian(rnd, n);
        double[] im = gaussian(rnd, n);
        double[] fr = re.clone();
        double[] fi = im.clone();
        Fft fft = new Fft(n);
        fft.forward(fr, fi);
        double scale = Math.sqrt(n) * (norm(re) + norm(im));
        double tol = 3 * 10 * log2(fft.workSize()) * U * scale + 4 * n * U * scale;
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * (double) (((long) j * k) % n) / n;
                sr += re[j] * Math.cos(angle) - im[j] * Math.sin(angle);
                si += re[j] * Math.sin(angle) + im[j] * Math.cos(angle);
            }
            assertThat(Math.hypot(fr[k] - sr, fi[k] - si)).as("frequency %d", k).isLessThanOrEqualTo(tol);
        }
        fft.inverse(fr, fi);
        for (int j = 0; j < n; j++) {
            assertThat(Math.hypot(fr[j] - re[j], fi[j] - im[j])).isLessThanOrEqualTo(2 * tol / Math.sqrt(n));
        }
    }

    static double[] gaussian(SplittableRandom rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble(-1, 1) + rnd.nextDouble(-1, 1);
        }
        return x;
    }

    static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double log2(int m) {
        return Math.max(1, Integer.numberOfTrailingZeros(m));
    }
}
