package dev.tamp.model.ir;

/**
 * How a weight tensor is stored. Only {@link Dense} exists now; compressed forms (sparse, codebook,
 * affine-quantized, factored, circulant, hashed) join this sealed family later, each able to
 * {@link #materialize()} back to a dense tensor so the reference executor and the exporter stay exact.
 */
public sealed interface Representation permits Dense {
    DataType dataType();

    /** Logical dimensions of the weight, independent of how it is stored. */
    int[] dims();

    /** The dense tensor this representation stands for. */
    Tensor materialize();

    /** Bytes this representation occupies when stored. */
    long storedBytes();

    /** Short name used in reports, e.g. {@code dense}. */
    String kind();
}
