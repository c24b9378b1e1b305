package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.List;

/**
 * Slice with constant starts, ends, axes and steps (attributes before opset 10, inputs after), on float or int64
 * data; negative indices count from the end and out-of-range bounds are clamped, as ONNX specifies.
 */
final class SliceOp implements Operator {
    /** Per axis of the input: first index, step and number of elements taken. */
    private record Plan(int[] start, int[] step, int[] count) {}

    @Override
    public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
        if (ctx.opset() < 10) {
            ctx.allowAttributes("axes", "ends", "starts");
            ctx.requireInputs(inputs, 1, 1);
        } else {
            ctx.allowAttributes();
            ctx.requireInputs(inputs, 3, 5);
        }
        ctx.requireOutputs(1);
        DataType type = inputs.get(0).type();
        if (type != DataType.FLOAT && type != DataType.INT64) {
            throw ctx.unsupported("element type " + type + " (only FLOAT and INT64)");
        }
        return List.of(new TensorType(type, plan(ctx, inputs.get(0).dims()).count()));
    }

    private static long[] operand(NodeContext ctx, int input, String name) {
        if (ctx.opset() < 10) {
            return ctx.attrs().getInts(name);
        }
        return ctx.hasInput(input) ? ctx.constantLongs(input, name) : null;
    }

    private static Plan plan(NodeContext ctx, int[] dims) {
        int rank = dims.length;
        long[] starts = operand(ctx, 1, "starts");
        long[] ends = operand(ctx, 2, "ends");
        long[] axes = operand(ctx, 3, "axes");
        long[] steps = operand(ctx, 4, "steps");
        if (starts == null || ends == null || starts.length != ends.length
                || axes != null && axes.length != starts.length || steps != null && steps.length != starts.length) {
            throw new IllegalArgumentException("Slice starts, ends, axes and steps must have equal lengths");
        }
        int[] start = new int[rank];
        int[] step = new int[rank];
        int[] count = dims.clone();
        java.util.Arrays.fill(step, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            int axis = NodeContext.normalizeAxis(axes == null ? i : axes[i], rank, "Slice");
            if (seen[axis]) {
                throw new IllegalArgumentException("Slice axis " + axis + " repeated");
            }
            seen[axis] = true;
            long d = dims[axis];
            long st = steps == null ? 1 : steps[i];
            if (st == 0) {
                throw new IllegalArgumentException("Slice step must not be 0");
            }
            long s = starts[i] < 0 ? starts[i] + d : starts[i];
            long e = ends[i] < 0 ? ends[i] + d : ends[i];
            if (st > 0) {
                s = Math.max(0, Math.min(d, s));
                e = Math.max(0, Math.min(d, e));
            } else {
                s = Math.max(0, Math.min(d - 1, s));
                e = Math.max(-1, Math.min(d - 1, e));
            }
            long n = st > 0 ? (e - s + st - 1) / st : (s - e + (-st) - 1) / (-st);
            start[axis] = (int) s;
            step[axis] = Math.toIntExact(st);
            count[axis] = (int) Math.max(0, n);
        }
        return new Plan(start, step, count);
    }

    @Override
    public Kernel prepare(NodeContext ctx) {
        return (in, par) -> {
            int[] dims = in[0].shape();
            Plan plan = plan(ctx, dims);
            int rank = dims.length;
            int[] strides = new int[rank];
            int stride = 1;
            for (int i = rank - 1; i >= 0; i--) {
                strides[i] = stride;
                stride *= dims[i];
            }
            int total = (int) Tensor.elementCount(plan.count());
            boolean longs = in[0].type() == DataType.INT64;
            long[] ly = longs ? new long[total] : null;
            float[] fy = longs ? null : new float[total];
            int[] idx = new int[rank];
            int base = 0;
            for (int a = 0; a < rank; a++) {
                base += plan.start()[a] * strides[a];
            }
            int off = base;
            for (int e = 0; e < total; e++) {
                if (longs) {
                    ly[e] = in[0].longs()[off];
                } else {
                    fy[e] = in[0].floats()[off];
                }
                for (int a = rank - 1; a >= 0; a--) {
                    idx[a]++;
                    off += plan.step()[a] * strides[a];
                    if (idx[a] < plan.count()[a]) {
                        break;
                    }
                    off -= plan.step()[a] * strides[a] * plan.count()[a];
                    idx[a] = 0;
                }
            }
            return new Tensor[] {longs ? Tensor.ofLongs(plan.count(), ly) : Tensor.ofFloats(plan.count(), fy)};
        };
    }
}
