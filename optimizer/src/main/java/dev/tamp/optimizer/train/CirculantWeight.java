package dev.tamp.optimizer.train;

import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.numerics.Fft;
import java.util.List;

/**
 * A circulant or block-circulant weight trained through its FFT product: its parameters are the tiles' defining
 * vectors, and {@link CirculantLayer} multiplies by it, back-propagates through it and computes the vectors' gradient
 * with FFTs, never with the dense matrix. Index conventions are {@link BlockCirculant}'s: on the weight's {@code
 * [rows, cols]} matrix view, tile {@code (I, J)} of side {@code b} has {@code W[i][j] = v_IJ[(i - j) mod b]}; a plain
 * {@link Circulant} is one tile with {@code b = rows = cols}.
 *
 * <p>The calculus, per tile, with {@code F} the DFT and {@code v}, {@code x} real. The product {@code y = C x} is the
 * cyclic convolution {@code F^-1(F v . F x)}, and {@code y = C^T x} the correlation {@code F^-1(conj(F v) . F x)}. For
 * {@code y = C x}, {@code dL/dv[d] = sum_i dy[i] x[(i - d) mod b]}, the cyclic cross-correlation of dy and x, so
 * {@code F(dL/dv) = F dy . conj(F x)}, and {@code dx = C^T dy}. For {@code y = C^T x}, {@code dL/dv[d] = sum_j dy[j]
 * x[(j + d) mod b]}, {@code F(dL/dv) = conj(F dy) . F x}, and {@code dx = C dy}. Over a batch the per-image spectra
 * are summed before one inverse transform per tile. Cut-off last tiles (b not dividing the sides) work on inputs and
 * output gradients padded with zeros, so entries outside the matrix get no gradient, as they affect nothing.
 *
 * <p>Arithmetic is in double (the {@link Fft}), rounded to float once per output. Per image, the forward pass costs
 * {@code q} forward and {@code p} inverse transforms of size b plus {@code p q (b/2 + 1)} complex products for the
 * {@code p x q} tiles, instead of the dense product's {@code rows * cols} multiply-adds. {@link #dense()} is kept
 * materialized after each step for regularizers, which read it and add to {@link #denseGrad()}; the layers never
 * touch either. {@link #pullGradient} maps that dense gradient onto the vectors (each vector entry's gradient is the
 * sum of the dense gradient over its wrapped diagonal), on top of what {@link CirculantLayer} adds directly.
 */
public final class CirculantWeight extends TrainableWeight {
    private final boolean plain;
    private final int rows;
    private final int cols;
    private final int block;
    private final int tileRows;
    private final int tileCols;
    private final int half;
    private final Fft fft;
    private final Parameter vectors;
    /** Tile t's spectrum, frequencies 0..half-1, at {@code t * half + k}; recomputed after every step. */
    private final double[] spectraRe;
    private final double[] spectraIm;
    /** The vector entry each element of the dense view reads: {@code W[k] = vectors[entry[k]]}. */
    private final int[] entry;

    private CirculantWeight(String name, int[] dims, boolean plain, int block, float[] vectors) {
        super(name, dims, new float[Math.toIntExact(dev.tamp.model.ir.Tensor.elementCount(dims))]);
        this.plain = plain;
        this.rows = dims[0];
        this.cols = dense().length / rows;
        this.block = block;
        this.tileRows = (rows + block - 1) / block;
        this.tileCols = (cols + block - 1) / block;
        this.half = block / 2 + 1;
        this.fft = new Fft(block);
        this.vectors = new Parameter(name + "/vectors", vectors, new float[vectors.length]);
        this.spectraRe = new double[tileRows * tileCols * half];
        this.spectraIm = new double[spectraRe.length];
        this.entry = new int[dense().length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int tile = (i / block) * tileCols + j / block;
                entry[i * cols + j] = tile * block + Math.floorMod(i % block - j % block, block);
            }
        }
        refresh();
    }

    public static CirculantWeight ofCirculant(String name, Circulant c) {
        return new CirculantWeight(name, c.dims(), true, c.c().length, c.c());
    }

    public static CirculantWeight ofBlockCirculant(String name, BlockCirculant c) {
        return new CirculantWeight(name, c.dims(), false, c.blockSize(), c.vectors());
    }

    int rows() {
        return rows;
    }

    int cols() {
        return cols;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(vectors);
    }

    @Override
    public void pullGradient(Parallelism par) {
        float[] g = denseGrad();
        float[] out = vectors.grad();
        double[] sums = new double[out.length];
        for (int k = 0; k < g.length; k++) {
            sums[entry[k]] += g[k];
        }
        for (int k = 0; k < out.length; k++) {
            out[k] += (float) sums[k];
        }
    }

    @Override
    public void afterStep(Parallelism par) {
        refresh();
    }

    /** Recomputes the tiles' spectra and the dense view from the vectors. */
    private void refresh() {
        float[] v = vectors.value();
        double[] re = new double[block];
        double[] im = new double[block];
        for (int t = 0; t < tileRows * tileCols; t++) {
            transform(v, t * block, block, re, im, spectraRe, spectraIm, t * half);
        }
        float[] w = dense();
        for (int k = 0; k < w.length; k++) {
            w[k] = v[entry[k]];
        }
    }

    /**
     * {@code y = W x} per image ({@code transposed}: {@code y = W^T x}), x row-major {@code [batch, in]}; the images
     * are split over the threads, each computed alone, so the result does not depend on the split.
     */
    float[] multiply(float[] x, int batch, boolean transposed, Parallelism par) {
        Sides s = new Sides(transposed);
        float[] y = new float[batch * s.outLength];
        par.forRange(batch, (from, to) -> {
            Scratch w = new Scratch(s.inTiles);
            for (int img = from; img < to; img++) {
                w.transformAll(x, img * s.inLength, s.inLength, s.inTiles);
                for (int o = 0; o < s.outTiles; o++) {
                    w.clear();
                    for (int t = 0; t < s.inTiles; t++) {
                        w.accumulate(tile(o, t, transposed), t, transposed);
                    }
                    w.inverseInto(y, img * s.outLength + o * block, Math.min(block, s.outLength - o * block));
                }
            }
        });
        return y;
    }

    /**
     * The backward pass of {@link #multiply} for output gradients {@code dy}: adds {@code dL/dv} to the vectors'
     * gradient and returns {@code dL/dx}, or null without {@code inputGrad}. The vectors' gradient is summed per fixed
     * chunk of images and the chunks in order ({@link Products#forChunks}), so it does not depend on the thread count.
     */
    float[] backward(float[] x, float[] dy, int batch, boolean transposed, boolean inputGrad, Parallelism par) {
        Sides s = new Sides(transposed);
        float[] dx = inputGrad ? new float[batch * s.inLength] : null;
        int tiles = tileRows * tileCols;
        int chunks = Products.chunkCount(batch);
        double[][] partRe = new double[chunks][tiles * half];
        double[][] partIm = new double[chunks][tiles * half];
        Products.forChunks(par, batch, (chunk, from, to) -> {
            Scratch xs = new Scratch(s.inTiles);
            Scratch dys = new Scratch(s.outTiles);
            for (int img = from; img < to; img++) {
                xs.transformAll(x, img * s.inLength, s.inLength, s.inTiles);
                dys.transformAll(dy, img * s.outLength, s.outLength, s.outTiles);
                for (int o = 0; o < s.outTiles; o++) {
                    for (int t = 0; t < s.inTiles; t++) {
                        correlate(dys, o, xs, t, transposed, partRe[chunk], partIm[chunk], tile(o, t, transposed));
                    }
                }
                if (dx != null) {
                    // dx = W^T dy for y = W x, and W dy for y = W^T x: the product with the other orientation.
                    for (int t = 0; t < s.inTiles; t++) {
                        dys.clear();
                        for (int o = 0; o < s.outTiles; o++) {
                            dys.accumulate(tile(o, t, transposed), o, !transposed);
                        }
                        dys.inverseInto(dx, img * s.inLength + t * block, Math.min(block, s.inLength - t * block));
                    }
                }
            }
        });
        float[] grad = vectors.grad();
        Scratch sum = new Scratch(0);
        float[] dv = new float[block];
        for (int t = 0; t < tiles; t++) {
            sum.clear();
            for (int c = 0; c < chunks; c++) {
                for (int k = 0; k < half; k++) {
                    sum.re[k] += partRe[c][t * half + k];
                    sum.im[k] += partIm[c][t * half + k];
                }
            }
            sum.inverseInto(dv, 0, block);
            for (int d = 0; d < block; d++) {
                grad[t * block + d] += dv[d];
            }
        }
        return dx;
    }

    /** The index of the tile joining output tile {@code o} and input tile {@code t}. */
    private int tile(int o, int t, boolean transposed) {
        return transposed ? t * tileCols + o : o * tileCols + t;
    }

    /**
     * Adds the spectrum of one image's contribution to tile {@code tile}'s gradient: {@code DY_o conj(X_t)} for
     * {@code y = W x}, its conjugate {@code conj(DY_o) X_t} for {@code y = W^T x}.
     */
    private void correlate(Scratch dys, int o, Scratch xs, int t, boolean transposed, double[] re, double[] im,
            int tile) {
        double sign = transposed ? -1 : 1;
        for (int k = 0; k < half; k++) {
            double ar = dys.specRe[o * half + k];
            double ai = dys.specIm[o * half + k];
            double br = xs.specRe[t * half + k];
            double bi = xs.specIm[t * half + k];
            re[tile * half + k] += ar * br + ai * bi;
            im[tile * half + k] += sign * (ai * br - ar * bi);
        }
    }

    /** The lengths and tile counts of a product's input and output. */
    private final class Sides {
        final int inLength;
        final int outLength;
        final int inTiles;
        final int outTiles;

        Sides(boolean transposed) {
            inLength = transposed ? rows : cols;
            outLength = transposed ? cols : rows;
            inTiles = transposed ? tileRows : tileCols;
            outTiles = transposed ? tileCols : tileRows;
        }
    }

    /** One thread's work arrays: the spectra of a vector's tiles, and an accumulator of one tile's spectrum. */
    private final class Scratch {
        final double[] specRe;
        final double[] specIm;
        final double[] re = new double[block];
        final double[] im = new double[block];

        Scratch(int tiles) {
            specRe = new double[tiles * half];
            specIm = new double[tiles * half];
        }

        /** The spectra of the {@code tiles} tiles of {@code src[from, from + length)}, zero-padded at the end. */
        void transformAll(float[] src, int from, int length, int tiles) {
            for (int t = 0; t < tiles; t++) {
                transform(src, from + t * block, Math.min(block, length - t * block), re, im, specRe, specIm, t * half);
            }
        }

        void clear() {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
        }

        /** Adds {@code S_tile . spectrum(t)}, with {@code conj(S_tile)} when {@code conjugate}, to the accumulator. */
        void accumulate(int tile, int t, boolean conjugate) {
            double sign = conjugate ? -1 : 1;
            for (int k = 0; k < half; k++) {
                double cr = spectraRe[tile * half + k];
                double ci = sign * spectraIm[tile * half + k];
                double xr = specRe[t * half + k];
                double xi = specIm[t * half + k];
                re[k] += cr * xr - ci * xi;
                im[k] += cr * xi + ci * xr;
            }
        }

        /** Inverts the accumulated half spectrum (of a real vector) and writes its first {@code length} values. */
        void inverseInto(float[] dst, int from, int length) {
            for (int k = half; k < block; k++) {
                re[k] = re[block - k];
                im[k] = -im[block - k];
            }
            fft.inverse(re, im);
            for (int i = 0; i < length; i++) {
                dst[from + i] = (float) re[i];
            }
        }
    }

    /** The half spectrum of {@code src[from, from + length)} zero-padded to the block, into {@code out} at {@code at}. */
    private void transform(float[] src, int from, int length, double[] re, double[] im, double[] outRe,
            double[] outIm, int at) {
        for (int i = 0; i < block; i++) {
            re[i] = i < length ? src[from + i] : 0;
            im[i] = 0;
        }
        fft.forward(re, im);
        System.arraycopy(re, 0, outRe, at, half);
        System.arraycopy(im, 0, outIm, at, half);
    }

    @Override
    public Representation toRepresentation() {
        return plain ? new Circulant(dims(), vectors.value().clone())
                : new BlockCirculant(dims(), block, vectors.value().clone());
    }
}
