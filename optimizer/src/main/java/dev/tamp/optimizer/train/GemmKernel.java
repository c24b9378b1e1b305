package dev.tamp.optimizer.train;

import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * The one matrix product of the training engine, {@code C += A B} with A and B read through tables of row and
 * column offsets, so that a transposed operand needs no copy and a convolution's receptive fields are read from its
 * input in place. Two implementations: the Vector API one when {@code jdk.incubator.vector} is
 * present, else the executor's plain Java GEMM; both add each element's products in increasing {@code p}, one
 * rounded product and one rounded sum at a time, so they give bit-identical results and training depends only on the
 * seed, never on which kernel or how many threads ran.
 */
interface GemmKernel {
    /** {@code -Dtamp.train.vector=false} keeps the plain Java kernel even where the Vector API is present. */
    String PROPERTY = "tamp.train.vector";

    /**
     * {@code C(i, j) += A(i, 0) B(0, j) + ... + A(i, k-1) B(k-1, j)} for {@code i < m}, {@code j < n}, added left to
     * right, where {@code A(i, p) = a[aOff + aRows[i] + aCols[p]]}, {@code B(p, j) = b[bOff + bRows[p] + j]} and
     * {@code C(i, j) = c[cOff + i ldc + j]}. The offset tables describe a row-major or transposed matrix ({@link
     * Products#offsets}) as well as a convolution's receptive fields read in place. C must not overlap A or B.
     */
    void multiplyAdd(int m, int n, int k, float[] a, int aOff, int[] aRows, int[] aCols, float[] b, int bOff,
            int[] bRows, float[] c, int cOff, int ldc);

    /** The kernel the engine uses: the Vector API one where it links and is not turned off, else plain Java. */
    static GemmKernel selected() {
        return Selection.SELECTED;
    }

    /** The plain Java kernel (the executor's GEMM), whatever {@link #selected()} chose. */
    static GemmKernel plain() {
        return PlainGemmKernel.INSTANCE;
    }

    /** The Vector API kernel, if this JVM has {@code jdk.incubator.vector} ({@code --add-modules}). */
    static Optional<GemmKernel> vector() {
        return Optional.ofNullable(Selection.VECTOR);
    }

    /** Chooses once per JVM, logging the reason, as the Lucene vectorization provider does. */
    final class Selection {
        private static final System.Logger LOG = System.getLogger(GemmKernel.class.getName());
        static final GemmKernel VECTOR = loadVector();
        static final GemmKernel SELECTED = select();

        private Selection() {}

        private static GemmKernel loadVector() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return null;
            }
            try {
                // By name, so that this class links on JVMs without the module.
                return (GemmKernel) Class.forName("dev.tamp.optimizer.train.VectorGemmKernel")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.log(Level.WARNING, "training GEMM: plain Java, the Vector API kernel did not load: " + e);
                return null;
            }
        }

        private static GemmKernel select() {
            if (VECTOR == null) {
                LOG.log(Level.DEBUG, "training GEMM: plain Java (run with --add-modules jdk.incubator.vector for the "
                        + "Vector API kernel)");
                return PlainGemmKernel.INSTANCE;
            }
            if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
                LOG.log(Level.DEBUG, "training GEMM: plain Java, as -D" + PROPERTY + "=false asks");
                return PlainGemmKernel.INSTANCE;
            }
            LOG.log(Level.DEBUG, "training GEMM: Vector API (" + VECTOR + ")");
            return VECTOR;
        }
    }
}
