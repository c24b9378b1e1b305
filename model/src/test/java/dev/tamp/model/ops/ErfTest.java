package dev.tamp.model.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErfTest {
    /** Reference values to 15 digits (erf(2.4999) by first-order expansion around erf(2.5), error ~1e-12). */
    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "0.1, 0.1124629160182849",
        "0.5, 0.5204998778130465",
        "1, 0.8427007929497149",
        "-1.5, -0.9661051464753108",
        "2, 0.9953222650189527",
        "2.4999, 0.9995928301",
        "2.5, 0.9995930479825550",
        "3, 0.9999779095030014",
        "5, 0.9999999999984626",
    })
    void matchesReferenceValues(double x, double expected) {
        // 1e-9 is far below float32 resolution near 1 (6e-8), the precision the operators return.
        assertThat(ElementwiseOps.erf(x)).isCloseTo(expected, Offset.offset(1e-9));
    }
}
