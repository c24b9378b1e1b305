package dev.tamp.model.ops;

/**
 * Plain Java GEMM: the innermost loop runs over contiguous columns of B and C so that HotSpot's superword pass turns
 * it into SIMD, four rows of C share each loaded row of B, and columns are blocked so those rows stay in L1.
 */
public final class PlainJavaMatrixKernels implements MatrixKernels {
    static final PlainJavaMatrixKernels INSTANCE = new PlainJavaMatrixKernels();

    // 4 rows x 512 floats of C = 8 KiB, well inside a 32 KiB L1 alongside the streamed row of B.
    private static final int COLUMN_BLOCK = 512;

    private PlainJavaMatrixKernels() {}

    @Override
    public void gemmF32(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc) {
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                rows4(i, j0, j1, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
            for (; i < m; i++) {
                row1(i, j0, j1, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        }
    }

    private static void rows4(int i, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc) {
        int a0 = aOff + i * lda;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int c0 = cOff + i * ldc;
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        for (int p = 0; p < k; p++) {
            float v0 = a[a0 + p];
            float v1 = a[a1 + p];
            float v2 = a[a2 + p];
            float v3 = a[a3 + p];
            int bp = bOff + p * ldb;
            for (int j = j0; j < j1; j++) {
                float bv = b[bp + j];
                c[c0 + j] += v0 * bv;
                c[c1 + j] += v1 * bv;
                c[c2 + j] += v2 * bv;
                c[c3 + j] += v3 * bv;
            }
        }
    }

    private static void row1(int i, int j0, int j1, int k, float[] a, int aOff, int lda, float[] b, int bOff,
            int ldb, float[] c, int cOff, int ldc) {
        int ai = aOff + i * lda;
        int ci = cOff + i * ldc;
        for (int p = 0; p < k; p++) {
            float v = a[ai + p];
            int bp = bOff + p * ldb;
            for (int j = j0; j < j1; j++) {
                c[ci + j] += v * b[bp + j];
            }
        }
    }
}
