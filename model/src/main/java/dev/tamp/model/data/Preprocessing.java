package dev.tamp.model.data;

import dev.tamp.model.ir.Tensor;

/**
 * Turns raw pixels into a model's input: {@code x = (pixel / divisor - mean) / std}, laid out as [N, 1, rows, cols].
 * The scale is a divisor, not a multiplier, because {@code p / 255f} and {@code p * (1f / 255f)} differ in the last
 * bit for some pixels, and the reference models were evaluated with the division.
 */
public record Preprocessing(float divisor, float mean, float std) {
    public Preprocessing {
        if (!(std > 0) || !(divisor > 0) || !Float.isFinite(divisor) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException("need a finite divisor > 0, a finite mean and std > 0");
        }
    }

    /** Pixel / 255 with no normalization, as the reference models were trained. */
    public static Preprocessing unitScale() {
        return new Preprocessing(255f, 0f, 1f);
    }

    /** Images [from, to) as a float tensor [to - from, 1, rows, cols]. */
    public Tensor batch(LabeledImages data, int from, int to) {
        int p = data.pixelsPerImage();
        float[] x = new float[(to - from) * p];
        byte[] px = data.pixels();
        boolean plain = mean == 0f && std == 1f;
        for (int i = 0; i < x.length; i++) {
            float v = (px[from * p + i] & 0xff) / divisor;
            x[i] = plain ? v : (v - mean) / std;
        }
        return Tensor.ofFloats(new int[] {to - from, 1, data.rows(), data.cols()}, x);
    }
}
