package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A square weight defined by one vector: {@code W[i][j] = c[(i - j) mod n]} on the weight's {@code n x n} matrix view
 * (Cheng et al. 2015). Serialized layout: the {@code n} float32 elements of {@code c}, little-endian.
 */
public record Circulant(int[] dims, float[] c) implements Representation {
    public Circulant {
        dims = StorageLayout.checkDims(dims);
        c = c.clone();
        int n = StorageLayout.rows(dims);
        if (dims.length < 2 || StorageLayout.cols(dims) != n) {
            throw new IllegalArgumentException("a circulant weight is square, got " + Arrays.toString(dims));
        }
        if (c.length != n) {
            throw new IllegalArgumentException("defining vector has " + c.length + " elements, need " + n);
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] c() {
        return c.clone();
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        int n = c.length;
        float[] w = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] = c[Math.floorMod(i - j, n)];
            }
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 4L * c.length;
    }

    @Override
    public byte[] serialize() {
        return new StorageLayout.Writer(storedBytes()).f32s(c).toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static Circulant deserialize(int[] dims, byte[] bytes) {
        StorageLayout.checkDims(dims);
        if (dims.length < 2 || StorageLayout.cols(dims) != StorageLayout.rows(dims)) {
            throw new IllegalArgumentException("a circulant weight is square, got " + Arrays.toString(dims));
        }
        StorageLayout.Reader.expectLength("circulant", bytes, 4L * StorageLayout.rows(dims));
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        return new Circulant(dims, in.f32s(StorageLayout.rows(dims)));
    }

    @Override
    public String kind() {
        return "circulant";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Circulant x && Arrays.equals(dims, x.dims) && Arrays.equals(c, x.c);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(c);
    }

    @Override
    public String toString() {
        return "Circulant" + Arrays.toString(dims);
    }
}
