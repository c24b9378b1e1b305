package dev.tamp.model.ops;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GEMM through ND4J (OpenBLAS's sgemm): A, B and C are copied into off-heap arrays kept per thread and shape,
 * multiplied there, and C is copied back. Products with fewer than {@link #MIN_ROWS} rows stay in plain Java, where
 * copying B costs more than the faster kernel saves (measured in docs/BENCHMARKS.md).
 *
 * <p>Unlike {@link PlainJavaMatrixKernels}, OpenBLAS picks different kernels for different m and n, so a column's bits
 * may depend on how many other columns (images) share the call: results are within float32 rounding of the plain
 * kernels but not identical across batch sizes or thread counts.
 */
public final class Nd4jMatrixKernels implements MatrixKernels {
    /**
     * With fewer rows of A (a Gemm on a few images) copying B costs more than ND4J saves: for LeNet-300-100's
     * m x 300 x 784 products plain Java measured 15.0 / 20.9 / 21.1 GMAC/s, ND4J 8.7 / 16.5 / 25.4 at m = 8 / 16 / 32.
     */
    static final int MIN_ROWS = 32;

    /** Operands larger than this many floats in total (256 MiB) are not copied off-heap. */
    private static final long MAX_FLOATS = 1L << 26;

    /** Off-heap operands per shape; a network has a few dozen distinct GEMM shapes at most. */
    private static final int MAX_CACHED_SHAPES = 64;

    private final ThreadLocal<Map<Long, Operands>> operands = ThreadLocal.withInitial(HashMap::new);

    private Nd4jMatrixKernels() {}

    /**
     * Loads ND4J's native backend with one BLAS thread per call (the executor parallelizes over images itself).
     *
     * @throws LinkageError or a runtime exception when the classes or the native libraries cannot be loaded
     */
    static Nd4jMatrixKernels load() {
        Nd4j.factory().blas().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.getEnvironment().setMaxThreads(1);
        return new Nd4jMatrixKernels();
    }

    /** The ND4J backend and BLAS vendor, for the log line that says which kernels run. */
    static String describe() {
        return Nd4j.getBackend().getClass().getSimpleName() + ", BLAS " + Nd4j.factory().blas().getBlasVendor();
    }

    @Override
    public void gemmF32(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, float[][] cRows) {
        if (m < MIN_ROWS || n == 0 || k == 0 || (long) m * k + (long) k * n + (long) m * n > MAX_FLOATS) {
            PlainJavaMatrixKernels.INSTANCE.gemmF32(m, n, k, a, aOff, lda, bRows, cRows);
            return;
        }
        Map<Long, Operands> cache = operands.get();
        long key = ((long) m << 42) | ((long) n << 21) | k;
        Operands op = cache.get(key);
        if (op == null) {
            if (cache.size() >= MAX_CACHED_SHAPES) {
                cache.clear();
            }
            op = new Operands(m, n, k);
            cache.put(key, op);
        }
        op.multiplyAdd(a, aOff, lda, bRows, cRows);
    }

    /** One shape's off-heap A (m x k), B (k x n) and C (m x n), row-major. */
    private static final class Operands {
        final int m;
        final int n;
        final int k;
        final INDArray a;
        final INDArray b;
        final INDArray c;
        final FloatPointer pa;
        final FloatPointer pb;
        final FloatPointer pc;

        Operands(int m, int n, int k) {
            this.m = m;
            this.n = n;
            this.k = k;
            a = Nd4j.create(DataType.FLOAT, new long[] {m, k}, 'c');
            b = Nd4j.create(DataType.FLOAT, new long[] {k, n}, 'c');
            c = Nd4j.create(DataType.FLOAT, new long[] {m, n}, 'c');
            pa = new FloatPointer(a.data().addressPointer());
            pb = new FloatPointer(b.data().addressPointer());
            pc = new FloatPointer(c.data().addressPointer());
        }

        void multiplyAdd(float[] aData, int aOff, int lda, float[][] bRows, float[][] cRows) {
            if (lda == k) {
                pa.position(0).put(aData, aOff, m * k);
            } else {
                for (int i = 0; i < m; i++) {
                    pa.position((long) i * k).put(aData, aOff + i * lda, k);
                }
            }
            for (int p = 0; p < k; p++) {
                pb.position((long) p * n).put(bRows[p], 0, n);
            }
            for (int i = 0; i < m; i++) {
                pc.position((long) i * n).put(cRows[i], 0, n);
            }
            Nd4j.gemm(a, b, c, false, false, 1.0, 1.0);
            for (int i = 0; i < m; i++) {
                pc.position((long) i * n).get(cRows[i], 0, n);
            }
        }
    }
}
