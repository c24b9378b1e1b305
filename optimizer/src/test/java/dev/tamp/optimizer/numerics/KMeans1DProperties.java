package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.PropertyCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Lloyd's iterations as properties over arbitrary weights, including repeated values and tiny tensors. */
class KMeans1DProperties {
    @TestFactory
    Stream<DynamicTest> errorNeverRisesAndMatchesTheCodebook() {
        record Params(float[] values, int bits, int iterations) {}
        return PropertyCases.forAll(20261125, 300,
                g -> new Params(g.floats("values", 1, 300, -4, 4), g.ints("bits", 1, 6), g.ints("iterations", 1, 25)),
                c -> errorNeverRisesAndMatchesTheCodebook(c.values(), c.bits(), c.iterations()));
    }

    void errorNeverRisesAndMatchesTheCodebook(float[] values, int bits, int iterations) {
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
