package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Tensor;

/**
 * Uniform affine quantization of a float32 tensor to 2-8 bit codes, per tensor or per channel: round to nearest,
 * clamp. Symmetric codes use the narrow signed range {@code [-(2^(b-1) - 1), 2^(b-1) - 1]} with zero point 0 and
 * {@code scale = max|w| / (2^(b-1) - 1)}; asymmetric codes are unsigned {@code [0, 2^b - 1]} over
 * {@code [min(w, 0), max(w, 0)]} with a rounded zero point.
 *
 * <p>Either way every element is within half a step ({@code scale / 2}) of its dequantized value, up to the float32
 * rounding of the dequantized product: for symmetric codes no element lies beyond the outermost codes, and for
 * asymmetric ones the rounded zero point moves the grid's ends by at most half a step from the range's ends.
 */
public final class AffineQuantization {
    private AffineQuantization() {}

    /**
     * Quantizes {@code w}, of shape {@code dims}, with one scale per slice along {@code axis} (or -1 for one scale).
     */
    public static AffineQuantized quantize(Tensor w, int bits, boolean symmetric, int axis) {
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("uniform quantization needs 2 to 8 bits, got " + bits);
        }
        int[] dims = w.shape();
        float[] x = w.floats();
        ChannelLayout layout = ChannelLayout.of(dims, axis);
        int channels = layout.channels();
        float[] scales = new float[channels];
        int[] zeroPoints = new int[channels];
        int[] codes = new int[x.length];
        double[] lo = new double[channels];
        double[] hi = new double[channels];
        for (int k = 0; k < x.length; k++) {
            int c = layout.channelOf(k);
            lo[c] = Math.min(lo[c], x[k]);
            hi[c] = Math.max(hi[c], x[k]);
        }
        int qLo;
        int qHi;
        if (symmetric) {
            qHi = (1 << (bits - 1)) - 1;
            qLo = -qHi;
        } else {
            qLo = 0;
            qHi = (1 << bits) - 1;
        }
        for (int c = 0; c < channels; c++) {
            double range = symmetric ? Math.max(-lo[c], hi[c]) / qHi : (hi[c] - lo[c]) / qHi;
            float scale = (float) range;
            if (!(scale > 0) || !Float.isFinite(scale)) {
                // An all-zero channel (or one too small for float32): any positive scale gives exact zeros.
                scale = range > 0 ? Float.MIN_NORMAL : 1f;
            }
            scales[c] = scale;
            zeroPoints[c] = symmetric ? 0 : (int) Math.max(qLo, Math.min(qHi, Math.rint(-lo[c] / scale)));
        }
        for (int k = 0; k < x.length; k++) {
            int c = layout.channelOf(k);
            double q = Math.rint(x[k] / (double) scales[c]) + zeroPoints[c];
            codes[k] = (int) Math.max(qLo, Math.min(qHi, q));
        }
        return new AffineQuantized(dims, bits, symmetric, axis, scales, zeroPoints, codes);
    }
}
