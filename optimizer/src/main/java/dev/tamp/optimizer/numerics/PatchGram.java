package dev.tamp.optimizer.numerics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The second-moment matrix of a convolution's input patches, {@code G = Σ q qᵀ} over every output position of every
 * image, where {@code q} is the zero-padded im2col patch (channel-major, then kernel row, then column: the layout of
 * a Conv weight's row) followed by a constant 1 for the bias.
 *
 * <p>A convolution's output at a position is {@code [W | b] q}, so for any two convolutions of the same window the
 * summed squared difference of their outputs over the samples is {@code tr(Δ G Δᵀ)} with {@code Δ = [W' - W | b' - b]}:
 * G is the sufficient statistic of every least-squares fit of compact filters to a layer's outputs, and the fits
 * never touch the samples again.
 */
public final class PatchGram {
    /** Patches accumulated per rank-B update; a block of 64 patches stays in L2 while each row of G sweeps it. */
    private static final int BLOCK = 64;

    private PatchGram() {}

    /**
     * G (symmetric, dimension {@code channels * kernelSize + 1}) of an NCHW float batch, accumulated in double. Each
     * entry is summed in the same order whatever {@code threads} is (threads split the rows of G), so the result
     * does not depend on it.
     */
    public static double[][] of(float[] x, int batch, int channels, int height, int width, ConvWindow win,
            int threads) {
        int k = win.kernelSize();
        int dim = channels * k + 1;
        int outH = win.outH(height);
        int outW = win.outW(width);
        if (x.length != (long) batch * channels * height * width || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("input of " + x.length + " floats is not " + batch + "x" + channels
                    + "x" + height + "x" + width + " or too small for " + win);
        }
        double[][] g = new double[dim][];
        for (int a = 0; a < dim; a++) {
            g[a] = new double[a + 1];
        }
        double[][] block = new double[BLOCK][dim];
        int filled = 0;
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            for (int n = 0; n < batch; n++) {
                for (int oy = 0; oy < outH; oy++) {
                    for (int ox = 0; ox < outW; ox++) {
                        patch(x, n, channels, height, width, win, oy, ox, block[filled]);
                        if (++filled == BLOCK) {
                            accumulate(g, block, filled, pool, threads);
                            filled = 0;
                        }
                    }
                }
            }
            accumulate(g, block, filled, pool, threads);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        double[][] full = new double[dim][dim];
        for (int a = 0; a < dim; a++) {
            for (int j = 0; j <= a; j++) {
                full[a][j] = g[a][j];
                full[j][a] = g[a][j];
            }
        }
        return full;
    }

    /** Fills {@code q} with the augmented patch of output position (oy, ox) of image n. */
    static void patch(float[] x, int n, int channels, int height, int width, ConvWindow win, int oy, int ox,
            double[] q) {
        int i = 0;
        for (int c = 0; c < channels; c++) {
            int base = (n * channels + c) * height;
            for (int ky = 0; ky < win.kernelH(); ky++) {
                int iy = oy * win.strideH() - win.padTop() + ky * win.dilationH();
                for (int kx = 0; kx < win.kernelW(); kx++) {
                    int ix = ox * win.strideW() - win.padLeft() + kx * win.dilationW();
                    q[i++] = iy >= 0 && iy < height && ix >= 0 && ix < width ? x[(base + iy) * width + ix] : 0.0;
                }
            }
        }
        q[i] = 1.0;
    }

    /** Lower triangle of G += Σ_t q_t q_tᵀ over the block; row a is an axpy over a contiguous prefix. */
    private static void accumulate(double[][] g, double[][] block, int count, ExecutorService pool, int threads) {
        if (count == 0) {
            return;
        }
        if (pool == null) {
            rows(g, block, count, 0, 1);
            return;
        }
        List<Future<?>> parts = new ArrayList<>();
        for (int r = 0; r < threads; r++) {
            int first = r;
            // Interleaved rows balance the triangle's growing row lengths.
            parts.add(pool.submit(() -> rows(g, block, count, first, threads)));
        }
        try {
            for (Future<?> f : parts) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while accumulating patch moments", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void rows(double[][] g, double[][] block, int count, int first, int step) {
        for (int a = first; a < g.length; a += step) {
            double[] row = g[a];
            for (int t = 0; t < count; t++) {
                double[] q = block[t];
                double qa = q[a];
                if (qa == 0.0) {
                    continue;
                }
                for (int j = 0; j <= a; j++) {
                    row[j] += qa * q[j];
                }
            }
        }
    }
}
