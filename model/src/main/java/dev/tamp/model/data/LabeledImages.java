package dev.tamp.model.data;

import java.util.Objects;

/**
 * Grey-scale images with one class label each, as stored in IDX files: {@code count} images of rows x cols unsigned
 * bytes, row-major, one after another. The arrays are owned by this value and never modified.
 */
public record LabeledImages(int count, int rows, int cols, byte[] pixels, byte[] labels) {
    public LabeledImages {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("invalid dimensions " + count + "x" + rows + "x" + cols);
        }
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected "
                    + (long) count * rows * cols);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException(count + " images but " + labels.length + " labels");
        }
    }

    public int label(int i) {
        return labels[i] & 0xff;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** Images [from, to) as a new data set. */
    public LabeledImages slice(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + count);
        }
        int p = pixelsPerImage();
        byte[] px = java.util.Arrays.copyOfRange(pixels, from * p, to * p);
        byte[] lb = java.util.Arrays.copyOfRange(labels, from, to);
        return new LabeledImages(to - from, rows, cols, px, lb);
    }

    /**
     * Splits into a first part of {@code fraction} of the images and the rest, after a shuffle with a fixed seed so
     * that the split is the same on every machine.
     */
    public LabeledImages[] split(double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in [0, 1], got " + fraction);
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int cut = (int) Math.round(count * fraction);
        return new LabeledImages[] {pick(order, 0, cut), pick(order, cut, count)};
    }

    private LabeledImages pick(int[] order, int from, int to) {
        int p = pixelsPerImage();
        byte[] px = new byte[(to - from) * p];
        byte[] lb = new byte[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels, order[i] * p, px, (i - from) * p, p);
            lb[i - from] = labels[order[i]];
        }
        return new LabeledImages(to - from, rows, cols, px, lb);
    }
}
