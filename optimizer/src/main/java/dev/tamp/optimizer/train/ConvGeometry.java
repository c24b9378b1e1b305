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
     * Whether some window reaches a pad or past the input's edge: reading receptive fields in place then needs the
     * zero-bordered copy {@link #padInto} makes.
     */
    boolean readsPadding() {
        return padTop > 0 || padLeft > 0 || paddedH() > inH || paddedW() > inW;
    }

    /** Rows of the planes {@link #padInto} writes: every row a window reads, from the top pad on. */
    int paddedH() {
        return (outH - 1) * strideH + (kH - 1) * dilH + 1;
    }

    /** Columns of the planes {@link #padInto} writes. */
    int paddedW() {
        return (outW - 1) * strideW + (kW - 1) * dilW + 1;
    }

    /**
     * Copies {@code channels} planes from {@code x[inBase]} into {@code dst[dstBase]} as {@link #paddedH()} x {@link
     * #paddedW()} planes whose origin is the top-left pad; pads read as zero.
     */
    void padInto(float[] x, int inBase, int channels, float[] dst, int dstBase) {
        int ph = paddedH();
        int pw = paddedW();
        java.util.Arrays.fill(dst, dstBase, dstBase + channels * ph * pw, 0f);
        int c0 = Math.max(0, padLeft);
        int c1 = Math.min(pw, padLeft + inW);
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < ph; r++) {
                int ih = r - padTop;
                if (ih >= 0 && ih < inH && c1 > c0) {
                    System.arraycopy(x, inBase + c * inSize() + ih * inW + c0 - padLeft, dst,
                            dstBase + (c * ph + r) * pw + c0, c1 - c0);
                }
            }
        }
    }

    /**
     * The offset of each receptive-field element (channel, kh, kw) from its window's origin, in planes of {@code
     * planeSize} floats with rows of {@code rowStride}: with {@link #windowOffsets}, the im2col matrix as {@link
     * GemmKernel} offset tables, read in place.
     */
    int[] fieldOffsets(int channels, int planeSize, int rowStride) {
        int[] offsets = new int[channels * kH * kW];
        int i = 0;
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kH; kh++) {
                for (int kw = 0; kw < kW; kw++) {
                    offsets[i++] = c * planeSize + kh * dilH * rowStride + kw * dilW;
                }
            }
        }
        return offsets;
    }

    /** The offset of each output position's window origin in a plane with rows of {@code rowStride}. */
    int[] windowOffsets(int rowStride) {
        int[] offsets = new int[outSize()];
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                offsets[oh * outW + ow] = oh * strideH * rowStride + ow * strideW;
            }
        }
        return offsets;
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
