package dev.tamp.optimizer.numerics;

import java.lang.System.Logger.Level;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Double-precision LAPACK and float32 BLAS for {@link TruncatedSvd}, from the OpenBLAS that ND4J's native backend
 * bundles (ND4J's own {@code CpuLapack} calls these same {@code LAPACKE_*} entry points; going to them directly gives
 * {@code dgesdd}, which ND4J's {@code Lapack} interface does not expose, and skips loading ND4J's 300 MB operation
 * library for an SVD).
 *
 * <p>OpenBLAS is pinned to one thread ({@code blas_set_num_threads(1)}, process-wide, as the executor's ND4J GEMM
 * also sets it): a single-threaded OpenBLAS call is a fixed sequence of floating-point operations, so the same input
 * gives bit-identical output on the same CPU (OpenBLAS picks its kernels by CPU model, so another CPU may round
 * differently). Parallelism, where wanted, comes from the caller splitting products into fixed blocks.
 *
 * <p>{@link #get()} is {@code null}, and callers use their pure-Java path, when {@code -Dtamp.svd=java} is set or when
 * the classes or natives cannot be loaded (no {@code linux-x86_64} natives for this platform, a missing {@code
 * libgfortran}, a read-only JavaCPP cache directory, ...); the reason is logged once at DEBUG and kept in {@link
 * #unavailableReason()}.
 */
final class NativeLapack {
    /** {@code -Dtamp.svd=java} forces the pure-Java path (commons-math3's SVD, Gram–Schmidt, plain Java GEMM). */
    static final String PROPERTY = "tamp.svd";

    private static final System.Logger LOG = System.getLogger(NativeLapack.class.getName());
    private static final NativeLapack INSTANCE;
    private static final String REASON;

    static {
        NativeLapack instance = null;
        String reason;
        if ("java".equals(System.getProperty(PROPERTY))) {
            reason = "-D" + PROPERTY + "=java";
        } else {
            try {
                openblas.blas_set_num_threads(1);
                // One tiny call so a broken native library fails here rather than in the middle of a pass.
                double[] probe = {3, 0, 0, 4};
                double[] s = new double[2];
                double[] u = new double[4];
                double[] vt = new double[4];
                int info = openblas.LAPACKE_dgesdd(openblas.LAPACK_COL_MAJOR, (byte) 'S', 2, 2, probe, 2, s, u, 2,
                        vt, 2);
                if (info != 0 || s[0] != 4 || s[1] != 3) {
                    throw new IllegalStateException("LAPACKE_dgesdd probe returned info " + info);
                }
                instance = new NativeLapack();
                reason = null;
            } catch (LinkageError | RuntimeException e) {
                reason = e.toString();
            }
        }
        if (reason != null) {
            LOG.log(Level.DEBUG, "SVD: pure Java (commons-math3), because " + reason);
        }
        INSTANCE = instance;
        REASON = reason;
    }

    private NativeLapack() {}

    /** The loaded library, or {@code null} when the pure-Java path must be used. */
    static NativeLapack get() {
        return INSTANCE;
    }

    /** Why {@link #get()} is {@code null}, or {@code null} when it is not. */
    static String unavailableReason() {
        return REASON;
    }

    /**
     * Thin SVD by divide and conquer of the row-major {@code a [m, n]} (overwritten). With {@code k = min(m, n)},
     * {@code u [m, k]}, {@code s [k]} and {@code vt [k, n]} receive the factors, row-major. The row-major matrix is
     * handed to LAPACK as its column-major transpose, whose {@code U} and {@code Vᵀ} are our {@code V} and {@code Uᵀ}
     * laid out exactly as our row-major {@code vt} and {@code u}: no copies.
     *
     * @return LAPACK's info: 0 on success, positive when the divide and conquer did not converge
     */
    int gesdd(double[] a, int m, int n, double[] u, double[] s, double[] vt) {
        int k = Math.min(m, n);
        return openblas.LAPACKE_dgesdd(openblas.LAPACK_COL_MAJOR, (byte) 'S', n, m, a, n, s, vt, n, u, k);
    }

    /**
     * Orthonormalizes the columns of the row-major {@code y [m, l]} in place (Householder QR, {@code m >= l}), after
     * copying the upper-triangular factor into {@code r [l, l]} (row-major) when it is not {@code null}.
     */
    void orthonormalize(double[] y, int m, int l, double[] r) {
        double[] tau = new double[l];
        check("dgeqrf", openblas.LAPACKE_dgeqrf(openblas.LAPACK_ROW_MAJOR, m, l, y, l, tau));
        if (r != null) {
            for (int i = 0; i < l; i++) {
                System.arraycopy(y, i * l + i, r, i * l + i, l - i);
            }
        }
        check("dorgqr", openblas.LAPACKE_dorgqr(openblas.LAPACK_ROW_MAJOR, m, l, l, y, l, tau));
    }

    /** {@code C = op(A) B} in double, all row-major: {@code op(A) [m, k]} is A or (A stored {@code [k, m]}) Aᵀ. */
    void dgemm(boolean transA, int m, int n, int k, double[] a, double[] b, double[] c, boolean transB) {
        openblas.cblas_dgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, 1.0, a, transA ? m : k, b,
                transB ? k : n, 0.0, c, n);
    }

    /**
     * Rows {@code [from, to)} of {@code C = op(A) X} in float32, all off-heap and row-major: A is {@code [rows, cols]},
     * {@code op(A)} is A ({@code X [cols, width]}) or Aᵀ ({@code X [rows, width]}), and C has {@code width} columns.
     * The pointers are only read (each call makes its own views), so threads may share them.
     */
    void sgemmRows(FloatPointer a, int rows, int cols, boolean transA, int from, int to, FloatPointer x, int width,
            FloatPointer c) {
        int inner = transA ? rows : cols;
        FloatPointer block = new FloatPointer(a).position(transA ? from : (long) from * cols);
        FloatPointer out = new FloatPointer(c).position((long) from * width);
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                openblas.CblasNoTrans, to - from, width, inner, 1f, block, cols, new FloatPointer(x), width, 0f, out,
                width);
    }

    private static void check(String routine, int info) {
        if (info != 0) {
            throw new IllegalStateException(routine + " returned info " + info);
        }
    }
}
