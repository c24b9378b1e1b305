package dev.tamp.optimizer.train;

import dev.tamp.model.ops.MatrixKernels;

/**
 * {@link GemmKernel} on the executor's plain Java GEMM: the operands are copied into the row arrays that GEMM takes
 * (its loops vectorize only over zero-based rows), which costs {@code O(mk + kn + mn)} next to the {@code O(mnk)}
 * product. The scalar twin of {@link VectorGemmKernel}.
 */
final class PlainGemmKernel implements GemmKernel {
    static final PlainGemmKernel INSTANCE = new PlainGemmKernel();
    private static final MatrixKernels KERNELS = MatrixKernels.plainJava();

    private PlainGemmKernel() {}

    @Override
    public void multiplyAdd(int m, int n, int k, float[] a, int aOff, int[] aRows, int[] aCols, float[] b, int bOff,
            int[] bRows, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        float[] packedA = new float[m * k];
        for (int i = 0; i < m; i++) {
            int row = aOff + aRows[i];
            for (int p = 0; p < k; p++) {
                packedA[i * k + p] = a[row + aCols[p]];
            }
        }
        float[][] rowsB = new float[k][n];
        for (int p = 0; p < k; p++) {
            System.arraycopy(b, bOff + bRows[p], rowsB[p], 0, n);
        }
        float[][] rowsC = new float[m][n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(c, cOff + i * ldc, rowsC[i], 0, n);
        }
        KERNELS.gemmF32(m, n, k, packedA, 0, k, rowsB, rowsC);
        for (int i = 0; i < m; i++) {
            System.arraycopy(rowsC[i], 0, c, cOff + i * ldc, n);
        }
    }

    @Override
    public String toString() {
        return "plain Java GEMM";
    }
}
