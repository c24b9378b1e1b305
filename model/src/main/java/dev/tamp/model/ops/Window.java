package dev.tamp.model.ops;

import java.util.Arrays;

/**
 * Geometry of a sliding window (Conv, pools) over up to three spatial axes, with lower-rank cases padded to three
 * axes of size 1 so one loop nest serves 1-D, 2-D and 3-D.
 */
record Window(int[] in, int[] kernel, int[] stride, int[] dilation, int[] padBegin, int[] padEnd, int[] out) {
    static final int AXES = 3;

    /**
     * Resolves kernel, strides, dilations and pads (explicit or auto_pad) for an input with these spatial sizes.
     *
     * @param ceilMode pools only: round the output size up
     */
    static Window resolve(NodeContext ctx, int[] spatial, int[] kernelFromWeight, boolean ceilMode) {
        var a = ctx.attrs();
        int k = spatial.length;
        if (k < 1 || k > AXES) {
            throw ctx.unsupported(k + " spatial axes (only 1 to 3)");
        }
        int[] kernel = ints(a.getInts("kernel_shape"), k, null);
        if (kernel == null) {
            kernel = kernelFromWeight;
        }
        if (kernel == null) {
            throw new IllegalArgumentException(ctx.node().opType() + " needs kernel_shape");
        }
        if (kernelFromWeight != null && !Arrays.equals(kernel, kernelFromWeight)) {
            throw new IllegalArgumentException("kernel_shape " + Arrays.toString(kernel)
                    + " differs from the weight's " + Arrays.toString(kernelFromWeight));
        }
        if (kernel.length != k) {
            throw new IllegalArgumentException("kernel_shape has " + kernel.length + " axes, input has " + k);
        }
        int[] stride = ints(a.getInts("strides"), k, 1);
        int[] dilation = ints(a.getInts("dilations"), k, 1);
        int[] padBegin = new int[k];
        int[] padEnd = new int[k];
        String autoPad = a.getString("auto_pad", "NOTSET");
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            if (stride[i] < 1 || dilation[i] < 1 || kernel[i] < 1) {
                throw new IllegalArgumentException("kernel, strides and dilations must be positive");
            }
        }
        switch (autoPad) {
            case "NOTSET": {
                long[] pads = a.getInts("pads");
                if (pads != null && pads.length != 2 * k) {
                    throw new IllegalArgumentException("pads needs " + 2 * k + " values, has " + pads.length);
                }
                for (int i = 0; i < k; i++) {
                    padBegin[i] = pads == null ? 0 : (int) pads[i];
                    padEnd[i] = pads == null ? 0 : (int) pads[i + k];
                    if (padBegin[i] < 0 || padEnd[i] < 0) {
                        throw ctx.unsupported("negative pads");
                    }
                    int span = (kernel[i] - 1) * dilation[i] + 1;
                    int room = spatial[i] + padBegin[i] + padEnd[i] - span;
                    if (room < 0) {
                        throw new IllegalArgumentException("window larger than padded input on axis " + i);
                    }
                    out[i] = (ceilMode ? Math.floorDiv(room + stride[i] - 1, stride[i]) : room / stride[i]) + 1;
                    // A window that would start inside the end padding is dropped (ONNX Runtime, PyTorch).
                    if (ceilMode && (long) (out[i] - 1) * stride[i] >= spatial[i] + padBegin[i]) {
                        out[i]--;
                    }
                }
                break;
            }
            case "VALID":
                for (int i = 0; i < k; i++) {
                    int span = (kernel[i] - 1) * dilation[i] + 1;
                    if (spatial[i] < span) {
                        throw new IllegalArgumentException("window larger than input on axis " + i);
                    }
                    out[i] = (spatial[i] - span) / stride[i] + 1;
                }
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                for (int i = 0; i < k; i++) {
                    int span = (kernel[i] - 1) * dilation[i] + 1;
                    out[i] = (spatial[i] + stride[i] - 1) / stride[i];
                    int total = Math.max(0, (out[i] - 1) * stride[i] + span - spatial[i]);
                    padBegin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    padEnd[i] = total - padBegin[i];
                }
                break;
            default:
                throw ctx.unsupported("auto_pad " + autoPad);
        }
        return new Window(spatial, kernel, stride, dilation, padBegin, padEnd, out).padded();
    }

    private static int[] ints(long[] values, int k, Integer fallback) {
        if (values == null) {
            if (fallback == null) {
                return null;
            }
            int[] r = new int[k];
            Arrays.fill(r, fallback);
            return r;
        }
        if (values.length != k) {
            throw new IllegalArgumentException("expected " + k + " values, got " + Arrays.toString(values));
        }
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    /** The same window with leading axes of size 1 added up to three spatial axes. */
    private Window padded() {
        int missing = AXES - in.length;
        return new Window(lead(in, missing, 1), lead(kernel, missing, 1), lead(stride, missing, 1),
                lead(dilation, missing, 1), lead(padBegin, missing, 0), lead(padEnd, missing, 0),
                lead(out, missing, 1));
    }

    private static int[] lead(int[] v, int missing, int fill) {
        int[] r = new int[v.length + missing];
        Arrays.fill(r, 0, missing, fill);
        System.arraycopy(v, 0, r, missing, v.length);
        return r;
    }

    int inSize() {
        return in[0] * in[1] * in[2];
    }

    int outSize() {
        return out[0] * out[1] * out[2];
    }

    int kernelSize() {
        return kernel[0] * kernel[1] * kernel[2];
    }

    /** Output spatial sizes without the axes added for padding to three. */
    int[] outSpatial(int rank) {
        return Arrays.copyOfRange(out, AXES - rank, AXES);
    }
}
