package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Lloyd's iterations as properties over arbitrary weights, including repeated values and tiny tensors. */
class KMeans1DProperties {
    @Property(tries = 300, seed = "20261125")
    void errorNeverRisesAndMatchesTheCodebook(
            @ForAll @Size(min = 1, max = 300) float @FloatRange(min = -4, max = 4) [] values,
            @ForAll @IntRange(min = 1, max = 6) int bits, @ForAll @IntRange(min = 1, max = 25) int iterations) {
        KMeans1D.Result r = KMeans1D.cluster(Tensor.ofFloats(new int[] {values.length}, values), bits, iterations);
        double[] errors = r.errors();
        for (int i = 1; i < errors.length; i++) {
            assertThat(errors[i]).isLessThanOrEqualTo(errors[i - 1] * (1 + 1e-12) + 1e-30);
        }
        float[] decoded = r.codebook().materialize().floats();
        double sse = 0;
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - decoded[i];
            sse += d * d;
        }
        assertThat(sse).isCloseTo(r.error(), org.assertj.core.data.Offset.offset(1e-6 * (1 + r.error())));
    }
}
