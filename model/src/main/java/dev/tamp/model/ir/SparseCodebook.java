package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A pruned weight whose kept elements share a few float32 values (Deep Compression's pruning followed by weight
 * sharing): the kept element at {@code positions[k]} is {@code centroids[indices[k]]}, every other element is zero.
 *
 * <p>Positions are stored as relative index gaps in {@code indexBits}-bit symbols, as {@link Sparse} stores them, with
 * one difference that lets fillers carry no codebook index: the symbol {@code E = 2^indexBits - 1} is an escape
 * meaning "advance {@code E} positions, no element here", and a symbol {@code g < E} means "the next kept element is
 * {@code g + 1} positions after the previous one" (the first counted from -1). A gap {@code G} (from the previous
 * element's position + 1) is thus {@code G / E} escapes followed by the symbol {@code G % E}. This is the peer
 * reimplementation's stream format; with it only real entries have an index, so no centroid has to be zero.
 *
 * <p>Serialized layout (little-endian): {@code u8 indexBits}, {@code u8 bits}, {@code u16} centroid count {@code K},
 * {@code K} float32 centroids, {@code u32 entries} (kept elements plus escapes), the gap symbols packed LSB-first in
 * {@code indexBits} bits each and padded to a byte, then one {@code bits}-bit index per kept element, packed the same
 * way and padded to a byte. The kept count is the number of non-escape symbols.
 *
 * @param positions strictly increasing flat row-major positions of the kept elements
 * @param indices the centroid of each kept element
 */
public record SparseCodebook(int[] dims, int indexBits, int bits, float[] centroids, int[] positions, int[] indices)
        implements Representation {
    public SparseCodebook {
        dims = StorageLayout.checkDims(dims);
        centroids = centroids.clone();
        positions = positions.clone();
        indices = indices.clone();
        if (indexBits < 1 || indexBits > 16) {
            throw new IllegalArgumentException("indexBits must be 1 to 16, got " + indexBits);
        }
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be 1 to 8, got " + bits);
        }
        if (centroids.length < 1 || centroids.length > (1 << bits)) {
            throw new IllegalArgumentException(centroids.length + " centroids do not fit " + bits + "-bit indices");
        }
        if (positions.length != indices.length) {
            throw new IllegalArgumentException(positions.length + " positions but " + indices.length + " indices");
        }
        long n = Tensor.elementCount(dims);
        int previous = -1;
        for (int p : positions) {
            if (p <= previous || p >= n) {
                throw new IllegalArgumentException("positions must increase strictly within [0, " + n + "), found "
                        + p + " after " + previous);
            }
            previous = p;
        }
        for (int i : indices) {
            if (i < 0 || i >= centroids.length) {
                throw new IllegalArgumentException("index " + i + " outside " + centroids.length + " centroids");
            }
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] centroids() {
        return centroids.clone();
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** Number of gap symbols: kept elements plus escapes. */
    public long entryCount() {
        return entryCount(positions, indexBits);
    }

    static long entryCount(int[] positions, int indexBits) {
        int escape = (1 << indexBits) - 1;
        long entries = positions.length;
        int previous = -1;
        for (int p : positions) {
            entries += (p - previous - 1) / escape;
            previous = p;
        }
        return entries;
    }

    /** The gap symbols in stream order, escapes included. */
    public int[] gapSymbols() {
        return gapSymbols(positions, indexBits);
    }

    static int[] gapSymbols(int[] positions, int indexBits) {
        int escape = (1 << indexBits) - 1;
        int[] symbols = new int[Math.toIntExact(entryCount(positions, indexBits))];
        int e = 0;
        int previous = -1;
        for (int p : positions) {
            int gap = p - previous - 1;
            for (int i = gap / escape; i > 0; i--) {
                symbols[e++] = escape;
            }
            symbols[e++] = gap % escape;
            previous = p;
        }
        return symbols;
    }

    /** The positions a gap-symbol stream stands for; the inverse of {@link #gapSymbols(int[], int)}. */
    static int[] positionsOf(int[] symbols, int indexBits) {
        int escape = (1 << indexBits) - 1;
        int kept = 0;
        for (int s : symbols) {
            kept += s == escape ? 0 : 1;
        }
        int[] positions = new int[kept];
        int k = 0;
        long next = 0;
        for (int s : symbols) {
            if (s == escape) {
                next += escape;
            } else {
                next += s;
                positions[k++] = Math.toIntExact(next);
                next++;
            }
        }
        return positions;
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        float[] w = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int k = 0; k < positions.length; k++) {
            w[positions[k]] = centroids[indices[k]];
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 4 + 4L * centroids.length + 4 + StorageLayout.packedBytes(entryCount(), indexBits)
                + StorageLayout.packedBytes(indices.length, bits);
    }

    @Override
    public byte[] serialize() {
        int[] gaps = gapSymbols();
        StorageLayout.Writer out = new StorageLayout.Writer(storedBytes()).u8(indexBits).u8(bits)
                .u16(centroids.length).f32s(centroids).u32(gaps.length);
        for (int g : gaps) {
            out.bits(g, indexBits);
        }
        out.flushBits();
        for (int i : indices) {
            out.bits(i, bits);
        }
        return out.flushBits().toByteArray();
    }

    /** The weight with the gap width (1 to 16 bits) that stores it in the fewest bytes; the narrowest on a tie. */
    public static SparseCodebook narrowest(int[] dims, int bits, float[] centroids, int[] positions, int[] indices) {
        SparseCodebook best = null;
        for (int indexBits = 1; indexBits <= 16; indexBits++) {
            SparseCodebook candidate = new SparseCodebook(dims, indexBits, bits, centroids, positions, indices);
            if (best == null || candidate.storedBytes() < best.storedBytes()) {
                best = candidate;
            }
        }
        return best;
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static SparseCodebook deserialize(int[] dims, byte[] bytes) {
        long n = Tensor.elementCount(StorageLayout.checkDims(dims));
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int indexBits = in.u8();
        int bits = in.u8();
        if (indexBits < 1 || indexBits > 16 || bits < 1 || bits > 8) {
            throw new IllegalArgumentException("indexBits must be 1 to 16 and bits 1 to 8, got " + indexBits + " and "
                    + bits);
        }
        float[] centroids = in.f32s(in.u16());
        int entries = in.count("sparse-codebook entry count", Integer.MAX_VALUE);
        int[] gaps = in.packed(entries, indexBits);
        int[] positions = positionsOf(gaps, indexBits, n);
        int[] indices = in.packed(positions.length, bits);
        in.expectEnd("sparse-codebook");
        return new SparseCodebook(dims, indexBits, bits, centroids, positions, indices);
    }

    /** {@link #positionsOf(int[], int)}, refusing a stream that runs past the weight's {@code n} elements. */
    static int[] positionsOf(int[] symbols, int indexBits, long n) {
        int escape = (1 << indexBits) - 1;
        long next = 0;
        for (int e = 0; e < symbols.length; e++) {
            next += symbols[e] == escape ? escape : symbols[e] + 1L;
            if (next > n) {
                throw new IllegalArgumentException("gap symbol " + e + " runs past the " + n + " elements");
            }
        }
        return positionsOf(symbols, indexBits);
    }

    @Override
    public String kind() {
        return "sparse-codebook";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseCodebook s && indexBits == s.indexBits && bits == s.bits
                && Arrays.equals(dims, s.dims) && Arrays.equals(centroids, s.centroids)
                && Arrays.equals(positions, s.positions) && Arrays.equals(indices, s.indices);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {Arrays.hashCode(dims), Arrays.hashCode(centroids),
            Arrays.hashCode(positions), Arrays.hashCode(indices), indexBits, bits});
    }

    @Override
    public String toString() {
        return "SparseCodebook" + Arrays.toString(dims) + "[" + positions.length + " kept, " + indexBits
                + "-bit gaps, " + centroids.length + " centroids, " + bits + " bits]";
    }
}
