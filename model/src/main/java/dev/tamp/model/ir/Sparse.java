package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A weight that keeps only some elements: their flat row-major positions and float32 values; every other element is
 * zero.
 *
 * <p>Stored as Deep Compression stores it: each kept element is an entry holding the gap to the previous entry
 * ({@code position - previous - 1}, the first counted from -1) in {@code indexBits} bits, and its value. A gap larger
 * than {@code 2^indexBits - 1} is bridged by filler entries of gap {@code 2^indexBits - 1} and value 0. Serialized
 * layout (little-endian): {@code u8 indexBits}, {@code u32 entries} (fillers included), the gaps packed LSB-first
 * ({@code ceil(entries * indexBits / 8)} bytes), then {@code entries} float32 values.
 *
 * @param positions strictly increasing flat positions of the kept elements
 * @param values their values, one per position
 */
public record Sparse(int[] dims, int indexBits, int[] positions, float[] values) implements Representation {
    public Sparse {
        dims = StorageLayout.checkDims(dims);
        positions = positions.clone();
        values = values.clone();
        if (indexBits < 1 || indexBits > 16) {
            throw new IllegalArgumentException("indexBits must be 1 to 16, got " + indexBits);
        }
        if (positions.length != values.length) {
            throw new IllegalArgumentException(positions.length + " positions but " + values.length + " values");
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
    }

    /** Keeps the elements of {@code dense} that are not +0.0 ({@code -0.0} is kept so materializing is bit-exact). */
    public static Sparse fromDense(Tensor dense, int indexBits) {
        float[] w = dense.floats();
        int kept = 0;
        for (float v : w) {
            kept += Float.floatToRawIntBits(v) != 0 ? 1 : 0;
        }
        int[] positions = new int[kept];
        float[] values = new float[kept];
        int k = 0;
        for (int i = 0; i < w.length; i++) {
            if (Float.floatToRawIntBits(w[i]) != 0) {
                positions[k] = i;
                values[k++] = w[i];
            }
        }
        return new Sparse(dense.shape(), indexBits, positions, values);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Number of stored entries, kept elements plus the fillers that bridge long gaps. */
    public long entryCount() {
        long entries = positions.length;
        int previous = -1;
        for (int p : positions) {
            entries += (p - previous - 1) >>> indexBits;
            previous = p;
        }
        return entries;
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        float[] w = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int k = 0; k < positions.length; k++) {
            w[positions[k]] = values[k];
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        long entries = entryCount();
        return 1 + 4 + StorageLayout.packedBytes(entries, indexBits) + 4 * entries;
    }

    @Override
    public byte[] serialize() {
        int maxGap = (1 << indexBits) - 1;
        long entries = entryCount();
        StorageLayout.Writer out = new StorageLayout.Writer(storedBytes()).u8(indexBits).u32((int) entries);
        float[] stored = new float[(int) entries];
        int e = 0;
        int previous = -1;
        for (int k = 0; k < positions.length; k++) {
            int gap = positions[k] - previous - 1;
            while (gap > maxGap) {
                out.bits(maxGap, indexBits);
                stored[e++] = 0f;
                gap -= maxGap + 1;
            }
            out.bits(gap, indexBits);
            stored[e++] = values[k];
            previous = positions[k];
        }
        return out.flushBits().f32s(stored).toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static Sparse deserialize(int[] dims, byte[] bytes) {
        long n = Tensor.elementCount(StorageLayout.checkDims(dims));
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int indexBits = in.u8();
        if (indexBits < 1 || indexBits > 16) {
            throw new IllegalArgumentException("indexBits must be 1 to 16, got " + indexBits);
        }
        int entries = in.count("sparse entry count", Integer.MAX_VALUE);
        StorageLayout.Reader.expectLength("sparse", bytes,
                5 + StorageLayout.packedBytes(entries, indexBits) + 4L * entries);
        int[] gaps = in.packed(entries, indexBits);
        float[] stored = in.f32s(entries);
        in.expectEnd("sparse");
        return fromEntries(dims, n, indexBits, gaps, stored);
    }

    /**
     * The weight a stream of entries stands for: gaps and one stored value per entry. An entry is a filler when its
     * gap is the widest and its value +0.0, unless it is the last entry ({@link #fromDense} never keeps a +0.0, so
     * this reading is exact for its weights; a weight that keeps a +0.0 after a widest gap reads back without it,
     * which materializes and serializes the same).
     */
    static Sparse fromEntries(int[] dims, long n, int indexBits, int[] gaps, float[] stored) {
        int maxGap = (1 << indexBits) - 1;
        int[] positions = new int[gaps.length];
        float[] values = new float[gaps.length];
        int kept = 0;
        long next = -1;
        for (int e = 0; e < gaps.length; e++) {
            next += gaps[e] + 1L;
            if (next >= n) {
                throw new IllegalArgumentException("sparse entry " + e + " lands at position " + next + " beyond the "
                        + n + " elements");
            }
            boolean filler = gaps[e] == maxGap && Float.floatToRawIntBits(stored[e]) == 0 && e + 1 < gaps.length;
            if (!filler) {
                positions[kept] = (int) next;
                values[kept++] = stored[e];
            }
        }
        return new Sparse(dims, indexBits, Arrays.copyOf(positions, kept), Arrays.copyOf(values, kept));
    }

    @Override
    public String kind() {
        return "sparse";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sparse s && indexBits == s.indexBits && Arrays.equals(dims, s.dims)
                && Arrays.equals(positions, s.positions) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(positions)) + Arrays.hashCode(values) + indexBits;
    }

    @Override
    public String toString() {
        return "Sparse" + Arrays.toString(dims) + "[" + positions.length + " kept, " + indexBits + "-bit gaps]";
    }
}
