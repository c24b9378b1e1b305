package dev.tamp.optimizer.numerics;

import java.util.SplittableRandom;

/**
 * Times the truncated SVD on one Gaussian layer (σ = 0.02; the issue: a 4096 × 4096 layer in a few seconds on two
 * cores). Arguments: shape ({@code 4096} for a square, or {@code 800x500}), target ({@code 256} for a rank,
 * {@code e0.5} for an energy fraction, {@code full} for every triplet of the exact path), threads (2), repetitions
 * (3). Each line is one timed call, the first including JIT warm-up and (on the LAPACK path) loading the natives.
 */
public final class SvdBench {
    private SvdBench() {}

    public static void main(String[] args) {
        String shape = args.length > 0 ? args[0] : "4096";
        String target = args.length > 1 ? args[1] : "256";
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int m;
        int n;
        if (shape.contains("x")) {
            m = Integer.parseInt(shape.substring(0, shape.indexOf('x')));
            n = Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
        } else {
            m = Integer.parseInt(shape);
            n = m;
        }
        SplittableRandom random = new SplittableRandom(1);
        float[] a = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.02);
        }
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            TruncatedSvd.Result r;
            if (target.equals("full")) {
                r = TruncatedSvd.exact(a, m, n);
            } else if (target.startsWith("e")) {
                r = TruncatedSvd.compute(a, m, n, new TruncatedSvd.Target.Energy(Double.parseDouble(target
                        .substring(1))), 1, threads);
            } else {
                r = TruncatedSvd.compute(a, m, n, new TruncatedSvd.Target.Rank(Integer.parseInt(target)), 1,
                        threads);
            }
            long t1 = System.nanoTime();
            System.out.printf("%dx%d %s, %d threads: %.2f s, rank %d, energy kept %.4f, s_1 %.6f, s_%d %.6f%n", m, n,
                    target, threads, (t1 - t0) / 1e9, r.rank(), r.retainedEnergy(), r.s()[0], r.rank(),
                    r.s()[r.rank() - 1]);
        }
    }
}
