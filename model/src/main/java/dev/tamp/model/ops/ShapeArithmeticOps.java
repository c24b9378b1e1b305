package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Shape, Gather and Cast: what exporters emit to compute a Reshape's target from the input's shape, for example
 * PyTorch's {@code x.view(x.size(0), -1)} with a dynamic batch. Shape inference evaluates these int64 chains for
 * each stand-in batch size, so the Reshape still gets a concrete shape.
 */
final class ShapeArithmeticOps {
    private ShapeArithmeticOps() {}

    private static int[] range(NodeContext ctx, int rank) {
        long start = ctx.attrs().getInt("start", 0);
        long end = ctx.attrs().getInt("end", rank);
        int s = (int) Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        int e = (int) Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        return new int[] {s, Math.max(s, e)};
    }

    /** The dimensions of the input as an int64 vector. */
    static Operator shape() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes(ctx.opset() >= 15 ? new String[] {"end", "start"} : new String[0]);
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                int[] r = range(ctx, inputs.get(0).rank());
                return List.of(new TensorType(DataType.INT64, new int[] {r[1] - r[0]}));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> new Tensor[] {of(ctx, in[0].shape())};
            }
        };
    }

    /** What Shape produces for an input with these dimensions. */
    static Tensor of(NodeContext ctx, int[] dims) {
        int[] r = range(ctx, dims.length);
        long[] v = new long[r[1] - r[0]];
        for (int i = 0; i < v.length; i++) {
            v[i] = dims[r[0] + i];
        }
        return Tensor.ofLongs(new int[] {v.length}, v);
    }

    /** Gather along one axis with int64 indices (negative ones count from the end), on float or int64 data. */
    static Operator gather() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("axis");
                ctx.requireInputs(inputs, 2, 2);
                ctx.requireOutputs(1);
                TensorType data = inputs.get(0);
                if (data.type() != DataType.FLOAT && data.type() != DataType.INT64) {
                    throw ctx.unsupported("element type " + data.type() + " for data (only FLOAT and INT64)");
                }
                if (inputs.get(1).type() != DataType.INT64) {
                    throw ctx.unsupported("element type " + inputs.get(1).type() + " for indices (only INT64)");
                }
                if (data.rank() == 0) {
                    throw new IllegalArgumentException("Gather data must have rank >= 1");
                }
                int axis = NodeContext.normalizeAxis(ctx.attrs().getInt("axis", 0), data.rank(), "Gather");
                return List.of(new TensorType(data.type(), outShape(data.dims(), inputs.get(1).dims(), axis)));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] ds = in[0].shape();
                    int axis = NodeContext.normalizeAxis(ctx.attrs().getInt("axis", 0), ds.length, "Gather");
                    long[] idx = in[1].longs();
                    int outer = 1;
                    for (int i = 0; i < axis; i++) {
                        outer *= ds[i];
                    }
                    int inner = 1;
                    for (int i = axis + 1; i < ds.length; i++) {
                        inner *= ds[i];
                    }
                    int n = ds[axis];
                    boolean longs = in[0].type() == DataType.INT64;
                    Object x = longs ? in[0].longs() : in[0].floats();
                    int total = outer * idx.length * inner;
                    Object y = longs ? new long[total] : new float[total];
                    for (int o = 0; o < outer; o++) {
                        for (int j = 0; j < idx.length; j++) {
                            long k = idx[j] < 0 ? idx[j] + n : idx[j];
                            if (k < 0 || k >= n) {
                                throw new IllegalArgumentException("Gather index " + idx[j] + " out of range for "
                                        + n);
                            }
                            System.arraycopy(x, (o * n + (int) k) * inner, y, (o * idx.length + j) * inner, inner);
                        }
                    }
                    int[] out = outShape(ds, in[1].shape(), axis);
                    return new Tensor[] {longs ? Tensor.ofLongs(out, (long[]) y) : Tensor.ofFloats(out, (float[]) y)};
                };
            }
        };
    }

    private static int[] outShape(int[] data, int[] indices, int axis) {
        int[] out = new int[data.length - 1 + indices.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(indices, 0, out, axis, indices.length);
        System.arraycopy(data, axis + 1, out, axis + indices.length, data.length - axis - 1);
        return out;
    }

    /** Cast between FLOAT and INT64 (int64 to float rounds to nearest, float to int64 truncates toward zero). */
    static Operator cast() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes(ctx.opset() >= 19 ? new String[] {"saturate", "to"} : new String[] {"to"});
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                DataType to = target(ctx);
                DataType from = inputs.get(0).type();
                if (from != DataType.FLOAT && from != DataType.INT64) {
                    throw ctx.unsupported("cast from " + from + " (only FLOAT and INT64)");
                }
                return List.of(new TensorType(to, inputs.get(0).dims()));
            }

            private DataType target(NodeContext ctx) {
                int code = (int) ctx.attrs().getInt("to", 0);
                DataType to = DataType.fromOnnxCode(code).orElseThrow(
                        () -> new IllegalArgumentException("Cast to unknown type " + code));
                if (to != DataType.FLOAT && to != DataType.INT64) {
                    throw ctx.unsupported("cast to " + to + " (only FLOAT and INT64)");
                }
                return to;
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                DataType to = target(ctx);
                return (in, par) -> {
                    Tensor x = in[0];
                    if (x.type() == to) {
                        return new Tensor[] {x};
                    }
                    if (to == DataType.FLOAT) {
                        long[] v = x.longs();
                        float[] y = new float[v.length];
                        for (int i = 0; i < v.length; i++) {
                            y[i] = v[i];
                        }
                        return new Tensor[] {Tensor.ofFloats(x.shape(), y)};
                    }
                    float[] v = x.floats();
                    long[] y = new long[v.length];
                    for (int i = 0; i < v.length; i++) {
                        y[i] = (long) v[i];
                    }
                    return new Tensor[] {Tensor.ofLongs(x.shape(), y)};
                };
            }
        };
    }

    static int[] dims(long[] v) {
        return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }
}
