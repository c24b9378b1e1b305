package dev.tamp.optimizer.numerics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times y = C x for an n x n circulant: the dense product of the materialized matrix (float32 weights, double
 * accumulation, as a plain Java kernel would) against {@link CirculantProduct}'s FFT product (spectrum precomputed,
 * as generated code would). One vector at a time, one thread.
 *
 * <p>Arguments: sides (default 256,1024,4096), products timed per side and kind (default 100) and rounds (default
 * 3). Dense and FFT products alternate, each timed on its own, and the figure is the median, which other processes on
 * the machine disturb less than a mean; every round is printed, the first including JIT warm-up.
 */
public final class CirculantBench {
    private CirculantBench() {}

    public static void main(String[] args) {
        String[] sides = (args.length > 0 ? args[0] : "256,1024,4096").split(",");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        double sink = 0;
        for (int round = 1; round <= rounds; round++) {
            System.out.println("round " + round + (round == 1 ? " (JIT warm-up)" : ""));
            for (String s : sides) {
                sink += side(Integer.parseInt(s.trim()), reps);
            }
        }
        System.out.println("(checksum " + sink + ")");
    }

    private static double side(int n, int reps) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            c[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] w = new dev.tamp.model.ir.Circulant(new int[] {n, n}, c).materialize().floats();
        CirculantProduct fft = CirculantProduct.circulant(c);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble(-1, 1);
        }
        long[] denseNs = new long[reps];
        long[] fftNs = new long[reps];
        double sink = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            sink += dense(w, x, n)[r % n];
            long t1 = System.nanoTime();
            sink += fft.multiply(x)[r % n];
            long t2 = System.nanoTime();
            denseNs[r] = t1 - t0;
            fftNs[r] = t2 - t1;
        }
        double denseUs = median(denseNs) / 1e3;
        double fftUs = median(fftNs) / 1e3;
        System.out.printf("n=%d: dense %.1f us, FFT %.1f us per product (medians of %d), dense/FFT %.1fx%n", n,
                denseUs, fftUs, reps, denseUs / fftUs);
        return sink;
    }

    private static double median(long[] ns) {
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2.0;
    }

    static double[] dense(float[] w, double[] x, int n) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            int row = i * n;
            for (int j = 0; j < n; j++) {
                s += w[row + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }
}
