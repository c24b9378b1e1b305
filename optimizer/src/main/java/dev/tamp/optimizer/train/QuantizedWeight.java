package dev.tamp.optimizer.train;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.numerics.ChannelLayout;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.Arrays;
import java.util.List;

/**
 * An integer-coded weight ({@code w = (code - zeroPoint) * scale} per channel) trained with a straight-through
 * estimator (Bengio et al. 2013; BinaryConnect, Courbariaux et al. 2015): a float shadow weight per element takes the
 * optimizer's steps, the codes are re-derived from the shadows after every step by the quantizer's own rule, and the
 * layers compute with the dequantized codes. The gradient with respect to a shadow is the gradient with respect to its
 * dequantized weight (the rounding is passed through as the identity).
 *
 * <p>The shadows start at the float weights the quantizer rounded when those are known ({@link #of(String,
 * AffineQuantized, float[])}: the pipeline keeps them from before the quantization stage), so the rule reproduces the
 * stored codes exactly and the first steps already move the weights closest to a boundary; otherwise they start at
 * the dequantized values, which the rule also maps back to the stored codes.
 *
 * <p>Three grids. With the float weights known, the grid is the first of uniform, ternary and binary whose rule
 * reproduces the stored codes from them (a 2-bit symmetric uniform weight and a ternary one share a stored form, not a
 * rule); without them, the stored form decides: signed 2-bit codes with zero points 0 are binary when no channel mixes
 * zero and nonzero codes, else ternary; anything else is uniform.
 * <ul>
 *   <li>{@link Grid#UNIFORM}: the pass's affine grid stays fixed, scales and zero points included, and a code is the
 *       nearest grid point of its shadow clamped to the codes the pass uses ({@code round(w / s) + z}, as {@code
 *       AffineQuantization} rounds; a symmetric grid keeps its narrow range without {@code -2^(b-1)}). Re-deriving the
 *       grid from the shadows instead would re-round every weight of a channel whenever its extreme moved. The shadows
 *       are clipped to the grid's range after each step, as BinaryConnect clips, so that no shadow drifts where no
 *       gradient brings it back.
 *   <li>{@link Grid#TERNARY}: signed 2-bit codes with zero points 0 ({@code quantize ternary}, and 2-bit symmetric
 *       uniform, the same stored form): TWN's rule on the shadows (0 where {@code |w| <= 0.7 mean|w|} over the
 *       channel, else the sign), and the scale {@code a} of each channel trained by its own gradient, {@code dL/da =
 *       sum of dL/dw * code} over the channel, as trained ternary quantization (Zhu et al. 2017) trains its scales
 *       instead of re-fitting them. Ternary shadows are not clipped: clipping would move the threshold.
 *   <li>{@link Grid#BINARY}: codes in {-1, +1} ({@code quantize binary}), the sign of the shadow ({@code sign(0) = +1},
 *       as {@code SignQuantization}), scales trained as for ternary, shadows clipped to {@code [-a, a]}. A per-tensor binary
 *       weight is stored as a 1-bit codebook {@code {-a, +a}} and trains the same way with one scale.
 * </ul>
 * A binary or ternary channel whose codes are all zero (a zero channel of the original, stored with a placeholder
 * scale) stays zero. Bits, axis, zero points and the stored size never change; trained scales are kept positive.
 */
public final class QuantizedWeight extends TrainableWeight {
    /** How the codes follow the shadows, and whether the scales train. */
    public enum Grid { UNIFORM, TERNARY, BINARY }

    /** Trained scales are kept at least this: AffineQuantized needs positive scales, and 0 would freeze a channel. */
    private static final float MIN_SCALE = Float.MIN_NORMAL;

    private final Rule rule;
    private final Parameter shadow;
    private final Parameter scales;
    private final int[] codes;
    private final Rebuild rebuild;

    /** The stored representation of the current codes and scales. */
    @FunctionalInterface
    private interface Rebuild {
        Representation of(int[] codes, float[] scales);
    }

    /**
     * A grid's rule from shadows to codes, over channels along one axis.
     *
     * @param lowest the lowest code the grid uses, {@code highest} the highest
     * @param frozen channels that stay zero (binary and ternary channels stored all zero)
     */
    private record Rule(Grid grid, ChannelLayout layout, int lowest, int highest, int[] zeroPoints, boolean[] frozen) {
        static Rule of(Grid grid, ChannelLayout layout, int lowest, int highest, int[] zeroPoints, int[] codes) {
            boolean[] frozen = new boolean[zeroPoints.length];
            if (grid != Grid.UNIFORM) {
                Arrays.fill(frozen, true);
                for (int k = 0; k < codes.length; k++) {
                    frozen[layout.channelOf(k)] &= codes[k] == 0;
                }
            }
            return new Rule(grid, layout, lowest, highest, zeroPoints, frozen);
        }

        /**
         * Clips the shadows {@code w} to the grid's range (uniform and binary; it never changes a code) and writes
         * their codes.
         */
        void apply(float[] w, float[] scales, int[] codes) {
            int[] ternary = grid == Grid.TERNARY ? SignQuantization.ternaryCodes(w, layout) : null;
            for (int k = 0; k < w.length; k++) {
                int c = layout.channelOf(k);
                if (frozen[c]) {
                    w[k] = 0f;
                    codes[k] = 0;
                    continue;
                }
                switch (grid) {
                    case UNIFORM -> {
                        float lo = (float) (lowest - zeroPoints[c]) * scales[c];
                        float hi = (float) (highest - zeroPoints[c]) * scales[c];
                        w[k] = Math.max(lo, Math.min(hi, w[k]));
                        codes[k] = (int) Math.max(lowest, Math.min(highest, Math.rint(w[k] / (double) scales[c])
                                + zeroPoints[c]));
                    }
                    case TERNARY -> codes[k] = ternary[k];
                    case BINARY -> {
                        w[k] = Math.max(-scales[c], Math.min(scales[c], w[k]));
                        codes[k] = w[k] >= 0 ? 1 : -1;
                    }
                }
            }
        }

        /** Whether the rule gives exactly {@code codes} for the weights {@code w}. */
        boolean reproduces(float[] w, float[] scales, int[] codes) {
            int[] derived = new int[codes.length];
            apply(w.clone(), scales, derived);
            return Arrays.equals(derived, codes);
        }
    }

    private QuantizedWeight(String name, int[] dims, Rule rule, float[] scales, int[] codes, float[] floats,
            Rebuild rebuild) {
        super(name, dims, new float[codes.length]);
        this.rule = rule;
        this.codes = codes.clone();
        this.rebuild = rebuild;
        this.scales = new Parameter(name + "/scales", scales.clone(), new float[scales.length]);
        dequantize();
        this.shadow = new Parameter(name + "/shadow", floats != null ? floats.clone() : dense().clone(), denseGrad());
    }

    /** The trainable form of affine integer codes, the shadows starting at the dequantized values. */
    public static QuantizedWeight of(String name, AffineQuantized q) {
        return of(name, q, null);
    }

    /**
     * The trainable form of affine integer codes: uniform, ternary or binary (see above), the shadows starting at
     * {@code floats}, the weights the quantizer rounded (null: at the dequantized values). Floats from which no grid's
     * rule gives the stored codes are not what was quantized, and the shadows start at the dequantized values.
     */
    public static QuantizedWeight of(String name, AffineQuantized q, float[] floats) {
        int[] codes = q.codes();
        int[] dims = q.dims();
        ChannelLayout layout = ChannelLayout.of(dims, q.axis());
        int highest = q.maxCode();
        int lowest = q.symmetric() && Arrays.stream(codes).noneMatch(c -> c == q.minCode()) ? -highest : q.minCode();
        int[] zeroPoints = q.zeroPoints();
        boolean sign = q.bits() == 2 && q.symmetric();
        List<Rule> candidates = (sign ? List.of(Grid.UNIFORM, Grid.TERNARY, Grid.BINARY) : List.of(Grid.UNIFORM))
                .stream().map(g -> Rule.of(g, layout, lowest, highest, zeroPoints, codes)).toList();
        Rule stored = Rule.of(sign ? storedGrid(layout, codes) : Grid.UNIFORM, layout, lowest, highest, zeroPoints,
                codes);
        int bits = q.bits();
        boolean signed = q.signed();
        int axis = q.axis();
        return of(name, dims, candidates, stored, q.scales(), codes, floats,
                (c, s) -> new AffineQuantized(dims, bits, signed, axis, s, zeroPoints, c));
    }

    /** A per-tensor binary weight: a 1-bit codebook {@code {-a, +a}} with {@code a > 0}. */
    public static boolean isBinaryCodebook(Codebook c) {
        float[] cs = c.centroids();
        return c.bits() == 1 && cs.length == 2 && cs[1] > 0 && cs[0] == -cs[1];
    }

    /**
     * Trains a per-tensor binary codebook as {@link Grid#BINARY} with one scale, the shadows starting at {@code floats}
     * (null: at the dequantized values); rebuilt as a codebook of the same form.
     */
    public static QuantizedWeight ofBinaryCodebook(String name, Codebook c, float[] floats) {
        if (!isBinaryCodebook(c)) {
            throw new IllegalArgumentException(name + ": not a binary codebook {-a, +a}");
        }
        int[] indices = c.indices();
        int[] codes = new int[indices.length];
        for (int k = 0; k < codes.length; k++) {
            codes[k] = indices[k] == 1 ? 1 : -1;
        }
        int[] dims = c.dims();
        Rule binary = Rule.of(Grid.BINARY, ChannelLayout.of(dims, -1), -1, 1, new int[1], codes);
        return of(name, dims, List.of(binary), binary, new float[] {c.centroids()[1]}, codes, floats, (cs, s) -> {
            int[] idx = new int[cs.length];
            for (int k = 0; k < cs.length; k++) {
                idx[k] = cs[k] > 0 ? 1 : 0;
            }
            return new Codebook(dims, 1, new float[] {-s[0], s[0]}, idx);
        });
    }

    /**
     * The weight with the first candidate rule that gives the stored codes from {@code floats}, its shadows starting
     * there; without floats, or when no candidate does, the {@code stored} form's rule with the shadows at the
     * dequantized values.
     */
    private static QuantizedWeight of(String name, int[] dims, List<Rule> candidates, Rule stored, float[] scales,
            int[] codes, float[] floats, Rebuild rebuild) {
        Rule rule = floats == null || floats.length != codes.length ? null
                : candidates.stream().filter(r -> r.reproduces(floats, scales, codes)).findFirst().orElse(null);
        return new QuantizedWeight(name, dims, rule == null ? stored : rule, scales, codes, rule == null ? null : floats,
                rebuild);
    }

    /** Signed 2-bit codes, zero points 0, without the floats: binary unless some channel mixes 0 and nonzero codes. */
    private static Grid storedGrid(ChannelLayout layout, int[] codes) {
        boolean[] zero = new boolean[layout.channels()];
        boolean[] nonzero = new boolean[layout.channels()];
        for (int k = 0; k < codes.length; k++) {
            int c = layout.channelOf(k);
            zero[c] |= codes[k] == 0;
            nonzero[c] |= codes[k] != 0;
        }
        for (int c = 0; c < zero.length; c++) {
            if (zero[c] && nonzero[c]) {
                return Grid.TERNARY;
            }
        }
        return Grid.BINARY;
    }

    public Grid grid() {
        return rule.grid();
    }

    @Override
    public List<Parameter> parameters() {
        return rule.grid() == Grid.UNIFORM ? List.of(shadow) : List.of(shadow, scales);
    }

    @Override
    public void pullGradient(Parallelism par) {
        // The shadows' gradient is the dense gradient itself (the straight-through estimator). A trained scale's is
        // the derivative of w = code * a with the codes held, summed in double over the channel.
        if (rule.grid() == Grid.UNIFORM) {
            return;
        }
        double[] sums = new double[scales.size()];
        float[] g = denseGrad();
        for (int k = 0; k < g.length; k++) {
            sums[rule.layout().channelOf(k)] += (double) g[k] * codes[k];
        }
        float[] out = scales.grad();
        for (int c = 0; c < sums.length; c++) {
            out[c] += (float) sums[c];
        }
    }

    @Override
    public void afterStep(Parallelism par) {
        float[] s = scales.value();
        if (rule.grid() != Grid.UNIFORM) {
            for (int c = 0; c < s.length; c++) {
                s[c] = Math.max(s[c], MIN_SCALE);
            }
        }
        rule.apply(shadow.value(), s, codes);
        dequantize();
    }

    /** The dense weight, computed exactly as {@link AffineQuantized#materialize()} does. */
    private void dequantize() {
        float[] w = dense();
        float[] s = scales.value();
        int[] zeroPoints = rule.zeroPoints();
        for (int k = 0; k < w.length; k++) {
            int c = rule.layout().channelOf(k);
            w[k] = (float) (codes[k] - zeroPoints[c]) * s[c];
        }
    }

    @Override
    public Representation toRepresentation() {
        return rebuild.of(codes.clone(), scales.value().clone());
    }
}
