package dev.tamp.model.ops;

import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Operators that move data without arithmetic, plus Constant, Identity and inference-mode Dropout. */
final class ShapeOps {
    private ShapeOps() {}

    /** An operator whose output is its input with a new shape computed from the input shape alone. */
    private abstract static class Reshaping implements Operator {
        abstract void check(NodeContext ctx, List<TensorType> inputs);

        /** The output shape; {@code runtime} holds the inputs when running, null during shape inference. */
        abstract int[] shape(NodeContext ctx, int[] in, Tensor[] runtime);

        @Override
        public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
            check(ctx, inputs);
            ctx.requireOutputs(1);
            // int64 passes through too: shape arithmetic (Shape -> Gather -> Unsqueeze -> Concat -> Reshape).
            DataType type = inputs.get(0).type();
            if (type != DataType.FLOAT && type != DataType.INT64) {
                throw ctx.unsupported("element type " + type + " for input 0 (only FLOAT and INT64)");
            }
            return List.of(new TensorType(type, shape(ctx, inputs.get(0).dims(), null)));
        }

        @Override
        public Kernel prepare(NodeContext ctx) {
            return (in, par) -> new Tensor[] {in[0].reshape(shape(ctx, in[0].shape(), in))};
        }
    }

    static Operator flatten() {
        return new Reshaping() {
            @Override
            void check(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("axis");
                ctx.requireInputs(inputs, 1, 1);
            }

            @Override
            int[] shape(NodeContext ctx, int[] in, Tensor[] runtime) {
                long axis = ctx.attrs().getInt("axis", 1);
                long a = axis < 0 ? axis + in.length : axis;
                if (a < 0 || a > in.length) {
                    throw new IllegalArgumentException("Flatten axis " + axis + " out of range for rank " + in.length);
                }
                long outer = 1;
                long inner = 1;
                for (int i = 0; i < in.length; i++) {
                    if (i < a) {
                        outer *= in[i];
                    } else {
                        inner *= in[i];
                    }
                }
                return new int[] {Math.toIntExact(outer), Math.toIntExact(inner)};
            }
        };
    }

    static Operator reshape() {
        return new Reshaping() {
            @Override
            void check(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes(ctx.opset() >= 14 ? new String[] {"allowzero"} : new String[0]);
                ctx.requireInputs(inputs, 2, 2);
                ctx.constantLongs(1, "shape");
            }

            @Override
            int[] shape(NodeContext ctx, int[] in, Tensor[] runtime) {
                // Constant, or known while inferring shapes (computed from shapes), or read when running.
                long[] target = ctx.constant(1) == null && runtime != null ? runtime[1].asLongs()
                        : ctx.constantLongs(1, "shape");
                boolean allowZero = ctx.attrs().getInt("allowzero", 0) != 0;
                int[] out = new int[target.length];
                int inferred = -1;
                long known = 1;
                for (int i = 0; i < target.length; i++) {
                    long t = target[i];
                    if (t == -1) {
                        if (inferred >= 0) {
                            throw new IllegalArgumentException("Reshape shape has more than one -1");
                        }
                        inferred = i;
                        continue;
                    }
                    if (t == 0 && !allowZero) {
                        if (i >= in.length) {
                            throw new IllegalArgumentException("Reshape copies dimension " + i + " the input lacks");
                        }
                        t = in[i];
                    }
                    if (t < 0) {
                        throw new IllegalArgumentException("Reshape shape has invalid value " + t);
                    }
                    out[i] = Math.toIntExact(t);
                    known *= t;
                }
                long total = Tensor.elementCount(in);
                if (inferred >= 0) {
                    if (known == 0 || total % known != 0) {
                        throw new IllegalArgumentException("Reshape cannot infer -1 for " + Arrays.toString(in)
                                + " -> " + Arrays.toString(target));
                    }
                    out[inferred] = Math.toIntExact(total / known);
                } else if (known != total) {
                    throw new IllegalArgumentException("Reshape " + Arrays.toString(in) + " -> "
                            + Arrays.toString(target) + " changes the element count");
                }
                return out;
            }
        };
    }

    /** Squeeze (remove=true) and Unsqueeze, with axes as attribute before opset 13 and as constant input after. */
    static Operator squeeze(boolean remove) {
        return new Reshaping() {
            @Override
            void check(NodeContext ctx, List<TensorType> inputs) {
                if (ctx.opset() < 13) {
                    ctx.allowAttributes("axes");
                    ctx.requireInputs(inputs, 1, 1);
                } else {
                    ctx.allowAttributes();
                    ctx.requireInputs(inputs, remove ? 1 : 2, 2);
                    if (ctx.hasInput(1)) {
                        ctx.constantLongs(1, "axes");
                    }
                }
            }

            private long[] axes(NodeContext ctx) {
                if (ctx.opset() < 13) {
                    return ctx.attrs().getInts("axes");
                }
                return ctx.hasInput(1) ? ctx.constantLongs(1, "axes") : null;
            }

            @Override
            int[] shape(NodeContext ctx, int[] in, Tensor[] runtime) {
                long[] axes = axes(ctx);
                String op = ctx.node().opType();
                if (remove) {
                    boolean[] drop = new boolean[in.length];
                    if (axes == null) {
                        for (int i = 0; i < in.length; i++) {
                            drop[i] = in[i] == 1;
                        }
                    } else {
                        for (long axis : axes) {
                            int a = NodeContext.normalizeAxis(axis, in.length, op);
                            if (in[a] != 1) {
                                throw new IllegalArgumentException("Squeeze axis " + axis + " has size " + in[a]);
                            }
                            drop[a] = true;
                        }
                    }
                    List<Integer> out = new ArrayList<>();
                    for (int i = 0; i < in.length; i++) {
                        if (!drop[i]) {
                            out.add(in[i]);
                        }
                    }
                    return out.stream().mapToInt(Integer::intValue).toArray();
                }
                if (axes == null) {
                    throw new IllegalArgumentException("Unsqueeze needs axes");
                }
                int rank = in.length + axes.length;
                boolean[] added = new boolean[rank];
                for (long axis : axes) {
                    int a = NodeContext.normalizeAxis(axis, rank, op);
                    if (added[a]) {
                        throw new IllegalArgumentException("Unsqueeze axis " + axis + " repeated");
                    }
                    added[a] = true;
                }
                int[] out = new int[rank];
                for (int i = 0, j = 0; i < rank; i++) {
                    out[i] = added[i] ? 1 : in[j++];
                }
                return out;
            }
        };
    }

    static Operator transpose() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("perm");
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                int[] in = inputs.get(0).dims();
                int[] perm = perm(ctx, in.length);
                int[] out = new int[in.length];
                for (int i = 0; i < in.length; i++) {
                    out[i] = in[perm[i]];
                }
                return List.of(TensorType.floats(out));
            }

            private int[] perm(NodeContext ctx, int rank) {
                long[] p = ctx.attrs().getInts("perm");
                int[] perm = new int[rank];
                boolean[] seen = new boolean[rank];
                for (int i = 0; i < rank; i++) {
                    perm[i] = p == null ? rank - 1 - i : (int) p[i];
                }
                if (p != null && p.length != rank) {
                    throw new IllegalArgumentException("Transpose perm has " + p.length + " entries for rank " + rank);
                }
                for (int a : perm) {
                    if (a < 0 || a >= rank || seen[a]) {
                        throw new IllegalArgumentException("Transpose perm is not a permutation");
                    }
                    seen[a] = true;
                }
                return perm;
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] s = in[0].shape();
                    int rank = s.length;
                    int[] perm = perm(ctx, rank);
                    int[] out = new int[rank];
                    int[] inStrides = new int[rank];
                    int stride = 1;
                    for (int i = rank - 1; i >= 0; i--) {
                        inStrides[i] = stride;
                        stride *= s[i];
                    }
                    int[] strides = new int[rank];
                    for (int i = 0; i < rank; i++) {
                        out[i] = s[perm[i]];
                        strides[i] = inStrides[perm[i]];
                    }
                    float[] x = in[0].floats();
                    float[] y = new float[x.length];
                    int[] idx = new int[rank];
                    int off = 0;
                    for (int e = 0; e < y.length; e++) {
                        y[e] = x[off];
                        for (int axis = rank - 1; axis >= 0; axis--) {
                            idx[axis]++;
                            off += strides[axis];
                            if (idx[axis] < out[axis]) {
                                break;
                            }
                            off -= strides[axis] * out[axis];
                            idx[axis] = 0;
                        }
                    }
                    return new Tensor[] {Tensor.ofFloats(out, y)};
                };
            }
        };
    }

    static Operator concat() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("axis");
                if (!ctx.attrs().has("axis")) {
                    throw new IllegalArgumentException("Concat needs axis");
                }
                ctx.requireOutputs(1);
                if (inputs.isEmpty() || inputs.contains(null)) {
                    throw new IllegalArgumentException("Concat needs at least one input and no omitted inputs");
                }
                int[] first = inputs.get(0).dims();
                int axis = NodeContext.normalizeAxis(ctx.attrs().getInt("axis", 0), first.length, "Concat");
                int[] out = first.clone();
                out[axis] = 0;
                DataType type = inputs.get(0).type();
                if (type != DataType.FLOAT && type != DataType.INT64) {
                    throw ctx.unsupported("element type " + type + " (only FLOAT and INT64)");
                }
                for (int i = 0; i < inputs.size(); i++) {
                    if (inputs.get(i).type() != type) {
                        throw new IllegalArgumentException("Concat inputs differ in element type");
                    }
                    int[] d = inputs.get(i).dims();
                    if (d.length != first.length) {
                        throw new IllegalArgumentException("Concat inputs differ in rank");
                    }
                    for (int a = 0; a < d.length; a++) {
                        if (a != axis && d[a] != first[a]) {
                            throw new IllegalArgumentException("Concat inputs differ off the axis");
                        }
                    }
                    out[axis] += d[axis];
                }
                return List.of(new TensorType(type, out));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] first = in[0].shape();
                    int axis = NodeContext.normalizeAxis(ctx.attrs().getInt("axis", 0), first.length, "Concat");
                    int outer = 1;
                    for (int a = 0; a < axis; a++) {
                        outer *= first[a];
                    }
                    int[] out = first.clone();
                    out[axis] = 0;
                    for (Tensor t : in) {
                        out[axis] += t.dim(axis);
                    }
                    boolean longs = in[0].type() == DataType.INT64;
                    int total = (int) Tensor.elementCount(out);
                    Object y = longs ? new long[total] : new float[total];
                    int outChunk = total / Math.max(1, outer);
                    int offset = 0;
                    for (Tensor t : in) {
                        int chunk = outer == 0 ? 0 : t.size() / outer;
                        Object x = longs ? t.longs() : t.floats();
                        for (int o = 0; o < outer; o++) {
                            System.arraycopy(x, o * chunk, y, o * outChunk + offset, chunk);
                        }
                        offset += chunk;
                    }
                    return new Tensor[] {longs ? Tensor.ofLongs(out, (long[]) y) : Tensor.ofFloats(out, (float[]) y)};
                };
            }
        };
    }

    static Operator identity() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                if (inputs.get(0).type() != DataType.FLOAT && inputs.get(0).type() != DataType.INT64) {
                    throw ctx.unsupported("element type " + inputs.get(0).type());
                }
                return List.of(inputs.get(0));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> new Tensor[] {in[0]};
            }
        };
    }

    /** Dropout at inference is the identity; the mask output and training mode are not supported. */
    static Operator dropout() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                if (ctx.opset() < 7) {
                    ctx.allowAttributes("ratio", "is_test");
                    if (ctx.attrs().getInt("is_test", 0) == 0) {
                        throw ctx.unsupported("is_test=0 (training)");
                    }
                    ctx.requireInputs(inputs, 1, 1);
                } else if (ctx.opset() < 12) {
                    ctx.allowAttributes("ratio");
                    ctx.requireInputs(inputs, 1, 1);
                } else {
                    ctx.allowAttributes("seed");
                    ctx.requireInputs(inputs, 1, 3);
                    if (ctx.hasInput(2)) {
                        Tensor mode = ctx.constant(2);
                        if (mode == null || mode.asLongs()[0] != 0) {
                            throw ctx.unsupported("training_mode input that is not constant false");
                        }
                    }
                }
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                return List.of(inputs.get(0));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> new Tensor[] {in[0]};
            }
        };
    }

    static Operator constant() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("value", "value_float", "value_floats", "value_int", "value_ints");
                ctx.requireInputs(inputs, 0, 0);
                ctx.requireOutputs(1);
                Tensor t = value(ctx);
                return List.of(new TensorType(t.type(), t.shape()));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                Tensor t = value(ctx);
                return (in, par) -> new Tensor[] {t};
            }
        };
    }

    /** The tensor a Constant node produces. */
    static Tensor value(NodeContext ctx) {
        var a = ctx.attrs();
        if (a.values().size() != 1) {
            throw new IllegalArgumentException("Constant needs exactly one value attribute");
        }
        AttributeValue v = a.values().values().iterator().next();
        String name = a.values().keySet().iterator().next();
        if (v instanceof AttributeValue.TensorValue tv && name.equals("value")) {
            return tv.tensor();
        }
        if (v instanceof AttributeValue.Float f && name.equals("value_float")) {
            return Tensor.scalar(f.value());
        }
        if (v instanceof AttributeValue.Floats fs && name.equals("value_floats")) {
            float[] data = new float[fs.values().size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = fs.values().get(i);
            }
            return Tensor.ofFloats(new int[] {data.length}, data);
        }
        if (v instanceof AttributeValue.Int i && name.equals("value_int")) {
            return Tensor.ofLongs(new int[0], new long[] {i.value()});
        }
        if (v instanceof AttributeValue.Ints is && name.equals("value_ints")) {
            long[] data = is.values().stream().mapToLong(Long::longValue).toArray();
            return Tensor.ofLongs(new int[] {data.length}, data);
        }
        throw new IllegalArgumentException("Constant attribute " + name + " has the wrong type");
    }

    /** Pad in constant, reflect and edge modes; pads may be negative (cropping). */
    static Operator pad() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                if (ctx.opset() < 11) {
                    ctx.allowAttributes("mode", "pads", "value");
                    ctx.requireInputs(inputs, 1, 1);
                } else {
                    ctx.allowAttributes("mode");
                    ctx.requireInputs(inputs, 2, ctx.opset() >= 18 ? 4 : 3);
                    ctx.requireFloat(inputs, 2);
                }
                String mode = ctx.attrs().getString("mode", "constant");
                if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge")) {
                    throw ctx.unsupported("mode " + mode);
                }
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                int[] in = inputs.get(0).dims();
                return List.of(TensorType.floats(outShape(in, pads(ctx, in.length))));
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                String mode = ctx.attrs().getString("mode", "constant");
                return (in, par) -> {
                    int[] s = in[0].shape();
                    int[] pads = pads(ctx, s.length);
                    float value = ctx.opset() < 11 ? ctx.attrs().getFloat("value", 0f)
                            : in.length > 2 && in[2] != null ? in[2].floats()[0] : 0f;
                    return new Tensor[] {pad(in[0], pads, mode, value)};
                };
            }
        };
    }

    private static int[] pads(NodeContext ctx, int rank) {
        long[] raw = ctx.opset() < 11 ? ctx.attrs().getInts("pads") : ctx.constantLongs(1, "pads");
        if (raw == null) {
            throw new IllegalArgumentException("Pad needs pads");
        }
        int[] axes = new int[rank];
        int count = rank;
        if (ctx.opset() >= 18 && ctx.hasInput(3)) {
            long[] given = ctx.constantLongs(3, "axes");
            count = given.length;
            axes = new int[count];
            for (int i = 0; i < count; i++) {
                axes[i] = NodeContext.normalizeAxis(given[i], rank, "Pad");
            }
        } else {
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
        }
        if (raw.length != 2 * count) {
            throw new IllegalArgumentException("Pad needs " + 2 * count + " pads, has " + raw.length);
        }
        int[] pads = new int[2 * rank];
        for (int i = 0; i < count; i++) {
            pads[axes[i]] = Math.toIntExact(raw[i]);
            pads[axes[i] + rank] = Math.toIntExact(raw[i + count]);
        }
        return pads;
    }

    private static int[] outShape(int[] in, int[] pads) {
        int[] out = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] + pads[i] + pads[i + in.length];
            if (out[i] < 0) {
                throw new IllegalArgumentException("Pad crops axis " + i + " below zero");
            }
        }
        return out;
    }

    private static Tensor pad(Tensor t, int[] pads, String mode, float value) {
        int[] in = t.shape();
        int rank = in.length;
        int[] out = outShape(in, pads);
        float[] x = t.floats();
        float[] y = new float[(int) Tensor.elementCount(out)];
        int[] inStrides = new int[rank];
        int stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStrides[i] = stride;
            stride *= in[i];
        }
        int[] idx = new int[rank];
        for (int e = 0; e < y.length; e++) {
            int off = 0;
            boolean outside = false;
            for (int a = 0; a < rank; a++) {
                int i = idx[a] - pads[a];
                if (i < 0 || i >= in[a]) {
                    switch (mode) {
                        case "edge":
                            i = i < 0 ? 0 : in[a] - 1;
                            break;
                        case "reflect":
                            if (in[a] == 1) {
                                i = 0;
                            } else {
                                int period = 2 * (in[a] - 1);
                                i = Math.floorMod(i, period);
                                if (i >= in[a]) {
                                    i = period - i;
                                }
                            }
                            break;
                        default:
                            outside = true;
                    }
                }
                off += i * inStrides[a];
            }
            y[e] = outside ? value : x[off];
            for (int a = rank - 1; a >= 0; a--) {
                if (++idx[a] < out[a]) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return Tensor.ofFloats(out, y);
    }
}
