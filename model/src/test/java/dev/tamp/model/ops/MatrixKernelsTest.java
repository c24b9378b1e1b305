package dev.tamp.model.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each GEMM against a naive triple loop in double precision, and ND4J against plain Java, on awkward sizes. The sizes
 * with at least {@link Nd4jMatrixKernels#MIN_ROWS} rows go through ND4J; the others check its plain Java fallback.
 */
class MatrixKernelsTest {
    private static final MatrixKernels ND4J = KernelSelection.select("nd4j");

    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "4,4,4", "7,207,13", "13,702,3", "33,49,1152", "5,1,9", "8,1,1", "9,207,702",
        "50,64,500", "129,979,1153"})
    void plainJavaMatchesNaiveProduct(int m, int n, int k) {
        checkAgainstNaive(MatrixKernels.plainJava(), m, n, k);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "7,207,13", "8,1,1", "13,702,3", "33,49,1152", "9,207,702", "50,64,500",
        "129,979,1153"})
    void nd4jMatchesNaiveProductAndPlainJava(int m, int n, int k) {
        assumeTrue(ND4J instanceof Nd4jMatrixKernels, "ND4J's native libraries are not available here");
        float[][] viaNd4j = checkAgainstNaive(ND4J, m, n, k);
        float[][] viaPlain = checkAgainstNaive(MatrixKernels.plainJava(), m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                // Both are within the Higham bound of the exact product, so within twice it of each other; in
                // practice they differ by a few ulps of the largest partial sum.
                assertThat((double) viaNd4j[i][j]).isCloseTo(viaPlain[i][j], Offset.offset(2 * bound(k)));
            }
        }
    }

    @Test
    void unknownKernelNameFallsBackToPlainJava() {
        assertThat(KernelSelection.select("cuda")).isSameAs(MatrixKernels.plainJava());
        assertThat(KernelSelection.select("plain")).isSameAs(MatrixKernels.plainJava());
    }

    /** A loose bound valid for every size above: inputs lie in [-1, 1], so sum |terms| is at most k + 1. */
    private static double bound(int k) {
        return (k + 1) * Math.ulp(1f) / 2 * (k + 1);
    }

    private static float[][] checkAgainstNaive(MatrixKernels kernels, int m, int n, int k) {
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
        kernels.gemmF32(m, n, k, a, 2, lda, b, c);
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
                assertThat((double) c[i][j]).isCloseTo(expected, Offset.offset(bound));
            }
            // Columns past n are untouched.
            assertThat(c[i][n]).isEqualTo(before[i][n]);
            assertThat(c[i][n + 1]).isEqualTo(before[i][n + 1]);
        }
        return c;
    }
}
