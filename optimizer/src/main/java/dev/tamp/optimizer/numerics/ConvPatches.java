package dev.tamp.optimizer.numerics;

/**
 * The im2col view of a 2-D convolution: for each output position of one image and one group, the vector of input
 * values the kernel multiplies, ordered {@code (channel, kernel row, kernel column)} like a flattened row of the
 * weight {@code [M, C/group, kH, kW]}, so that the convolution is {@code y[m, p] = W_row(m) · patch(p)}. Padding
 * contributes zeros; strides and dilations pick the taps.
 *
 * @param channels input channels C (all groups)
 * @param pads {@code [top, left, bottom, right]}, as ONNX orders them
 */
public record ConvPatches(int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
        int[] pads, int dilationH, int dilationW, int groups) {
    public ConvPatches {
        pads = pads.clone();
        if (pads.length != 4) {
            throw new IllegalArgumentException("2-D pads are [top, left, bottom, right], got " + pads.length);
        }
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("kernel, strides and dilations must be positive");
        }
        if (height + pads[0] + pads[2] < dilationH * (kernelH - 1) + 1
                || width + pads[1] + pads[3] < dilationW * (kernelW - 1) + 1) {
            throw new IllegalArgumentException("the kernel does not fit the padded " + height + "x" + width + " input");
        }
    }

    public int outHeight() {
        return (height + pads[0] + pads[2] - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outWidth() {
        return (width + pads[1] + pads[3] - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    /** Output positions per image: the patches one image gives per group. */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Length of a patch: the inputs one output reads, {@code C/group · kH · kW}. */
    public int patchLength() {
        return channels / groups * kernelH * kernelW;
    }

    /**
     * Writes the patches of image {@code image} of an NCHW batch {@code x}, group {@code group}, into rows
     * {@code firstRow ..} of {@code out} (each at least {@link #patchLength()} long), one row per output position in
     * row-major order.
     */
    public void extract(float[] x, int image, int group, float[][] out, int firstRow) {
        int perGroup = channels / groups;
        int plane = height * width;
        int ow = outWidth();
        for (int oy = 0; oy < outHeight(); oy++) {
            for (int ox = 0; ox < ow; ox++) {
                float[] row = out[firstRow + oy * ow + ox];
                int k = 0;
                for (int c = 0; c < perGroup; c++) {
                    int base = (image * channels + group * perGroup + c) * plane;
                    for (int ky = 0; ky < kernelH; ky++) {
                        int iy = oy * strideH - pads[0] + ky * dilationH;
                        for (int kx = 0; kx < kernelW; kx++) {
                            int ix = ox * strideW - pads[1] + kx * dilationW;
                            row[k++] = iy >= 0 && iy < height && ix >= 0 && ix < width ? x[base + iy * width + ix] : 0f;
                        }
                    }
                }
            }
        }
    }
}
