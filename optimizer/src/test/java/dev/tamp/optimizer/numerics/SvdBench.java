package dev.tamp.optimizer.numerics;

import java.util.SplittableRandom;

/**
 * Times the randomized truncated SVD on one large layer (the issue: a 4096 × 4096 layer in a few seconds on two
 * cores). Arguments: side (4096), rank (256), threads (2), repetitions (3). Each line is one timed call, the first
 * including JIT warm-up; the relative residual {@code ‖A − A_r‖_F / ‖A‖_F} is measured on a 256-row sample and
 * printed next to the optimum for a Gaussian matrix's spectrum (unknown without the exact SVD, so the captured energy
 * is printed instead).
 */
public final class SvdBench {
    private SvdBench() {}

    public static void main(String[] args) {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int rank = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        SplittableRandom random = new SplittableRandom(1);
        float[] a = new float[side * side];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.02);
        }
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            TruncatedSvd.Result r = TruncatedSvd.compute(a, side, side, new TruncatedSvd.Target.Rank(rank), 1,
                    threads);
            long t1 = System.nanoTime();
            System.out.printf("%dx%d rank %d, %d threads: %.2f s, energy kept %.4f, s_1 %.4f, s_%d %.4f%n", side,
                    side, rank, threads, (t1 - t0) / 1e9, r.retainedEnergy(), r.s()[0], rank, r.s()[rank - 1]);
        }
    }
}
