package dev.tamp.model.ir;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor of float32 or int64 elements in row-major order.
 *
 * <p>The arrays are shared, not copied, because the executor moves megabytes per layer; by convention nobody writes
 * into a tensor after constructing it. Weights in the IR are only ever exposed through this read-only contract.
 */
public final class Tensor {
    private final DataType type;
    private final int[] shape;
    private final float[] floats;
    private final long[] longs;

    private Tensor(DataType type, int[] shape, float[] floats, long[] longs) {
        this.type = type;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
        long n = elementCount(shape);
        int length = floats != null ? floats.length : longs.length;
        if (n != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " elements, data has " + length);
        }
    }

    public static Tensor ofFloats(int[] shape, float[] data) {
        return new Tensor(DataType.FLOAT, shape, Objects.requireNonNull(data), null);
    }

    public static Tensor ofLongs(int[] shape, long[] data) {
        return new Tensor(DataType.INT64, shape, null, Objects.requireNonNull(data));
    }

    public static Tensor scalar(float value) {
        return ofFloats(new int[0], new float[] {value});
    }

    public static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public DataType type() {
        return type;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** The float32 elements, shared; callers must not modify them. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor holds " + type + ", not FLOAT");
        }
        return floats;
    }

    /** The int64 elements, shared; callers must not modify them. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor holds " + type + ", not INT64");
        }
        return longs;
    }

    /** Elements widened to long, for shape-like inputs that may arrive as float or int64. */
    public long[] asLongs() {
        if (longs != null) {
            return longs;
        }
        long[] out = new long[floats.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) floats[i];
        }
        return out;
    }

    public Tensor reshape(int[] newShape) {
        return new Tensor(type, newShape, floats, longs);
    }

    public Shape irShape() {
        long[] sizes = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            sizes[i] = shape[i];
        }
        return Shape.of(sizes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && type == t.type && Arrays.equals(shape, t.shape)
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, Arrays.hashCode(shape), Arrays.hashCode(floats), Arrays.hashCode(longs));
    }

    @Override
    public String toString() {
        return "Tensor[" + type + " " + Arrays.toString(shape) + "]";
    }
}
