package dev.tamp.optimizer.numerics;

/**
 * The sliding window of a 2-D convolution: kernel size, strides, explicit pads (top, left, bottom, right) and
 * dilations, as ONNX Conv spells them.
 */
public record ConvWindow(int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int padBottom,
        int padRight, int dilationH, int dilationW) {
    public ConvWindow {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1
                || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("invalid convolution window " + this);
        }
    }

    /** Kernel elements per input channel. */
    public int kernelSize() {
        return kernelH * kernelW;
    }

    public int outH(int inH) {
        return (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outW(int inW) {
        return (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }
}
