package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;

/** Gemm and MatMul on top of {@link MatrixKernels}. */
final class LinearOps {
    private LinearOps() {}

    /** Copies a row-major matrix into one array per row. */
    static float[][] rows(float[] a, int offset, int rows, int cols) {
        float[][] r = new float[rows][];
        for (int i = 0; i < rows; i++) {
            r[i] = java.util.Arrays.copyOfRange(a, offset + i * cols, offset + (i + 1) * cols);
        }
        return r;
    }

    static float[] transpose(float[] a, int offset, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[offset + r * cols + c];
            }
        }
        return t;
    }

    /** Gemm: Y = alpha * op(A) * op(B) + beta * C, with C broadcast to the result. */
    static Operator gemm(MatrixKernels kernels) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("alpha", "beta", "transA", "transB");
                ctx.requireInputs(inputs, 2, 3);
                if (ctx.opset() < 11 && !ctx.hasInput(2)) {
                    throw new IllegalArgumentException("Gemm before opset 11 requires C");
                }
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1, 2);
                TensorType a = inputs.get(0);
                TensorType b = inputs.get(1);
                if (a.rank() != 2 || b.rank() != 2) {
                    throw new IllegalArgumentException("Gemm needs 2-D A and B, got " + a + " and " + b);
                }
                boolean ta = ctx.attrs().getInt("transA", 0) != 0;
                boolean tb = ctx.attrs().getInt("transB", 0) != 0;
                int m = ta ? a.dim(1) : a.dim(0);
                int k = ta ? a.dim(0) : a.dim(1);
                int kb = tb ? b.dim(1) : b.dim(0);
                int n = tb ? b.dim(0) : b.dim(1);
                if (k != kb) {
                    throw new IllegalArgumentException("Gemm inner dimensions differ: " + k + " vs " + kb);
                }
                if (inputs.size() > 2 && inputs.get(2) != null) {
                    int[] out = Broadcast.shape("Gemm", new int[] {m, n}, inputs.get(2).dims());
                    if (!Arrays.equals(out, new int[] {m, n})) {
                        throw new IllegalArgumentException("Gemm C " + inputs.get(2) + " does not broadcast to ["
                                + m + ", " + n + "]");
                    }
                }
                return List.of(TensorType.floats(m, n));
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                TensorType a = inputs.get(0);
                boolean ta = ctx.attrs().getInt("transA", 0) != 0;
                return outputs.get(0).elementCount() * (ta ? a.dim(0) : a.dim(1));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                boolean ta = ctx.attrs().getInt("transA", 0) != 0;
                boolean tb = ctx.attrs().getInt("transB", 0) != 0;
                float alpha = ctx.attrs().getFloat("alpha", 1f);
                float beta = ctx.attrs().getFloat("beta", 1f);
                Tensor constantB = ctx.constant(1);
                // Weights are stored [N, K] by PyTorch (transB=1); laying them out [K, N] once lets the GEMM stream
                // contiguous rows of B for every batch.
                float[][] preparedB = constantB == null ? null : tb
                        ? rows(transpose(constantB.floats(), 0, constantB.dim(0), constantB.dim(1)), 0,
                                constantB.dim(1), constantB.dim(0))
                        : rows(constantB.floats(), 0, constantB.dim(0), constantB.dim(1));
                return (in, par) -> {
                    int[] as = in[0].shape();
                    int[] bs = in[1].shape();
                    int m = ta ? as[1] : as[0];
                    int k = ta ? as[0] : as[1];
                    int n = tb ? bs[0] : bs[1];
                    float[] a = ta ? transpose(in[0].floats(), 0, as[0], as[1]) : in[0].floats();
                    float[][] b = preparedB != null ? preparedB
                            : tb ? rows(transpose(in[1].floats(), 0, bs[0], bs[1]), 0, k, n)
                            : rows(in[1].floats(), 0, k, n);
                    float[] y = new float[m * n];
                    par.forRange(m, (from, to) -> {
                        float[][] acc = new float[to - from][n];
                        kernels.gemmF32(to - from, n, k, a, from * k, k, b, acc);
                        for (int i = 0; i < to - from; i++) {
                            System.arraycopy(acc[i], 0, y, (from + i) * n, n);
                        }
                    });
                    if (alpha != 1f) {
                        for (int i = 0; i < y.length; i++) {
                            y[i] *= alpha;
                        }
                    }
                    if (in.length > 2 && in[2] != null && beta != 0f) {
                        float[] c = in[2].floats();
                        int[] offsets = Broadcast.offsets(in[2].shape(), new int[] {m, n});
                        for (int i = 0; i < y.length; i++) {
                            y[i] += beta * c[offsets[i]];
                        }
                    }
                    return new Tensor[] {Tensor.ofFloats(new int[] {m, n}, y)};
                };
            }
        };
    }

    /** MatMul with numpy semantics: batch dimensions broadcast, 1-D operands promoted and the added axis removed. */
    static Operator matMul(MatrixKernels kernels) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                ctx.requireInputs(inputs, 2, 2);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1);
                return List.of(TensorType.floats(outShape(inputs.get(0).dims(), inputs.get(1).dims())));
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                int[] a = inputs.get(0).dims();
                return outputs.get(0).elementCount() * a[a.length - 1];
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> new Tensor[] {run(kernels, in[0], in[1], par)};
            }
        };
    }

    private static int[] outShape(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("MatMul operands must have rank >= 1");
        }
        int[] a2 = a.length == 1 ? new int[] {1, a[0]} : a;
        int[] b2 = b.length == 1 ? new int[] {b[0], 1} : b;
        int k = a2[a2.length - 1];
        if (k != b2[b2.length - 2]) {
            throw new IllegalArgumentException("MatMul inner dimensions differ: " + Arrays.toString(a) + " x "
                    + Arrays.toString(b));
        }
        int[] batch = Broadcast.shape("MatMul", Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        int[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a2[a2.length - 2];
        out[batch.length + 1] = b2[b2.length - 1];
        if (a.length == 1 && b.length == 1) {
            return new int[0];
        }
        if (a.length == 1) {
            int[] r = new int[out.length - 1];
            System.arraycopy(out, 0, r, 0, out.length - 2);
            r[r.length - 1] = out[out.length - 1];
            return r;
        }
        if (b.length == 1) {
            return Arrays.copyOf(out, out.length - 1);
        }
        return out;
    }

    private static Tensor run(MatrixKernels kernels, Tensor ta, Tensor tb, Parallelism par) {
        int[] a = ta.shape();
        int[] b = tb.shape();
        int[] a2 = a.length == 1 ? new int[] {1, a[0]} : a;
        int[] b2 = b.length == 1 ? new int[] {b[0], 1} : b;
        int m = a2[a2.length - 2];
        int k = a2[a2.length - 1];
        int n = b2[b2.length - 1];
        int[] aBatch = Arrays.copyOf(a2, a2.length - 2);
        int[] bBatch = Arrays.copyOf(b2, b2.length - 2);
        int[] batch = Broadcast.shape("MatMul", aBatch, bBatch);
        int[] aOff = Broadcast.offsets(aBatch, batch);
        int[] bOff = Broadcast.offsets(bBatch, batch);
        int count = aOff.length;
        float[] x = ta.floats();
        float[] w = tb.floats();
        float[] y = new float[count * m * n];
        par.forRange(count, (from, to) -> {
            for (int i = from; i < to; i++) {
                float[][] acc = new float[m][n];
                kernels.gemmF32(m, n, k, x, aOff[i] * m * k, k, rows(w, bOff[i] * k * n, k, n), acc);
                for (int r = 0; r < m; r++) {
                    System.arraycopy(acc[r], 0, y, (i * m + r) * n, n);
                }
            }
        });
        return Tensor.ofFloats(outShape(a, b), y);
    }
}
