package dev.tamp.model.ops;

/**
 * The heavy float32 math behind Gemm, MatMul and Conv (via im2col), kept behind one narrow interface so a faster
 * implementation (ND4J, the Vector API) can replace the plain Java one and be tested against it.
 *
 * <p>B and C are passed as arrays of rows rather than one array with offsets: HotSpot 17's auto-vectorizer gives up
 * on loops whose two arrays are indexed with different loop-invariant offsets, and measured 2.5 vs. 17 GMAC/s.
 */
public interface MatrixKernels {
    /**
     * {@code C += A * B} for A (m x k, row-major in {@code a} from {@code aOff} with row stride {@code lda}), B given
     * as its k rows of at least n elements, and C as its m rows of at least n elements.
     */
    void gemmF32(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, float[][] cRows);

    /** The implementation the executor uses by default: plain Java, or ND4J with {@code -Dtamp.kernels=nd4j}. */
    static MatrixKernels defaultKernels() {
        return KernelSelection.DEFAULT;
    }

    /**
     * The kernels called {@code plain} or {@code nd4j} (as {@code -Dtamp.kernels} takes them); plain Java, with the
     * reason logged, when ND4J cannot be loaded or the name is unknown.
     */
    static MatrixKernels named(String name) {
        return KernelSelection.select(name);
    }

    /** The plain Java kernels, whatever {@link #defaultKernels()} chose. */
    static MatrixKernels plainJava() {
        return PlainJavaMatrixKernels.INSTANCE;
    }
}
