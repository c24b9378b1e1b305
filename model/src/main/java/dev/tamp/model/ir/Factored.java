package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A low-rank weight {@code W = U V}, with {@code U} of shape {@code [m, rank]} and {@code V} of shape
 * {@code [rank, n]}, where {@code [m, n]} is the weight's matrix view ({@code dims[0]} by the product of the rest).
 * Materializing accumulates each element in double and rounds once to float32, so it is exact up to that rounding.
 *
 * <p>Serialized layout (little-endian): {@code u32 rank}, then {@code U} and {@code V} as float32, row-major.
 *
 * @param layout how the layer multiplies by the weight, which decides the order of the two factors at run time
 */
public record Factored(int[] dims, int rank, float[] u, float[] v, Layout layout) implements Representation {
    /** How the matrix view of the weight meets the layer's input. */
    public enum Layout {
        /** Rows are outputs, columns inputs: {@code y = x W^T} (Gemm with {@code transB=1}, Conv). */
        OUTPUT_BY_INPUT,
        /** Rows are inputs, columns outputs: {@code y = x W} (MatMul, Gemm with {@code transB=0}). */
        INPUT_BY_OUTPUT
    }

    public Factored {
        dims = StorageLayout.checkDims(dims);
        u = u.clone();
        v = v.clone();
        java.util.Objects.requireNonNull(layout, "layout");
        if (dims.length < 2) {
            throw new IllegalArgumentException("a factored weight needs rank >= 2, got " + Arrays.toString(dims));
        }
        int m = StorageLayout.rows(dims);
        int n = StorageLayout.cols(dims);
        if (rank < 1) {
            throw new IllegalArgumentException("rank must be positive, got " + rank);
        }
        if (u.length != (long) m * rank || v.length != (long) rank * n) {
            throw new IllegalArgumentException("U must be " + m + "x" + rank + " and V " + rank + "x" + n + ", got "
                    + u.length + " and " + v.length + " elements");
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] u() {
        return u.clone();
    }

    @Override
    public float[] v() {
        return v.clone();
    }

    /** {@code U} as a {@code [m, rank]} tensor. */
    public Tensor uTensor() {
        return Tensor.ofFloats(new int[] {StorageLayout.rows(dims), rank}, u.clone());
    }

    /** {@code V} as a {@code [rank, n]} tensor. */
    public Tensor vTensor() {
        return Tensor.ofFloats(new int[] {rank, StorageLayout.cols(dims)}, v.clone());
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        int m = StorageLayout.rows(dims);
        int n = StorageLayout.cols(dims);
        float[] w = new float[m * n];
        double[] row = new double[n];
        for (int i = 0; i < m; i++) {
            Arrays.fill(row, 0);
            for (int p = 0; p < rank; p++) {
                double a = u[i * rank + p];
                int base = p * n;
                for (int j = 0; j < n; j++) {
                    row[j] += a * v[base + j];
                }
            }
            for (int j = 0; j < n; j++) {
                w[i * n + j] = (float) row[j];
            }
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 4 + 4L * (u.length + (long) v.length);
    }

    @Override
    public byte[] serialize() {
        return new StorageLayout.Writer(storedBytes()).u32(rank).f32s(u).f32s(v).toByteArray();
    }

    /**
     * The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions; the layout is not
     * part of the bytes, so the container records it.
     */
    public static Factored deserialize(int[] dims, Layout layout, byte[] bytes) {
        StorageLayout.checkDims(dims);
        if (dims.length < 2) {
            throw new IllegalArgumentException("a factored weight needs rank >= 2, got " + Arrays.toString(dims));
        }
        long m = StorageLayout.rows(dims);
        long n = StorageLayout.cols(dims);
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int rank = in.count("factored rank", Integer.MAX_VALUE);
        if (rank < 1 || rank > bytes.length) {
            throw new IllegalArgumentException("rank " + rank + " is not positive or exceeds the stored bytes");
        }
        StorageLayout.Reader.expectLength("factored", bytes, 4 + 4 * (m * rank + rank * n));
        float[] u = in.f32s((int) (m * rank));
        float[] v = in.f32s((int) (rank * n));
        in.expectEnd("factored");
        return new Factored(dims, rank, u, v, layout);
    }

    @Override
    public String kind() {
        return "factored";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Factored f && rank == f.rank && layout == f.layout && Arrays.equals(dims, f.dims)
                && Arrays.equals(u, f.u) && Arrays.equals(v, f.v);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(u)) + Arrays.hashCode(v) + rank;
    }

    @Override
    public String toString() {
        return "Factored" + Arrays.toString(dims) + "[rank " + rank + ", " + layout + "]";
    }
}
