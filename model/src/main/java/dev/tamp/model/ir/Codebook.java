package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A weight whose elements share a few float32 values (k-means weight sharing, Deep Compression): element {@code k} is
 * {@code centroids[indices[k]]}.
 *
 * <p>Serialized layout (little-endian): {@code u8 bits}, {@code u16} centroid count, the float32 centroids, then the
 * indices packed LSB-first in {@code bits} bits each.
 */
public record Codebook(int[] dims, int bits, float[] centroids, int[] indices) implements Representation {
    public Codebook {
        dims = StorageLayout.checkDims(dims);
        centroids = centroids.clone();
        indices = indices.clone();
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be 1 to 8, got " + bits);
        }
        if (centroids.length < 1 || centroids.length > (1 << bits)) {
            throw new IllegalArgumentException(centroids.length + " centroids do not fit " + bits + "-bit indices");
        }
        if (indices.length != Tensor.elementCount(dims)) {
            throw new IllegalArgumentException(indices.length + " indices for " + Arrays.toString(dims));
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
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        float[] w = new float[indices.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = centroids[indices[k]];
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 3 + 4L * centroids.length + StorageLayout.packedBytes(indices.length, bits);
    }

    @Override
    public byte[] serialize() {
        StorageLayout.Writer out = new StorageLayout.Writer(storedBytes())
                .u8(bits).u16(centroids.length).f32s(centroids);
        for (int i : indices) {
            out.bits(i, bits);
        }
        return out.flushBits().toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static Codebook deserialize(int[] dims, byte[] bytes) {
        int n = Math.toIntExact(Tensor.elementCount(StorageLayout.checkDims(dims)));
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int bits = in.u8();
        if (bits < 1 || bits > 8) {
            throw new IllegalArgumentException("bits must be 1 to 8, got " + bits);
        }
        int k = in.u16();
        StorageLayout.Reader.expectLength("codebook", bytes, 3 + 4L * k + StorageLayout.packedBytes(n, bits));
        float[] centroids = in.f32s(k);
        int[] indices = in.packed(n, bits);
        in.expectEnd("codebook");
        return new Codebook(dims, bits, centroids, indices);
    }

    @Override
    public String kind() {
        return "codebook";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Codebook c && bits == c.bits && Arrays.equals(dims, c.dims)
                && Arrays.equals(centroids, c.centroids) && Arrays.equals(indices, c.indices);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(centroids)) + Arrays.hashCode(indices) + bits;
    }

    @Override
    public String toString() {
        return "Codebook" + Arrays.toString(dims) + "[" + centroids.length + " centroids, " + bits + " bits]";
    }
}
