package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;

/**
 * Binary and ternary weights with a scale per channel (or per tensor), stored exactly in existing representations.
 *
 * <p>Binary (XNOR-Net, Rastegari et al. 2016): {@code sign(w) * mean|w|} over the channel, with {@code sign(0) = +1};
 * the mean of |w| is the scale that minimizes the squared error for fixed signs. Ternary (TWN, Li et al. 2016):
 * elements with {@code |w| <= 0.7 mean|w|} become 0, the others {@code sign(w) * alpha} with {@code alpha} the mean
 * |w| of the survivors, again the least-squares scale for that support.
 *
 * <p>Per channel both are {@code AffineQuantized}, signed 2-bit codes in {-1, 0, +1} with zero point 0, so the
 * product {@code (float) code * scale} is exactly {@code +-scale} or 0. A per-tensor binary weight is a 1-bit
 * {@code Codebook} {-alpha, +alpha}, since AffineQuantized has no 1-bit codes.
 */
public final class SignQuantization {
    /** TWN's threshold factor: Delta = 0.7 E|w|, their approximation for Gaussian or uniform weights. */
    public static final double TERNARY_THRESHOLD = 0.7;

    private SignQuantization() {}

    public static Representation binary(Tensor w, int axis) {
        float[] x = w.floats();
        ChannelLayout layout = ChannelLayout.of(w.shape(), axis);
        double[] sum = new double[layout.channels()];
        long[] count = new long[layout.channels()];
        for (int k = 0; k < x.length; k++) {
            int c = layout.channelOf(k);
            sum[c] += Math.abs(x[k]);
            count[c]++;
        }
        float[] alpha = new float[layout.channels()];
        for (int c = 0; c < alpha.length; c++) {
            alpha[c] = (float) (sum[c] / count[c]);
        }
        if (axis < 0) {
            if (alpha[0] == 0f) {
                return new Codebook(w.shape(), 1, new float[] {0f}, new int[x.length]);
            }
            int[] indices = new int[x.length];
            for (int k = 0; k < x.length; k++) {
                indices[k] = x[k] >= 0 ? 1 : 0;
            }
            return new Codebook(w.shape(), 1, new float[] {-alpha[0], alpha[0]}, indices);
        }
        int[] codes = new int[x.length];
        for (int k = 0; k < x.length; k++) {
            codes[k] = alpha[layout.channelOf(k)] == 0f ? 0 : x[k] >= 0 ? 1 : -1;
        }
        return new AffineQuantized(w.shape(), 2, true, axis, positive(alpha), new int[alpha.length], codes);
    }

    public static AffineQuantized ternary(Tensor w, int axis) {
        float[] x = w.floats();
        ChannelLayout layout = ChannelLayout.of(w.shape(), axis);
        int channels = layout.channels();
        int[] codes = ternaryCodes(x, layout);
        double[] keptSum = new double[channels];
        long[] kept = new long[channels];
        for (int k = 0; k < x.length; k++) {
            if (codes[k] != 0) {
                int c = layout.channelOf(k);
                keptSum[c] += Math.abs(x[k]);
                kept[c]++;
            }
        }
        float[] alpha = new float[channels];
        for (int c = 0; c < channels; c++) {
            alpha[c] = kept[c] == 0 ? 0f : (float) (keptSum[c] / kept[c]);
        }
        return new AffineQuantized(w.shape(), 2, true, axis, positive(alpha), new int[channels], codes);
    }

    /**
     * TWN's codes: 0 where {@code |w| <= 0.7 mean|w|} over the element's channel, else the sign of w. Also the
     * straight-through estimator's rule when ternary weights are fine-tuned.
     */
    public static int[] ternaryCodes(float[] x, ChannelLayout layout) {
        int channels = layout.channels();
        double[] sum = new double[channels];
        long[] count = new long[channels];
        for (int k = 0; k < x.length; k++) {
            int c = layout.channelOf(k);
            sum[c] += Math.abs(x[k]);
            count[c]++;
        }
        double[] threshold = new double[channels];
        for (int c = 0; c < channels; c++) {
            threshold[c] = TERNARY_THRESHOLD * sum[c] / count[c];
        }
        int[] codes = new int[x.length];
        for (int k = 0; k < x.length; k++) {
            if (Math.abs(x[k]) > threshold[layout.channelOf(k)]) {
                codes[k] = x[k] > 0 ? 1 : -1;
            }
        }
        return codes;
    }

    /** Zero scales only occur with all-zero codes; any positive scale then gives the same zeros. */
    private static float[] positive(float[] alpha) {
        float[] s = alpha.clone();
        for (int c = 0; c < s.length; c++) {
            if (!(s[c] > 0)) {
                s[c] = 1f;
            }
        }
        return s;
    }
}
