package dev.tamp.model.ops;

import dev.tamp.model.ir.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Variadic element-wise Sum, Mean, Max, Min, and the Reduce* family over chosen axes. */
final class ReduceOps {
    private ReduceOps() {}

    /** Sum, Mean, Max and Min of one or more inputs with multidirectional broadcasting. */
    static Operator variadic() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                ctx.requireOutputs(1);
                if (inputs.isEmpty() || inputs.contains(null)) {
                    throw new IllegalArgumentException(ctx.node().opType() + " needs one or more inputs");
                }
                int[][] shapes = new int[inputs.size()][];
                for (int i = 0; i < inputs.size(); i++) {
                    ctx.requireFloat(inputs, i);
                    shapes[i] = inputs.get(i).dims();
                }
                return List.of(TensorType.floats(Broadcast.shape(ctx.node().opType(), shapes)));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                String op = ctx.node().opType();
                ElementwiseOps.FloatBinary f = op.equals("Max") ? Math::max
                        : op.equals("Min") ? Math::min : (a, b) -> a + b;
                return (in, par) -> {
                    Tensor acc = in[0];
                    for (int i = 1; i < in.length; i++) {
                        acc = ElementwiseOps.apply(op, f, acc, in[i]);
                    }
                    if (op.equals("Mean")) {
                        acc = ElementwiseOps.apply(op, (a, b) -> a / b, acc, Tensor.scalar(in.length));
                    } else if (in.length == 1) {
                        acc = Tensor.ofFloats(acc.shape(), acc.floats().clone());
                    }
                    return new Tensor[] {acc};
                };
            }
        };
    }

    /** The opset from which an operator takes its axes as an input rather than an attribute. */
    private static int axesInputSince(String opType) {
        return opType.equals("ReduceSum") ? 13 : 18;
    }

    static Operator reduce() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                boolean axesInput = ctx.opset() >= axesInputSince(ctx.node().opType());
                if (axesInput) {
                    ctx.allowAttributes("keepdims", "noop_with_empty_axes");
                    ctx.requireInputs(inputs, 1, 2);
                    if (ctx.hasInput(1)) {
                        ctx.constantLongs(1, "axes");
                    }
                } else {
                    ctx.allowAttributes("axes", "keepdims");
                    ctx.requireInputs(inputs, 1, 1);
                }
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                int[] in = inputs.get(0).dims();
                return List.of(TensorType.floats(outShape(in, reduced(ctx, in.length), keepDims(ctx))));
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                return inputs.get(0).elementCount();
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] shape = in[0].shape();
                    boolean[] reduced = reduced(ctx, shape.length);
                    return new Tensor[] {run(ctx.node().opType(), in[0], reduced, outShape(shape, reduced,
                            keepDims(ctx)))};
                };
            }
        };
    }

    private static boolean keepDims(NodeContext ctx) {
        return ctx.attrs().getInt("keepdims", 1) != 0;
    }

    /** Which axes are reduced; all of them when no axes are given, unless noop_with_empty_axes says none. */
    private static boolean[] reduced(NodeContext ctx, int rank) {
        long[] axes = ctx.opset() >= axesInputSince(ctx.node().opType())
                ? ctx.hasInput(1) ? ctx.constantLongs(1, "axes") : null
                : ctx.attrs().getInts("axes");
        boolean[] r = new boolean[rank];
        if (axes == null || axes.length == 0) {
            boolean noop = ctx.attrs().getInt("noop_with_empty_axes", 0) != 0;
            java.util.Arrays.fill(r, !noop);
            return r;
        }
        for (long a : axes) {
            r[NodeContext.normalizeAxis(a, rank, ctx.node().opType())] = true;
        }
        return r;
    }

    private static int[] outShape(int[] in, boolean[] reduced, boolean keep) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (!reduced[i]) {
                out.add(in[i]);
            } else if (keep) {
                out.add(1);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Tensor run(String op, Tensor t, boolean[] reduced, int[] outShape) {
        int[] in = t.shape();
        int rank = in.length;
        // Output strides over the input's axes, 0 on reduced axes: the output element an input element feeds.
        int[] strides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            if (!reduced[i]) {
                strides[i] = stride;
                stride *= in[i];
            }
        }
        int outCount = stride;
        float[] x = t.floats();
        int[] target = new int[x.length];
        int[] idx = new int[rank];
        int off = 0;
        for (int e = 0; e < x.length; e++) {
            target[e] = off;
            for (int a = rank - 1; a >= 0; a--) {
                idx[a]++;
                off += strides[a];
                if (idx[a] < in[a]) {
                    break;
                }
                off -= strides[a] * in[a];
                idx[a] = 0;
            }
        }
        double[] acc = new double[outCount];
        double[] max = new double[outCount];
        int[] count = new int[outCount];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        double init = switch (op) {
            case "ReduceProd" -> 1;
            case "ReduceMax" -> Double.NEGATIVE_INFINITY;
            case "ReduceMin" -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
        java.util.Arrays.fill(acc, init);
        for (int e = 0; e < x.length; e++) {
            double v = x[e];
            int o = target[e];
            count[o]++;
            max[o] = Math.max(max[o], v);
            switch (op) {
                case "ReduceProd" -> acc[o] *= v;
                case "ReduceMax" -> acc[o] = Math.max(acc[o], v);
                case "ReduceMin" -> acc[o] = Math.min(acc[o], v);
                case "ReduceSumSquare", "ReduceL2" -> acc[o] += v * v;
                case "ReduceL1" -> acc[o] += Math.abs(v);
                case "ReduceLogSumExp" -> { }
                default -> acc[o] += v;
            }
        }
        if (op.equals("ReduceLogSumExp")) {
            for (int e = 0; e < x.length; e++) {
                int o = target[e];
                acc[o] += Math.exp(x[e] - max[o]);
            }
        }
        float[] y = new float[outCount];
        for (int o = 0; o < outCount; o++) {
            double v = switch (op) {
                case "ReduceMean" -> acc[o] / count[o];
                case "ReduceL2" -> Math.sqrt(acc[o]);
                case "ReduceLogSum" -> Math.log(acc[o]);
                case "ReduceLogSumExp" -> count[o] == 0 ? Double.NEGATIVE_INFINITY : Math.log(acc[o]) + max[o];
                default -> acc[o];
            };
            y[o] = (float) v;
        }
        return Tensor.ofFloats(outShape, y);
    }
}
