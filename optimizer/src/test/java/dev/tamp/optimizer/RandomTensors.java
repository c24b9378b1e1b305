package dev.tamp.optimizer;

import dev.tamp.model.ir.Tensor;
import java.util.List;
import java.util.Random;

/** Random and awkward tensors for the property tests: odd sizes, ties, zeros, outliers, one-signed values. */
public final class RandomTensors {
    /** Shapes including single elements, primes and the odd sizes vectorized code trips on. */
    public static final List<int[]> SHAPES = List.of(new int[] {1}, new int[] {1, 1}, new int[] {7}, new int[] {3, 5},
            new int[] {207}, new int[] {2, 702}, new int[] {6, 1, 5, 5}, new int[] {16, 6, 5, 5},
            new int[] {10, 84}, new int[] {3, 3, 3, 3}, new int[] {13, 1}, new int[] {1, 13});

    private RandomTensors() {}

    /** A tensor of the given shape whose values follow one of several distributions chosen by {@code kind}. */
    public static Tensor of(int[] shape, int kind, Random random) {
        int n = (int) Tensor.elementCount(shape);
        float[] x = new float[n];
        double scale = Math.pow(10, random.nextInt(7) - 4);
        for (int i = 0; i < n; i++) {
            x[i] = (float) switch (kind % 7) {
                case 0 -> random.nextGaussian() * scale;
                case 1 -> (random.nextDouble() - 0.5) * scale;
                case 2 -> 0.0;
                case 3 -> random.nextInt(5) * scale; // ties, non-negative
                case 4 -> -Math.abs(random.nextGaussian()) * scale;
                case 5 -> i == n / 2 ? 100 * scale : random.nextGaussian() * scale; // one outlier
                default -> 0.25 * scale; // all equal
            };
        }
        return Tensor.ofFloats(shape, x);
    }

    public static final int KINDS = 7;
}
