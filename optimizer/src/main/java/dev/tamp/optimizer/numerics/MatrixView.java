package dev.tamp.optimizer.numerics;

/**
 * A layer weight seen as a matrix whose rows are the layer's outputs and whose columns run along its reduction
 * (input) axis: a Conv weight {@code [O, I, kh, kw]} is {@code O x (I*kh*kw)} with columns in (i, y, x) order, a Gemm
 * weight {@code [O, I]} ({@code transB=1}) is itself, and a {@code [I, O]} weight (Gemm without transB, MatMul) is
 * its transpose.
 *
 * @param rowsFirst whether the flat weight is row-major in this view (output axis 0) rather than column-major
 */
public record MatrixView(int rows, int cols, boolean rowsFirst) {
    public MatrixView {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a weight matrix needs at least one row and column, got " + rows + " x "
                    + cols);
        }
    }

    /** The view of a weight of these dims whose outputs are indexed by {@code outputAxis} (0, or 1 of a matrix). */
    public static MatrixView of(int[] dims, int outputAxis) {
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        if (outputAxis == 0) {
            return new MatrixView(dims[0], (int) (size / dims[0]), true);
        }
        if (outputAxis == 1 && dims.length == 2) {
            return new MatrixView(dims[1], dims[0], false);
        }
        throw new IllegalArgumentException("no matrix view of dims with outputs on axis " + outputAxis);
    }

    /** The flat row-major index of element (row, col) of the view. */
    public int flat(int row, int col) {
        return rowsFirst ? row * cols + col : col * rows + row;
    }

    public int size() {
        return rows * cols;
    }
}
