package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A weight tiled into {@code b x b} circulant blocks (CirCNN): on the {@code [m, n]} matrix view, block
 * {@code (I, J)} = {@code (i / b, j / b)} has its own defining vector and {@code W[i][j] = vectors[I][J][(i - j) mod
 * b]}. When {@code b} does not divide {@code m} or {@code n} the last blocks are cut off (their unused entries are
 * still stored). Serialized layout (little-endian): {@code u32 b}, then the {@code ceil(m/b) * ceil(n/b)} vectors of
 * {@code b} float32 each, blocks in row-major order.
 *
 * @param vectors the defining vectors, block {@code (I, J)} at offset {@code (I * ceil(n/b) + J) * b}
 */
public record BlockCirculant(int[] dims, int blockSize, float[] vectors) implements Representation {
    public BlockCirculant {
        dims = StorageLayout.checkDims(dims);
        vectors = vectors.clone();
        if (dims.length < 2) {
            throw new IllegalArgumentException("a block-circulant weight needs rank >= 2, got " + Arrays.toString(dims));
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        }
        long expected = (long) blocks(StorageLayout.rows(dims), blockSize) * blocks(StorageLayout.cols(dims), blockSize)
                * blockSize;
        if (vectors.length != expected) {
            throw new IllegalArgumentException("need " + expected + " vector elements, got " + vectors.length);
        }
    }

    private static int blocks(int size, int b) {
        return (size + b - 1) / b;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] vectors() {
        return vectors.clone();
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        int m = StorageLayout.rows(dims);
        int n = StorageLayout.cols(dims);
        int b = blockSize;
        int q = blocks(n, b);
        float[] w = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int block = (i / b) * q + j / b;
                w[i * n + j] = vectors[block * b + Math.floorMod(i % b - j % b, b)];
            }
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 4 + 4L * vectors.length;
    }

    @Override
    public byte[] serialize() {
        return new StorageLayout.Writer(storedBytes()).u32(blockSize).f32s(vectors).toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static BlockCirculant deserialize(int[] dims, byte[] bytes) {
        StorageLayout.checkDims(dims);
        if (dims.length < 2) {
            throw new IllegalArgumentException("a block-circulant weight needs rank >= 2, got " + Arrays.toString(dims));
        }
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int b = in.count("block size", Integer.MAX_VALUE);
        if (b < 1) {
            throw new IllegalArgumentException("block size must be positive, got " + b);
        }
        long vectors = ((StorageLayout.rows(dims) + (long) b - 1) / b) * ((StorageLayout.cols(dims) + (long) b - 1) / b)
                * b;
        StorageLayout.Reader.expectLength("block-circulant", bytes, 4 + 4 * vectors);
        return new BlockCirculant(dims, b, in.f32s((int) vectors));
    }

    @Override
    public String kind() {
        return "block-circulant";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockCirculant x && blockSize == x.blockSize && Arrays.equals(dims, x.dims)
                && Arrays.equals(vectors, x.vectors);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(vectors) + blockSize;
    }

    @Override
    public String toString() {
        return "BlockCirculant" + Arrays.toString(dims) + "[b=" + blockSize + "]";
    }
}
