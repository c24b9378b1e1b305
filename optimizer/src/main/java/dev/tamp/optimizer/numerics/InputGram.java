package dev.tamp.optimizer.numerics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Accumulates the Gram matrix {@code Σ x xᵀ} of a layer's input vectors (rows of a Gemm's input, or a Conv's im2col
 * patches), and gives the layer-wise Hessian {@code H = (2/n) Σ x xᵀ}: the Hessian, with respect to any one output
 * row {@code w}, of the layer's squared reconstruction error {@code Σ (wᵀx − ŵᵀx)²} averaged over the n vectors
 * (Dong et al. 2017, L-OBS). It is the same for every output row.
 *
 * <p>Partial sums over blocks of {@value #BLOCK} vectors are kept in float (where the loop vectorizes eight wide; a
 * block's relative rounding error is at most about {@code 256 · 2⁻²⁴ ≈ 1.5e-5}, far below the sampling noise of
 * the estimate) and added into double. Each entry is summed by one worker in vector order whatever the number of
 * threads, so the result does not depend on it.
 */
public final class InputGram {
    private static final int BLOCK = 256;

    private final int length;
    private final double[][] sum;
    private long count;

    public InputGram(int length) {
        if (length < 1) {
            throw new IllegalArgumentException("vectors must have at least one element");
        }
        this.length = length;
        this.sum = new double[length][length];
    }

    public int length() {
        return length;
    }

    /** Vectors added so far. */
    public long count() {
        return count;
    }

    /** Adds the first {@code rows} rows of {@code vectors} (each at least {@link #length()} long). */
    public void add(float[][] vectors, int rows, int threads) {
        if (rows < 0 || rows > vectors.length) {
            throw new IllegalArgumentException("cannot add " + rows + " of " + vectors.length + " vectors");
        }
        int workers = Math.max(1, Math.min(threads, length));
        if (workers == 1) {
            accumulate(vectors, rows, 0, 1);
        } else {
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                int first = t;
                Thread thread = new Thread(() -> accumulate(vectors, rows, first, workers), "input-gram-" + t);
                thread.start();
                started.add(thread);
            }
            for (Thread thread : started) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while accumulating a Gram matrix", e);
                }
            }
        }
        count += rows;
    }

    /** Adds into the upper triangle's rows {@code first, first + stride, ...}. */
    private void accumulate(float[][] vectors, int rows, int first, int stride) {
        float[] acc = new float[length];
        for (int b0 = 0; b0 < rows; b0 += BLOCK) {
            int b1 = Math.min(rows, b0 + BLOCK);
            for (int i = first; i < length; i += stride) {
                Arrays.fill(acc, i, length, 0f);
                boolean any = false;
                for (int k = b0; k < b1; k++) {
                    float[] x = vectors[k];
                    float a = x[i];
                    if (a != 0f) { // inputs after a ReLU are about half zeros
                        any = true;
                        for (int j = i; j < length; j++) {
                            acc[j] += a * x[j];
                        }
                    }
                }
                if (any) {
                    double[] s = sum[i];
                    for (int j = i; j < length; j++) {
                        s[j] += acc[j];
                    }
                }
            }
        }
    }

    /** {@code H = (2/n) Σ x xᵀ}, symmetric, as a fresh array. */
    public double[][] hessian() {
        if (count == 0) {
            throw new IllegalStateException("no vectors were added");
        }
        double scale = 2.0 / count;
        double[][] h = new double[length][length];
        for (int i = 0; i < length; i++) {
            for (int j = i; j < length; j++) {
                h[i][j] = sum[i][j] * scale;
                h[j][i] = h[i][j];
            }
        }
        return h;
    }
}
