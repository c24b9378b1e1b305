package dev.tamp.model.ops;

/**
 * Plain Java GEMM: the innermost loop runs over contiguous columns of one row of B and four rows of C, all indexed
 * from zero, so HotSpot's superword pass turns it into SIMD and each loaded element of B serves four rows of C.
 */
public final class PlainJavaMatrixKernels implements MatrixKernels {
    static final PlainJavaMatrixKernels INSTANCE = new PlainJavaMatrixKernels();

    /**
     * Rows of B processed per pass over C: 256 rows of ~1,000 floats (1 MiB) stay in L2 while every row of C passes
     * over them; measured 13.4 -> 18.9 GMAC/s for the 128 x 1152 x 980 products of resnet8's last stage.
     */
    private static final int K_BLOCK = 256;

    private PlainJavaMatrixKernels() {}

    @Override
    public void gemmF32(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, float[][] cRows) {
        // Blocking over k changes only which partial sums are stored between passes, not their order: each C
        // element still adds its k products in increasing p, so results are identical to the unblocked loop.
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
            block(m, n, p0, Math.min(k, p0 + K_BLOCK), a, aOff, lda, bRows, cRows);
        }
    }

    private static void block(int m, int n, int p0, int p1, float[] a, int aOff, int lda, float[][] bRows,
            float[][] cRows) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * lda;
            int a1 = a0 + lda;
            int a2 = a1 + lda;
            int a3 = a2 + lda;
            float[] c0 = cRows[i];
            float[] c1 = cRows[i + 1];
            float[] c2 = cRows[i + 2];
            float[] c3 = cRows[i + 3];
            for (int p = p0; p < p1; p++) {
                float v0 = a[a0 + p];
                float v1 = a[a1 + p];
                float v2 = a[a2 + p];
                float v3 = a[a3 + p];
                float[] b = bRows[p];
                for (int j = 0; j < n; j++) {
                    float bv = b[j];
                    c0[j] += v0 * bv;
                    c1[j] += v1 * bv;
                    c2[j] += v2 * bv;
                    c3[j] += v3 * bv;
                }
            }
        }
        for (; i < m; i++) {
            int ai = aOff + i * lda;
            float[] c = cRows[i];
            for (int p = p0; p < p1; p++) {
                float v = a[ai + p];
                float[] b = bRows[p];
                for (int j = 0; j < n; j++) {
                    c[j] += v * b[j];
                }
            }
        }
    }
}
