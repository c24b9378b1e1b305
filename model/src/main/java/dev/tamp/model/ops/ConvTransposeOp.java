package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * ConvTranspose (1-D to 3-D, groups, strides, dilations, pads, output_padding, output_shape, auto_pad), computed
 * directly: each input element scatters its products into the output. Plain loops, because transposed convolutions
 * are rare in the models tamp compresses and the reference executor values obviousness here.
 */
final class ConvTransposeOp implements Operator {
    /** Resolved geometry, padded to three spatial axes. */
    private record Geometry(int[] in, int[] kernel, int[] stride, int[] dilation, int[] padBegin, int[] out) {}

    @Override
    public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
        ctx.allowAttributes("auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads",
                "strides");
        ctx.requireInputs(inputs, 2, 3);
        ctx.requireOutputs(1);
        ctx.requireFloat(inputs, 0, 1, 2);
        TensorType x = inputs.get(0);
        TensorType w = inputs.get(1);
        ConvOps.requireImage(ctx, x);
        int group = group(ctx);
        if (w.rank() != x.rank() || w.dim(0) != x.dim(1) || x.dim(1) % group != 0) {
            throw new IllegalArgumentException("ConvTranspose weight " + Arrays.toString(w.dims())
                    + " does not fit input " + Arrays.toString(x.dims()) + " with group " + group);
        }
        int m = w.dim(1) * group;
        if (inputs.size() > 2 && inputs.get(2) != null && (inputs.get(2).rank() != 1 || inputs.get(2).dim(0) != m)) {
            throw new IllegalArgumentException("ConvTranspose bias must have shape [" + m + "]");
        }
        Geometry geo = geometry(ctx, x.dims(), w.dims());
        int k = x.rank() - 2;
        return List.of(TensorType.floats(ConvOps.concat(x.dim(0), m, Arrays.copyOfRange(geo.out(), 3 - k, 3))));
    }

    @Override
    public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
        TensorType w = inputs.get(1);
        return inputs.get(0).elementCount() * (w.elementCount() / w.dim(0));
    }

    private static int group(NodeContext ctx) {
        long g = ctx.attrs().getInt("group", 1);
        if (g < 1) {
            throw new IllegalArgumentException("group must be >= 1");
        }
        return (int) g;
    }

    private static int[] ints(NodeContext ctx, String name, int k, int fallback) {
        long[] v = ctx.attrs().getInts(name);
        int[] r = new int[k];
        Arrays.fill(r, fallback);
        if (v != null) {
            if (v.length != k) {
                throw new IllegalArgumentException(name + " needs " + k + " values, has " + v.length);
            }
            for (int i = 0; i < k; i++) {
                r[i] = Math.toIntExact(v[i]);
            }
        }
        return r;
    }

    private static Geometry geometry(NodeContext ctx, int[] x, int[] w) {
        int k = x.length - 2;
        if (k < 1 || k > 3) {
            throw ctx.unsupported(k + " spatial axes (only 1 to 3)");
        }
        int[] in = Arrays.copyOfRange(x, 2, x.length);
        int[] kernel = Arrays.copyOfRange(w, 2, w.length);
        if (ctx.attrs().has("kernel_shape") && !Arrays.equals(ints(ctx, "kernel_shape", k, 0), kernel)) {
            throw new IllegalArgumentException("kernel_shape differs from the weight's");
        }
        int[] stride = ints(ctx, "strides", k, 1);
        int[] dilation = ints(ctx, "dilations", k, 1);
        int[] outputPadding = ints(ctx, "output_padding", k, 0);
        String autoPad = ctx.attrs().getString("auto_pad", "NOTSET");
        if (!List.of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").contains(autoPad)) {
            throw ctx.unsupported("auto_pad " + autoPad);
        }
        long[] outputShape = ctx.attrs().getInts("output_shape");
        int[] padBegin = new int[k];
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            int span = (kernel[i] - 1) * dilation[i] + 1;
            int full = stride[i] * (in[i] - 1) + outputPadding[i] + span;
            if (outputShape != null || autoPad.startsWith("SAME")) {
                int target;
                if (outputShape != null) {
                    if (outputShape.length != k && outputShape.length != k + 2) {
                        throw new IllegalArgumentException("output_shape needs " + k + " values");
                    }
                    target = Math.toIntExact(outputShape[outputShape.length - k + i]);
                } else {
                    target = in[i] * stride[i];
                }
                // May be negative (output_shape beyond the full result): the extra outputs get only the bias.
                // Floor division as in ONNX's reference implementation.
                int total = full - target;
                padBegin[i] = autoPad.equals("SAME_UPPER") ? Math.floorDiv(total, 2) : total - Math.floorDiv(total, 2);
                out[i] = target;
            } else {
                long[] pads = autoPad.equals("VALID") ? null : ctx.attrs().getInts("pads");
                if (pads != null && pads.length != 2 * k) {
                    throw new IllegalArgumentException("pads needs " + 2 * k + " values");
                }
                padBegin[i] = pads == null ? 0 : Math.toIntExact(pads[i]);
                int padEnd = pads == null ? 0 : Math.toIntExact(pads[i + k]);
                out[i] = full - padBegin[i] - padEnd;
                if (out[i] < 0 || padBegin[i] < 0 || padEnd < 0) {
                    throw new IllegalArgumentException("ConvTranspose pads leave no output");
                }
            }
        }
        return new Geometry(lead(in, 1), lead(kernel, 1), lead(stride, 1), lead(dilation, 1), lead(padBegin, 0),
                lead(out, 1));
    }

    private static int[] lead(int[] v, int fill) {
        int[] r = new int[3];
        Arrays.fill(r, fill);
        System.arraycopy(v, 0, r, 3 - v.length, v.length);
        return r;
    }

    @Override
    public Kernel prepare(NodeContext ctx) {
        int group = group(ctx);
        return (inputs, par) -> {
            int[] xs = inputs[0].shape();
            int[] ws = inputs[1].shape();
            Geometry geo = geometry(ctx, xs, ws);
            int n = xs[0];
            int c = xs[1];
            int cg = c / group;
            int mg = ws[1];
            int m = mg * group;
            int[] in = geo.in();
            int[] ks = geo.kernel();
            int[] out = geo.out();
            int inSize = in[0] * in[1] * in[2];
            int outSize = out[0] * out[1] * out[2];
            int kSize = ks[0] * ks[1] * ks[2];
            float[] x = inputs[0].floats();
            float[] w = inputs[1].floats();
            float[] bias = inputs.length > 2 && inputs[2] != null ? inputs[2].floats() : null;
            float[] y = new float[n * m * outSize];
            par.forRange(n, (from, to) -> {
                for (int img = from; img < to; img++) {
                    for (int oc = 0; oc < m; oc++) {
                        Arrays.fill(y, (img * m + oc) * outSize, (img * m + oc + 1) * outSize,
                                bias == null ? 0f : bias[oc]);
                    }
                    for (int g = 0; g < group; g++) {
                        for (int ci = 0; ci < cg; ci++) {
                            int channel = g * cg + ci;
                            int xBase = (img * c + channel) * inSize;
                            for (int mi = 0; mi < mg; mi++) {
                                int wBase = (channel * mg + mi) * kSize;
                                int yBase = (img * m + g * mg + mi) * outSize;
                                scatter(x, xBase, w, wBase, y, yBase, geo);
                            }
                        }
                    }
                }
            });
            int k = xs.length - 2;
            return new Tensor[] {Tensor.ofFloats(ConvOps.concat(n, m, Arrays.copyOfRange(out, 3 - k, 3)), y)};
        };
    }

    private static void scatter(float[] x, int xBase, float[] w, int wBase, float[] y, int yBase, Geometry geo) {
        int[] in = geo.in();
        int[] ks = geo.kernel();
        int[] s = geo.stride();
        int[] d = geo.dilation();
        int[] pb = geo.padBegin();
        int[] out = geo.out();
        for (int id = 0; id < in[0]; id++) {
            for (int ih = 0; ih < in[1]; ih++) {
                for (int iw = 0; iw < in[2]; iw++) {
                    float v = x[xBase + (id * in[1] + ih) * in[2] + iw];
                    for (int kd = 0; kd < ks[0]; kd++) {
                        int od = id * s[0] + kd * d[0] - pb[0];
                        if (od < 0 || od >= out[0]) {
                            continue;
                        }
                        for (int kh = 0; kh < ks[1]; kh++) {
                            int oh = ih * s[1] + kh * d[1] - pb[1];
                            if (oh < 0 || oh >= out[1]) {
                                continue;
                            }
                            int wRow = wBase + (kd * ks[1] + kh) * ks[2];
                            int yRow = yBase + (od * out[1] + oh) * out[2];
                            for (int kw = 0; kw < ks[2]; kw++) {
                                int ow = iw * s[2] + kw * d[2] - pb[2];
                                if (ow >= 0 && ow < out[2]) {
                                    y[yRow + ow] += v * w[wRow + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
