package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.RandomTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties of uniform quantization over random and awkward tensors (fixed seed; every shape, distribution, bit
 * width, symmetry and granularity).
 *
 * <p>Tolerance: in real arithmetic every element is within half a step of its dequantized value; the dequantized
 * value is one float32 product, rounded once, which adds at most half an ulp of it. We allow {@code scale / 2} plus
 * one ulp of {@code |w| + scale}, which is that bound with room for the double division that picks the code.
 */
class AffineQuantizationTest {
    @Test
    void quantizeDequantizeErrorIsAtMostHalfAStep() {
        Random random = new Random(20261125);
        int cases = 0;
        for (int[] shape : RandomTensors.SHAPES) {
            for (int kind = 0; kind < RandomTensors.KINDS; kind++) {
                Tensor w = RandomTensors.of(shape, kind, random);
                for (int bits = 2; bits <= 8; bits++) {
                    for (boolean symmetric : new boolean[] {true, false}) {
                        for (int axis = -1; axis < shape.length; axis++) {
                            check(w, AffineQuantization.quantize(w, bits, symmetric, axis));
                            cases++;
                        }
                    }
                }
            }
        }
        assertThat(cases).isGreaterThan(2000);
    }

    private static void check(Tensor w, AffineQuantized q) {
        float[] x = w.floats();
        float[] y = q.materialize().floats();
        ChannelLayout layout = ChannelLayout.of(w.shape(), q.axis());
        float[] scales = q.scales();
        for (int k = 0; k < x.length; k++) {
            float scale = scales[layout.channelOf(k)];
            double bound = scale / 2.0 + Math.ulp(Math.abs(x[k]) + scale);
            assertThat(Math.abs((double) x[k] - y[k])).as("element %d of %s", k, q).isLessThanOrEqualTo(bound);
        }
        assertThat(q.storedBytes()).isEqualTo(q.serialize().length);
        assertThat(q.symmetric() || !q.signed()).isTrue();
    }

    @Test
    void symmetricUsesTheNarrowRangeAndExactZero() {
        Tensor w = Tensor.ofFloats(new int[] {2, 3}, new float[] {-1f, 0f, 0.5f, 2f, -0.25f, 0f});
        AffineQuantized q = AffineQuantization.quantize(w, 8, true, 0);
        assertThat(q.scales()).containsExactly(1f / 127, 2f / 127);
        assertThat(q.codes()).containsExactly(-127, 0, 64, 127, -16, 0);
        assertThat(q.materialize().floats()[1]).isZero();
    }

    @Test
    void asymmetricCoversTheRangeIncludingZero() {
        Tensor w = Tensor.ofFloats(new int[] {4}, new float[] {0.5f, 1f, 1.5f, 2f});
        AffineQuantized q = AffineQuantization.quantize(w, 2, false, -1);
        // The range is stretched to include 0: [0, 2] in 3 steps.
        assertThat(q.zeroPoints()).containsExactly(0);
        assertThat(q.scales()[0]).isEqualTo(2f / 3);
        // 1 / (2/3) = 1.5 rounds down: the float32 scale is slightly above 2/3.
        assertThat(q.codes()).containsExactly(1, 1, 2, 3);
    }

    @Test
    void refusesBitWidthsOutsideTwoToEight() {
        Tensor w = Tensor.ofFloats(new int[] {2}, new float[] {1f, 2f});
        assertThatThrownBy(() -> AffineQuantization.quantize(w, 1, true, -1)).hasMessageContaining("2 to 8 bits");
        assertThatThrownBy(() -> AffineQuantization.quantize(w, 9, true, -1)).hasMessageContaining("2 to 8 bits");
    }
}
