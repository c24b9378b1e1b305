package dev.tamp.model.ops;

/**
 * The heavy float32 math behind Gemm, MatMul and Conv (via im2col), kept behind one narrow interface so a faster
 * implementation (ND4J, the Vector API) can replace the plain Java one and be tested against it.
 */
public interface MatrixKernels {
    /**
     * {@code C += A * B} for row-major A (m x k, row stride lda), B (k x n, row stride ldb) and C (m x n, row stride
     * ldc), each starting at its offset.
     */
    void gemmF32(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc);

    /** The implementation the executor uses by default. */
    static MatrixKernels defaultKernels() {
        return PlainJavaMatrixKernels.INSTANCE;
    }
}
