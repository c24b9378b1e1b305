package dev.tamp.optimizer.numerics;

/** Which channel along one axis each element of a row-major tensor belongs to (axis -1: one channel for all). */
public record ChannelLayout(int channels, int inner) {
    public static ChannelLayout of(int[] dims, int axis) {
        if (axis < -1 || axis >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " outside a rank-" + dims.length + " tensor");
        }
        if (axis < 0) {
            return new ChannelLayout(1, Integer.MAX_VALUE);
        }
        int inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        return new ChannelLayout(dims[axis], Math.max(inner, 1));
    }

    public int channelOf(int flatIndex) {
        return channels == 1 ? 0 : (flatIndex / inner) % channels;
    }
}
