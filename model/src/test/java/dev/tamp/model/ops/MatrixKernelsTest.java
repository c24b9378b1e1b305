package dev.tamp.model.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The blocked GEMM against a naive triple loop in double precision, on awkward sizes. */
class MatrixKernelsTest {
    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "4,4,4", "7,207,13", "13,702,3", "33,49,1152", "5,1,9"})
    void gemmMatchesNaiveProduct(int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(m * 1000L + n * 10L + k);
        int lda = k + 3;
        float[] a = new float[2 + m * lda];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        float[][] b = new float[k][n];
        float[][] c = new float[m][n + 2];
        for (float[] row : b) {
            for (int j = 0; j < n; j++) {
                row[j] = (float) r.nextDouble(-1, 1);
            }
        }
        for (float[] row : c) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextDouble(-1, 1);
            }
        }
        float[][] before = new float[m][];
        for (int i = 0; i < m; i++) {
            before[i] = c[i].clone();
        }
        MatrixKernels.defaultKernels().gemmF32(m, n, k, a, 2, lda, b, c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double expected = before[i][j];
                double magnitude = Math.abs(before[i][j]);
                for (int p = 0; p < k; p++) {
                    expected += (double) a[2 + i * lda + p] * b[p][j];
                    magnitude += Math.abs((double) a[2 + i * lda + p] * b[p][j]);
                }
                // float32 accumulation: error bounded by k * eps * sum |terms| (Higham), eps = 2^-24.
                double bound = (k + 1) * Math.ulp(1f) / 2 * magnitude;
                assertThat((double) c[i][j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(bound));
            }
            // Columns past n are untouched.
            assertThat(c[i][n]).isEqualTo(before[i][n]);
        }
    }
}
