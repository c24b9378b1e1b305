package dev.tamp.optimizer.train;

import dev.tamp.model.ops.MatrixKernels;
import dev.tamp.model.ops.Parallelism;
import java.util.Arrays;

/**
 * The matrix products of forward and backward passes, split over rows of the result: on {@link GemmKernel#selected()}
 * for flat operands ({@link #multiplyAdd}), on the executor's plain Java GEMM for row arrays ({@link #multiply}). Every
 * result element is summed by the same loop whatever the split and the kernel, so products do not depend on the
 * thread count.
 */
final class Products {
    private static final MatrixKernels KERNELS = MatrixKernels.plainJava();
    static final GemmKernel KERNEL = GemmKernel.selected();

    /** Rows of C per task: the register tile's height, so a split between threads leaves no ragged tiles. */
    private static final int ROW_GRAIN = 8;

    private Products() {}

    /**
     * {@code C += A B} over threads, C being {@code m x n} row-major in {@code c} from 0: {@code A(i, p) = a[aOff + i
     * aRowStride + p aColStride]} (so a transposed A is read in place) and B {@code k x n} row-major from {@code bOff}
     * with row stride {@code ldb}. Each element adds its products in increasing {@code p} ({@link GemmKernel}).
     */
    static void multiplyAdd(Parallelism par, int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride,
            float[] b, int bOff, int ldb, float[] c) {
        int[] aRows = offsets(m, aRowStride);
        int[] aCols = offsets(k, aColStride);
        int[] bRows = offsets(k, ldb);
        int tiles = (m + ROW_GRAIN - 1) / ROW_GRAIN;
        par.forRange(tiles, (t0, t1) -> {
            int from = t0 * ROW_GRAIN;
            int to = Math.min(m, t1 * ROW_GRAIN);
            KERNEL.multiplyAdd(to - from, n, k, a, aOff + from * aRowStride, aRows, aCols, b, bOff, bRows, c, from * n,
                    n);
        });
    }

    /** {@code {0, stride, 2 stride, ...}}: the offset table of a strided dimension for {@link GemmKernel}. */
    static int[] offsets(int count, int stride) {
        int[] offsets = new int[count];
        for (int p = 0; p < count; p++) {
            offsets[p] = p * stride;
        }
        return offsets;
    }

    /** {@code buffer} when it holds exactly {@code length} floats, else a new array: scratch kept across steps. */
    static float[] reuse(float[] buffer, int length) {
        return buffer != null && buffer.length == length ? buffer : new float[length];
    }

    /** Elements per task of an element-wise loop: below this, handing work to another thread costs more than it saves. */
    static final int ELEMENT_GRAIN = 1 << 15;

    /**
     * Runs an element-wise loop over {@code [0, count)} on the threads in ranges of at least {@link #ELEMENT_GRAIN}
     * elements (on the caller's thread alone when smaller). Each element's arithmetic is the same whatever the split.
     */
    static void forElements(Parallelism par, int count, Parallelism.RangeTask task) {
        forElements(par, count, ELEMENT_GRAIN, task);
    }

    /** {@link #forElements(Parallelism, int, Parallelism.RangeTask)} over items of which {@code grain} fill a task. */
    static void forElements(Parallelism par, int count, int grain, Parallelism.RangeTask task) {
        int tasks = Math.max(1, Math.min(par.threads(), count / Math.max(1, grain)));
        if (tasks == 1) {
            task.run(0, count);
            return;
        }
        par.forRange(tasks, (t0, t1) -> task.run((int) ((long) count * t0 / tasks), (int) ((long) count * t1 / tasks)));
    }

    /** {@link #reuse} cleared to zero. */
    static float[] zeroed(float[] buffer, int length) {
        if (buffer != null && buffer.length == length) {
            Arrays.fill(buffer, 0f);
            return buffer;
        }
        return new float[length];
    }

    /**
     * Writes the transpose of the row-major {@code rows x cols} matrix {@code a} into {@code t} ({@code cols x rows}),
     * in square blocks so that both sides stay in cache.
     */
    static void transposeInto(float[] a, int rows, int cols, float[] t) {
        final int block = 32;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                int c1 = Math.min(cols, c0 + block);
                for (int r = r0; r < r1; r++) {
                    int base = r * cols;
                    for (int c = c0; c < c1; c++) {
                        t[c * rows + r] = a[base + c];
                    }
                }
            }
        }
    }

    /** {@code C = A B} for A {@code m x k} row-major in {@code a}, B given as its k rows; C as m rows of n. */
    static float[][] multiply(Parallelism par, int m, int n, int k, float[] a, float[][] bRows) {
        float[][] c = new float[m][n];
        par.forRange(m, (from, to) -> gemm(to - from, n, k, a, from * k, k, bRows, slice(c, from, to)));
        return c;
    }

    /** {@code C += A B} on the caller's thread, {@link MatrixKernels#gemmF32} semantics. */
    static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[][] bRows, float[][] cRows) {
        KERNELS.gemmF32(m, n, k, a, aOff, lda, bRows, cRows);
    }

    static float[][] slice(float[][] rows, int from, int to) {
        float[][] s = new float[to - from][];
        System.arraycopy(rows, from, s, 0, to - from);
        return s;
    }

    /** A row-major matrix as one new array per row. */
    static float[][] rows(float[] a, int rows, int cols) {
        float[][] r = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(a, i * cols, r[i], 0, cols);
        }
        return r;
    }

    /** The transpose of a row-major {@code rows x cols} matrix, row-major. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[base + c];
            }
        }
        return t;
    }

    /** The transpose of a row-major matrix, as one array per row of the transpose. */
    static float[][] transposeRows(float[] a, int rows, int cols) {
        float[][] t = new float[cols][rows];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c][r] = a[base + c];
            }
        }
        return t;
    }

    /** Adds rows onto a row-major array. */
    static void addInto(float[][] rows, float[] flat) {
        int n = rows.length == 0 ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            float[] r = rows[i];
            int base = i * n;
            for (int j = 0; j < n; j++) {
                flat[base + j] += r[j];
            }
        }
    }

    /** Copies rows into a row-major array. */
    static void copyInto(float[][] rows, float[] flat) {
        int n = rows.length == 0 ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
    }

    /**
     * Chunks a reduction is split into, whatever the thread count: partial sums are added in chunk order, so the
     * result does not depend on how many threads ran the chunks ({@code tamp compile --threads} changes speed, never
     * results). Four keeps two to four cores busy.
     */
    static final int REDUCTION_CHUNKS = 4;

    /** The number of chunks {@link #forChunks} splits {@code count} items into. */
    static int chunkCount(int count) {
        return Math.max(1, Math.min(REDUCTION_CHUNKS, count));
    }

    /**
     * Runs one task per chunk of {@code [0, count)} ({@link #chunkCount} of them, spread over the threads), passing
     * the chunk's index, so that per-chunk partial sums can be reduced afterwards in chunk order (deterministic,
     * independent of the thread count).
     */
    static int forChunks(Parallelism par, int count, ChunkTask task) {
        int chunks = chunkCount(count);
        par.forRange(chunks, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                task.run(c, (int) ((long) count * c / chunks), (int) ((long) count * (c + 1) / chunks));
            }
        });
        return chunks;
    }

    @FunctionalInterface
    interface ChunkTask {
        void run(int chunk, int from, int to);
    }
}
