package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import java.util.Arrays;
import java.util.List;

/** Convolution, pooling and inference-mode batch normalization over NC(D)(H)W tensors. */
final class ConvOps {
    private ConvOps() {}

    /** Target width of the im2col matrix, in columns; 1,024 floats per row keeps a row of C in L1. */
    private static final int IM2COL_COLUMNS = 1024;

    static int[] spatial(int[] dims) {
        return Arrays.copyOfRange(dims, 2, dims.length);
    }

    static int[] concat(int n, int c, int[] spatial) {
        int[] r = new int[spatial.length + 2];
        r[0] = n;
        r[1] = c;
        System.arraycopy(spatial, 0, r, 2, spatial.length);
        return r;
    }

    static void requireImage(NodeContext ctx, TensorType x) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(ctx.node().opType() + " input must have rank >= 3, has " + x.rank());
        }
    }

    /** Conv with groups (depthwise included), explicit or automatic pads, strides and dilations. */
    static Operator conv(MatrixKernels kernels) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
                ctx.requireInputs(inputs, 2, 3);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1, 2);
                TensorType x = inputs.get(0);
                TensorType w = inputs.get(1);
                requireImage(ctx, x);
                Window win = window(ctx, x.dims(), w.dims());
                int group = group(ctx);
                int m = w.dim(0);
                if (x.dim(1) % group != 0 || m % group != 0 || w.dim(1) * group != x.dim(1)) {
                    throw new IllegalArgumentException("Conv: input channels " + x.dim(1) + ", weight "
                            + Arrays.toString(w.dims()) + " and group " + group + " do not agree");
                }
                if (inputs.size() > 2 && inputs.get(2) != null
                        && (inputs.get(2).rank() != 1 || inputs.get(2).dim(0) != m)) {
                    throw new IllegalArgumentException("Conv bias must have shape [" + m + "]");
                }
                return List.of(new TensorType(DataType.FLOAT, concat(x.dim(0), m, win.outSpatial(x.rank() - 2))));
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                TensorType w = inputs.get(1);
                long perOutput = w.elementCount() / w.dim(0);
                return outputs.get(0).elementCount() * perOutput;
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                int group = group(ctx);
                return (in, par) -> {
                    int[] xs = in[0].shape();
                    int[] ws = in[1].shape();
                    Window win = window(ctx, xs, ws);
                    int n = xs[0];
                    int c = xs[1];
                    int m = ws[0];
                    int mg = m / group;
                    int cg = c / group;
                    int k = cg * win.kernelSize();
                    int p = win.outSize();
                    float[] x = in[0].floats();
                    float[] w = in[1].floats();
                    float[] bias = in.length > 2 && in[2] != null ? in[2].floats() : null;
                    float[] y = new float[n * m * p];
                    // Small feature maps give short GEMM rows that vectorize poorly; lay several images side by side so
                    // that each row of the im2col matrix holds about IM2COL_COLUMNS columns.
                    int side = Math.max(1, Math.min(n, IM2COL_COLUMNS / p));
                    par.forRange(n, (from, to) -> {
                        float[][] cols = new float[k][side * p];
                        float[][] acc = new float[mg][side * p];
                        for (int img0 = from; img0 < to; img0 += side) {
                            int count = Math.min(side, to - img0);
                            int width = count * p;
                            for (int g = 0; g < group; g++) {
                                for (int oc = 0; oc < mg; oc++) {
                                    Arrays.fill(acc[oc], 0, width, bias == null ? 0f : bias[g * mg + oc]);
                                }
                                for (int q = 0; q < count; q++) {
                                    im2col(x, ((img0 + q) * c + g * cg) * win.inSize(), cg, win, cols, q * p);
                                }
                                kernels.gemmF32(mg, width, k, w, g * mg * k, k, cols, acc);
                                for (int q = 0; q < count; q++) {
                                    int outBase = ((img0 + q) * m + g * mg) * p;
                                    for (int oc = 0; oc < mg; oc++) {
                                        System.arraycopy(acc[oc], q * p, y, outBase + oc * p, p);
                                    }
                                }
                            }
                        }
                    });
                    return new Tensor[] {Tensor.ofFloats(concat(n, m, win.outSpatial(xs.length - 2)), y)};
                };
            }
        };
    }

    private static int group(NodeContext ctx) {
        long g = ctx.attrs().getInt("group", 1);
        if (g < 1) {
            throw new IllegalArgumentException("group must be >= 1");
        }
        return (int) g;
    }

    private static Window window(NodeContext ctx, int[] x, int[] w) {
        if (w.length != x.length) {
            throw new IllegalArgumentException("Conv weight rank " + w.length + " differs from input rank " + x.length);
        }
        return Window.resolve(ctx, spatial(x), spatial(w), false);
    }

    /** Lays out every receptive field of one group of channels as a column: rows (c, kd, kh, kw), columns output position. */
    static void im2col(float[] x, int inBase, int channels, Window win, float[][] cols, int colOffset) {
        int[] in = win.in();
        int[] ks = win.kernel();
        int[] s = win.stride();
        int[] d = win.dilation();
        int[] pb = win.padBegin();
        int[] out = win.out();
        int inSize = win.inSize();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int xBase = inBase + c * inSize;
            for (int kd = 0; kd < ks[0]; kd++) {
                for (int kh = 0; kh < ks[1]; kh++) {
                    for (int kw = 0; kw < ks[2]; kw++, row++) {
                        float[] r = cols[row];
                        for (int od = 0; od < out[0]; od++) {
                            int id = od * s[0] - pb[0] + kd * d[0];
                            for (int oh = 0; oh < out[1]; oh++) {
                                int ih = oh * s[1] - pb[1] + kh * d[1];
                                int base = colOffset + (od * out[1] + oh) * out[2];
                                if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1]) {
                                    Arrays.fill(r, base, base + out[2], 0f);
                                    continue;
                                }
                                int xRow = xBase + (id * in[1] + ih) * in[2];
                                int iw0 = -pb[2] + kw * d[2];
                                if (s[2] == 1 && iw0 >= 0 && iw0 + out[2] <= in[2]) {
                                    System.arraycopy(x, xRow + iw0, r, base, out[2]);
                                    continue;
                                }
                                for (int ow = 0; ow < out[2]; ow++) {
                                    int iw = ow * s[2] + iw0;
                                    r[base + ow] = iw >= 0 && iw < in[2] ? x[xRow + iw] : 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** MaxPool (single output) and AveragePool, with ceil mode, dilations and count_include_pad. */
    static Operator pool(boolean max) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                if (max) {
                    ctx.allowAttributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                            "storage_order", "strides");
                } else if (ctx.opset() >= 19) {
                    ctx.allowAttributes("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape",
                            "pads", "strides");
                } else {
                    ctx.allowAttributes("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads",
                            "strides");
                }
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                TensorType x = inputs.get(0);
                requireImage(ctx, x);
                Window win = window(ctx, x.dims());
                return List.of(new TensorType(DataType.FLOAT, concat(x.dim(0), x.dim(1), win.outSpatial(x.rank() - 2))));
            }

            private Window window(NodeContext ctx, int[] x) {
                return Window.resolve(ctx, spatial(x), null, ctx.attrs().getInt("ceil_mode", 0) != 0);
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                return outputs.get(0).elementCount() * Window.resolve(ctx, spatial(inputs.get(0).dims()), null,
                        ctx.attrs().getInt("ceil_mode", 0) != 0).kernelSize();
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                boolean includePad = ctx.attrs().getInt("count_include_pad", 0) != 0;
                return (in, par) -> {
                    int[] xs = in[0].shape();
                    Window win = window(ctx, xs);
                    int planes = xs[0] * xs[1];
                    int p = win.outSize();
                    float[] x = in[0].floats();
                    float[] y = new float[planes * p];
                    AxisTaps[] taps = {AxisTaps.of(win, 0), AxisTaps.of(win, 1), AxisTaps.of(win, 2)};
                    par.forRange(planes, (from, to) -> {
                        for (int plane = from; plane < to; plane++) {
                            poolPlane(x, plane * win.inSize(), y, plane * p, win, taps, max, includePad);
                        }
                    });
                    return new Tensor[] {Tensor.ofFloats(concat(xs[0], xs[1], win.outSpatial(xs.length - 2)), y)};
                };
            }
        };
    }

    /**
     * For one spatial axis and each output index: the first and end (exclusive) kernel taps that land inside the
     * input, and how many taps land inside input or explicit padding (count_include_pad's divisor).
     */
    private record AxisTaps(int[] first, int[] end, int[] padded) {
        static AxisTaps of(Window win, int axis) {
            int n = win.out()[axis];
            int[] first = new int[n];
            int[] end = new int[n];
            int[] padded = new int[n];
            int in = win.in()[axis];
            int d = win.dilation()[axis];
            for (int o = 0; o < n; o++) {
                int start = o * win.stride()[axis] - win.padBegin()[axis];
                int f = win.kernel()[axis];
                int e = 0;
                for (int t = 0; t < win.kernel()[axis]; t++) {
                    int i = start + t * d;
                    if (i >= 0 && i < in) {
                        f = Math.min(f, t);
                        e = t + 1;
                    }
                    if (i < in + win.padEnd()[axis]) {
                        padded[o]++;
                    }
                }
                first[o] = f;
                end[o] = Math.max(f, e);
            }
            return new AxisTaps(first, end, padded);
        }
    }

    private static void poolPlane(float[] x, int xBase, float[] y, int yBase, Window win, AxisTaps[] taps,
            boolean max, boolean includePad) {
        int[] in = win.in();
        int[] s = win.stride();
        int[] d = win.dilation();
        int[] pb = win.padBegin();
        int[] out = win.out();
        AxisTaps td = taps[0];
        AxisTaps th = taps[1];
        AxisTaps tw = taps[2];
        int o = yBase;
        for (int od = 0; od < out[0]; od++) {
            int sd = od * s[0] - pb[0];
            for (int oh = 0; oh < out[1]; oh++) {
                int sh = oh * s[1] - pb[1];
                for (int ow = 0; ow < out[2]; ow++, o++) {
                    int sw = ow * s[2] - pb[2];
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int kd = td.first()[od]; kd < td.end()[od]; kd++) {
                        int dBase = (sd + kd * d[0]) * in[1];
                        for (int kh = th.first()[oh]; kh < th.end()[oh]; kh++) {
                            int row = xBase + (dBase + sh + kh * d[1]) * in[2] + sw;
                            for (int kw = tw.first()[ow]; kw < tw.end()[ow]; kw++) {
                                float v = x[row + kw * d[2]];
                                if (max) {
                                    acc = v > acc || v != v ? v : acc;
                                } else {
                                    acc += v;
                                }
                            }
                        }
                    }
                    if (!max) {
                        int count = includePad ? td.padded()[od] * th.padded()[oh] * tw.padded()[ow]
                                : (td.end()[od] - td.first()[od]) * (th.end()[oh] - th.first()[oh])
                                        * (tw.end()[ow] - tw.first()[ow]);
                        acc /= count;
                    }
                    y[o] = acc;
                }
            }
        }
    }

    /** GlobalAveragePool and GlobalMaxPool: one value per (image, channel). */
    static Operator globalPool(boolean max) {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                ctx.allowAttributes();
                ctx.requireInputs(inputs, 1, 1);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0);
                TensorType x = inputs.get(0);
                requireImage(ctx, x);
                int[] ones = new int[x.rank() - 2];
                Arrays.fill(ones, 1);
                return List.of(new TensorType(DataType.FLOAT, concat(x.dim(0), x.dim(1), ones)));
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                return inputs.get(0).elementCount();
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                return (in, par) -> {
                    int[] xs = in[0].shape();
                    int planes = xs[0] * xs[1];
                    int size = (int) (in[0].size() / Math.max(1, (long) planes));
                    float[] x = in[0].floats();
                    float[] y = new float[planes];
                    for (int plane = 0; plane < planes; plane++) {
                        int base = plane * size;
                        if (max) {
                            float m = Float.NEGATIVE_INFINITY;
                            for (int i = 0; i < size; i++) {
                                m = Math.max(m, x[base + i]);
                            }
                            y[plane] = m;
                        } else {
                            float sum = 0f;
                            for (int i = 0; i < size; i++) {
                                sum += x[base + i];
                            }
                            y[plane] = sum / size;
                        }
                    }
                    int[] ones = new int[xs.length - 2];
                    Arrays.fill(ones, 1);
                    return new Tensor[] {Tensor.ofFloats(concat(xs[0], xs[1], ones), y)};
                };
            }
        };
    }

    /** BatchNormalization in inference mode: a per-channel affine map from running statistics. */
    static Operator batchNorm() {
        return new Operator() {
            @Override
            public List<TensorType> infer(NodeContext ctx, List<TensorType> inputs) {
                if (ctx.opset() >= 14) {
                    ctx.allowAttributes("epsilon", "momentum", "training_mode");
                } else if (ctx.opset() >= 9) {
                    ctx.allowAttributes("epsilon", "momentum");
                } else {
                    // Opsets 6 to 8: per-activation statistics (spatial=0) are a different operator.
                    ctx.allowAttributes("epsilon", "momentum", "spatial", "is_test");
                    if (ctx.attrs().getInt("spatial", 1) != 1) {
                        throw ctx.unsupported("spatial=0");
                    }
                }
                if (ctx.attrs().getInt("training_mode", 0) != 0) {
                    throw ctx.unsupported("training_mode=1 (only inference)");
                }
                ctx.requireInputs(inputs, 5, 5);
                ctx.requireOutputs(1);
                ctx.requireFloat(inputs, 0, 1, 2, 3, 4);
                TensorType x = inputs.get(0);
                if (x.rank() < 2) {
                    throw new IllegalArgumentException("BatchNormalization input must have rank >= 2");
                }
                for (int i = 1; i < 5; i++) {
                    if (inputs.get(i).rank() != 1 || inputs.get(i).dim(0) != x.dim(1)) {
                        throw new IllegalArgumentException("BatchNormalization input " + i + " must have shape ["
                                + x.dim(1) + "]");
                    }
                }
                return List.of(x);
            }

            @Override
            public long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
                return inputs.get(0).elementCount();
            }

            @Override
            public Kernel prepare(NodeContext ctx) {
                float epsilon = ctx.attrs().getFloat("epsilon", 1e-5f);
                return (in, par) -> {
                    int[] xs = in[0].shape();
                    int channels = xs[1];
                    float[][] ab = affine(in[1].floats(), in[2].floats(), in[3].floats(), in[4].floats(), epsilon);
                    int inner = (int) (Tensor.elementCount(xs) / ((long) xs[0] * channels));
                    float[] x = in[0].floats();
                    float[] y = new float[x.length];
                    for (int n = 0; n < xs[0]; n++) {
                        for (int c = 0; c < channels; c++) {
                            int base = (n * channels + c) * inner;
                            float a = ab[0][c];
                            float b = ab[1][c];
                            for (int i = 0; i < inner; i++) {
                                y[base + i] = x[base + i] * a + b;
                            }
                        }
                    }
                    return new Tensor[] {Tensor.ofFloats(xs, y)};
                };
            }
        };
    }

    /** Per-channel multiplier and offset equivalent to batch normalization: y = x * a + b. */
    static float[][] affine(float[] scale, float[] shift, float[] mean, float[] var, float epsilon) {
        int c = scale.length;
        float[] a = new float[c];
        float[] b = new float[c];
        for (int i = 0; i < c; i++) {
            a[i] = (float) (scale[i] / Math.sqrt((double) var[i] + epsilon));
            b[i] = shift[i] - mean[i] * a[i];
        }
        return new float[][] {a, b};
    }
}
