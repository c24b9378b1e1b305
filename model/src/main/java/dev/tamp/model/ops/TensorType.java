package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import java.util.Arrays;
import java.util.Objects;

/** Element type and concrete dimensions of a tensor, as shape functions see it. */
public record TensorType(DataType type, int[] dims) {
    public TensorType {
        Objects.requireNonNull(type);
        dims = dims.clone();
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
        }
    }

    public static TensorType floats(int... dims) {
        return new TensorType(DataType.FLOAT, dims);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis];
    }

    public long elementCount() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorType t && type == t.type && Arrays.equals(dims, t.dims);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return type + Arrays.toString(dims);
    }
}
