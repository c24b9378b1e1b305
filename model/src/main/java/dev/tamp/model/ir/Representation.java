package dev.tamp.model.ir;

/**
 * How a weight tensor is stored: dense, or one of the compressed forms, each able to {@link #materialize()} back to
 * the dense tensor it stands for (so the reference executor stays exact) and to {@link #serialize()} itself in a
 * documented compact byte layout whose length is {@link #storedBytes()}.
 */
public sealed interface Representation
        permits Dense, Sparse, AffineQuantized, Codebook, Factored, Circulant, BlockCirculant, Hashed, SparseCodebook,
        HuffmanCoded {
    DataType dataType();

    /** Logical dimensions of the weight, independent of how it is stored. */
    int[] dims();

    /** The dense tensor this representation stands for. */
    Tensor materialize();

    /** Bytes this representation occupies when stored: exactly {@code serialize().length}, computed without it. */
    long storedBytes();

    /**
     * The stored bytes in this representation's layout (documented on each type). The logical dimensions are not
     * part of them: the graph records those for every weight, whatever its representation.
     */
    byte[] serialize();

    /** Short name used in reports, e.g. {@code dense}. */
    String kind();
}
