package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.Tensor;
import java.util.List;
import java.util.Random;

/**
 * Times the passes' numerics on one large Gaussian layer (issue C: k-means on 4096x4096 in a few seconds). Arguments:
 * the side (default 4096) and the repetitions (default 3); each line is one timed call after none, so the first
 * includes JIT warm-up.
 */
public final class LargeLayerBench {
    private LargeLayerBench() {}

    public static void main(String[] args) {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Random random = new Random(1);
        float[] x = new float[side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 0.02);
        }
        Tensor w = Tensor.ofFloats(new int[] {side, side}, x);
        for (int rep = 0; rep < reps; rep++) {
            long t0 = System.nanoTime();
            KMeans1D.Result r = KMeans1D.cluster(w, 4, 30);
            long t1 = System.nanoTime();
            AffineQuantization.quantize(w, 8, true, 0);
            long t2 = System.nanoTime();
            MagnitudeSelection.prune(w, MagnitudeSelection.smallest(List.of(w), x.length / 2)[0]);
            long t3 = System.nanoTime();
            System.out.printf("%dx%d: k-means 16 centroids %.2f s (%d iterations), int8 per channel %.2f s, "
                    + "magnitude 50 %% %.2f s%n", side, side, (t1 - t0) / 1e9, r.errors().length - 1,
                    (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }
    }
}
