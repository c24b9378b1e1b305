package dev.tamp.model.ops;

import java.lang.System.Logger.Level;

/**
 * Chooses the executor's {@link MatrixKernels} once per JVM: plain Java unless the system property {@code tamp.kernels}
 * is {@code nd4j}, and plain Java again, with the reason logged, when ND4J or its native libraries cannot be loaded.
 *
 * <p>Plain Java is the default because it is deterministic whatever the batch size and thread count (every output
 * element is summed in the same order); OpenBLAS is faster but chooses its kernels by matrix size.
 */
final class KernelSelection {
    static final String PROPERTY = "tamp.kernels";

    private static final System.Logger LOG = System.getLogger(KernelSelection.class.getName());

    static final MatrixKernels DEFAULT = select(System.getProperty(PROPERTY, "plain"));

    private KernelSelection() {}

    static MatrixKernels select(String requested) {
        switch (requested) {
            case "plain":
                LOG.log(Level.DEBUG, "GEMM: plain Java (the default; -D" + PROPERTY + "=nd4j selects ND4J)");
                return PlainJavaMatrixKernels.INSTANCE;
            case "nd4j":
                try {
                    MatrixKernels nd4j = Nd4jMatrixKernels.load();
                    LOG.log(Level.INFO, "GEMM: ND4J (" + Nd4jMatrixKernels.describe() + "), as -D" + PROPERTY
                            + "=nd4j asked");
                    return nd4j;
                } catch (LinkageError | RuntimeException e) {
                    LOG.log(Level.WARNING, "GEMM: plain Java, because ND4J could not be loaded: " + e);
                    return PlainJavaMatrixKernels.INSTANCE;
                }
            default:
                LOG.log(Level.WARNING, "GEMM: plain Java, because -D" + PROPERTY + "=" + requested
                        + " is neither plain nor nd4j");
                return PlainJavaMatrixKernels.INSTANCE;
        }
    }
}
