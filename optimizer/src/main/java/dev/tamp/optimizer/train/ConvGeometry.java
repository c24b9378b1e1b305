package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;

/**
 * The sliding window of a 2-D convolution or pooling over one image plane: input and kernel size, strides,
 * dilations and pads (explicit, or resolved from {@code auto_pad}), and the output size they give.
 */
record ConvGeometry(int inH, int inW, int kH, int kW, int strideH, int strideW, int dilH, int dilW, int padTop,
        int padLeft, int outH, int outW) {

    int inSize() {
        return inH * inW;
    }

    int outSize() {
        return outH * outW;
    }

    int kernelSize() {
        return kH * kW;
    }

    /** Resolves the node's window attributes for an input plane of {@code inH x inW} and a {@code kH x kW} kernel. */
    static ConvGeometry of(Node node, int inH, int inW, int kH, int kW) {
        var a = node.attributes();
        long[] strides = ints(node, "strides", 1);
        long[] dilations = ints(node, "dilations", 1);
        long[] pads = a.getInts("pads");
        if (a.getInt("ceil_mode", 0) != 0) {
            throw refuse(node, "ceil_mode=1 is not supported");
        }
        int sh = (int) strides[0];
        int sw = (int) strides[1];
        int dh = (int) dilations[0];
        int dw = (int) dilations[1];
        int effH = (kH - 1) * dh + 1;
        int effW = (kW - 1) * dw + 1;
        String autoPad = a.getString("auto_pad", "NOTSET");
        int top;
        int left;
        int bottom;
        int right;
        switch (autoPad) {
            case "NOTSET" -> {
                if (pads != null && pads.length != 4) {
                    throw refuse(node, "pads must have 4 values for a 2-D window, has " + pads.length);
                }
                top = pads == null ? 0 : (int) pads[0];
                left = pads == null ? 0 : (int) pads[1];
                bottom = pads == null ? 0 : (int) pads[2];
                right = pads == null ? 0 : (int) pads[3];
            }
            case "VALID" -> {
                top = 0;
                left = 0;
                bottom = 0;
                right = 0;
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int totalH = Math.max(0, (ceilDiv(inH, sh) - 1) * sh + effH - inH);
                int totalW = Math.max(0, (ceilDiv(inW, sw) - 1) * sw + effW - inW);
                boolean upper = autoPad.equals("SAME_UPPER");
                top = upper ? totalH / 2 : totalH - totalH / 2;
                left = upper ? totalW / 2 : totalW - totalW / 2;
                bottom = totalH - top;
                right = totalW - left;
            }
            default -> throw refuse(node, "auto_pad=" + autoPad + " is not supported");
        }
        int outH = (inH + top + bottom - effH) / sh + 1;
        int outW = (inW + left + right - effW) / sw + 1;
        if (outH < 1 || outW < 1) {
            throw refuse(node, "the window does not fit the " + inH + "x" + inW + " input");
        }
        return new ConvGeometry(inH, inW, kH, kW, sh, sw, dh, dw, top, left, outH, outW);
    }

    private static long[] ints(Node node, String name, long fallback) {
        long[] v = node.attributes().getInts(name);
        if (v == null) {
            return new long[] {fallback, fallback};
        }
        if (v.length != 2) {
            throw refuse(node, name + " must have 2 values for a 2-D window, has " + v.length);
        }
        return v;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static IllegalArgumentException refuse(Node node, String reason) {
        return new IllegalArgumentException("cannot train node " + node.name() + " (" + node.opType() + "): " + reason);
    }

    /**
     * Lays out every receptive field of {@code channels} planes starting at {@code x[inBase]} as a column of the
     * row-major {@code cols} (row stride {@code ld}): rows (channel, kh, kw), columns output positions from {@code
     * colOffset}. Pads read as zero.
     */
    void im2col(float[] x, int inBase, int channels, float[] cols, int ld, int colOffset) {
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = inBase + c * inSize();
            for (int kh = 0; kh < kH; kh++) {
                for (int kw = 0; kw < kW; kw++, row++) {
                    int o = row * ld + colOffset;
                    int iw0 = kw * dilW - padLeft;
                    boolean contiguous = strideW == 1 && iw0 >= 0 && iw0 + outW <= inW;
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * strideH - padTop + kh * dilH;
                        int src = plane + ih * inW;
                        if (ih < 0 || ih >= inH) {
                            java.util.Arrays.fill(cols, o, o + outW, 0f);
                            o += outW;
                        } else if (contiguous) {
                            System.arraycopy(x, src + iw0, cols, o, outW);
                            o += outW;
                        } else {
                            for (int ow = 0; ow < outW; ow++, o++) {
                                int iw = ow * strideW + iw0;
                                cols[o] = iw >= 0 && iw < inW ? x[src + iw] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@link #im2col}: one row of the row-major {@code rows} (row stride {@code ld}) per output
     * position (from {@code rowOffset}), holding its receptive field in (channel, kh, kw) order. The weight gradient
     * streams these rows as B of its GEMM.
     */
    void im2row(float[] x, int inBase, int channels, float[] rows, int ld, int rowOffset) {
        int o = rowOffset;
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++, o++) {
                int dst = o * ld;
                for (int c = 0; c < channels; c++) {
                    int plane = inBase + c * inSize();
                    for (int kh = 0; kh < kH; kh++) {
                        int ih = oh * strideH - padTop + kh * dilH;
                        int src = plane + ih * inW;
                        int iw0 = ow * strideW - padLeft;
                        if (ih >= 0 && ih < inH && dilW == 1 && iw0 >= 0 && iw0 + kW <= inW) {
                            // A loop rather than System.arraycopy: kernel rows are a few floats.
                            int from = src + iw0;
                            for (int kw = 0; kw < kW; kw++) {
                                rows[dst + kw] = x[from + kw];
                            }
                            dst += kW;
                            continue;
                        }
                        boolean rowInside = ih >= 0 && ih < inH;
                        for (int kw = 0; kw < kW; kw++, dst++) {
                            int iw = iw0 + kw * dilW;
                            rows[dst] = rowInside && iw >= 0 && iw < inW ? x[src + iw] : 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Adds each column of the row-major {@code cols} (row stride {@code ld}, from {@code colOffset}) back onto the
     * input positions it was read from.
     */
    void col2im(float[] cols, int ld, int colOffset, float[] dx, int inBase, int channels) {
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = inBase + c * inSize();
            for (int kh = 0; kh < kH; kh++) {
                for (int kw = 0; kw < kW; kw++, row++) {
                    int o = row * ld + colOffset;
                    int iw0 = kw * dilW - padLeft;
                    boolean contiguous = strideW == 1 && iw0 >= 0 && iw0 + outW <= inW;
                    for (int oh = 0; oh < outH; oh++) {
                        int ih = oh * strideH - padTop + kh * dilH;
                        if (ih < 0 || ih >= inH) {
                            o += outW;
                            continue;
                        }
                        int dst = plane + ih * inW;
                        if (contiguous) {
                            int d = dst + iw0;
                            for (int ow = 0; ow < outW; ow++) {
                                dx[d + ow] += cols[o + ow];
                            }
                            o += outW;
                            continue;
                        }
                        for (int ow = 0; ow < outW; ow++, o++) {
                            int iw = ow * strideW - padLeft + kw * dilW;
                            if (iw >= 0 && iw < inW) {
                                dx[dst + iw] += cols[o];
                            }
                        }
                    }
                }
            }
        }
    }
}
