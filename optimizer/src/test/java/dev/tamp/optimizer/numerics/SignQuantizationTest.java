package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.RandomTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Binary and ternary weights: exact values, the scales and thresholds of XNOR-Net and TWN, honest byte counts. */
class SignQuantizationTest {
    @Test
    void binaryIsSignTimesTheChannelsMeanMagnitude() {
        Random random = new Random(7);
        for (int[] shape : RandomTensors.SHAPES) {
            for (int kind = 0; kind < RandomTensors.KINDS; kind++) {
                Tensor w = RandomTensors.of(shape, kind, random);
                for (int axis = -1; axis < shape.length; axis++) {
                    Representation r = SignQuantization.binary(w, axis);
                    assertThat(r).isInstanceOf(axis < 0 ? Codebook.class : AffineQuantized.class);
                    float[] alpha = meanAbs(w, axis);
                    ChannelLayout layout = ChannelLayout.of(shape, axis);
                    float[] x = w.floats();
                    float[] y = r.materialize().floats();
                    for (int k = 0; k < x.length; k++) {
                        float a = alpha[layout.channelOf(k)];
                        assertThat(y[k]).isEqualTo(x[k] >= 0 ? a : -a);
                    }
                    assertThat(r.storedBytes()).isEqualTo(r.serialize().length);
                }
            }
        }
    }

    @Test
    void ternaryZeroesBelowSevenTenthsOfTheMeanAndScalesTheRest() {
        Random random = new Random(8);
        for (int[] shape : RandomTensors.SHAPES) {
            for (int kind = 0; kind < RandomTensors.KINDS; kind++) {
                Tensor w = RandomTensors.of(shape, kind, random);
                for (int axis = -1; axis < shape.length; axis++) {
                    AffineQuantized q = SignQuantization.ternary(w, axis);
                    ChannelLayout layout = ChannelLayout.of(shape, axis);
                    float[] threshold = meanAbs(w, axis);
                    float[] x = w.floats();
                    float[] y = q.materialize().floats();
                    for (int k = 0; k < x.length; k++) {
                        double delta = SignQuantization.TERNARY_THRESHOLD * threshold[layout.channelOf(k)];
                        if (Math.abs(x[k]) > delta) {
                            assertThat(Math.signum(y[k])).isEqualTo(Math.signum(x[k]));
                            assertThat(Math.abs(y[k])).isEqualTo(q.scales()[layout.channelOf(k)]);
                        } else {
                            assertThat(y[k]).isZero();
                        }
                    }
                    assertThat(q.bits()).isEqualTo(2);
                    assertThat(q.storedBytes()).isEqualTo(q.serialize().length);
                }
            }
        }
    }

    @Test
    void ternaryScaleIsTheMeanOfTheKeptMagnitudes() {
        Tensor w = Tensor.ofFloats(new int[] {1, 4}, new float[] {1f, -3f, 0.1f, 0f});
        // mean |w| = 1.025, threshold 0.7175: keeps 1 and -3, whose mean magnitude is 2.
        AffineQuantized q = SignQuantization.ternary(w, 0);
        assertThat(q.materialize().floats()).containsExactly(2f, -2f, 0f, 0f);
    }

    /** The float32 mean |w| per channel, as the passes compute it. */
    private static float[] meanAbs(Tensor w, int axis) {
        ChannelLayout layout = ChannelLayout.of(w.shape(), axis);
        double[] sum = new double[layout.channels()];
        long[] n = new long[layout.channels()];
        float[] x = w.floats();
        for (int k = 0; k < x.length; k++) {
            sum[layout.channelOf(k)] += Math.abs(x[k]);
            n[layout.channelOf(k)]++;
        }
        float[] a = new float[sum.length];
        for (int c = 0; c < a.length; c++) {
            a[c] = (float) (sum[c] / n[c]);
        }
        return a;
    }
}
