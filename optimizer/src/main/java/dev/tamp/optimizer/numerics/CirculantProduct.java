package dev.tamp.optimizer.numerics;

/**
 * {@code y = W x} and {@code y = W^T x} for a block-circulant {@code [m, n]} matrix in {@code O(mn/b + (m + n) b log
 * b)} instead of {@code O(mn)}: a {@code b x b} circulant tile with {@code W[i][j] = c[(i - j) mod b]} multiplies as the
 * cyclic convolution {@code c * x}, i.e. {@code F^-1(F c . F x)}, and its transpose as {@code F^-1(conj(F c) . F x)}
 * ({@code c} is real). The tiles' spectra are computed once; a product transforms each input tile once, accumulates
 * {@code p * q} pointwise products in the frequency domain and inverts each output tile once. Only the
 * {@code floor(b/2) + 1} non-redundant frequencies are accumulated: the spectra of real vectors are Hermitian.
 *
 * <p>A plain circulant is the case {@code m = n = b}. A cut-off last tile (b not dividing m or n) multiplies an input
 * tile padded with zeros and drops the outputs past the end, which is exactly the cut-off matrix's product. Index
 * conventions are those of {@code dev.tamp.model.ir.BlockCirculant}. Arithmetic is in double.
 */
public final class CirculantProduct {
    private final int m;
    private final int n;
    private final int b;
    private final int p;
    private final int q;
    private final int half;
    private final Fft fft;
    /** Tile (I, J)'s spectrum, frequencies 0..half-1, at ((I * q + J) * half + k). */
    private final double[] spectraRe;
    private final double[] spectraIm;

    private CirculantProduct(int m, int n, int b, float[] vectors) {
        if (m < 1 || n < 1 || b < 1) {
            throw new IllegalArgumentException("need positive sizes, got " + m + "x" + n + " with block " + b);
        }
        this.m = m;
        this.n = n;
        this.b = b;
        this.p = CirculantProjection.ceilDiv(m, b);
        this.q = CirculantProjection.ceilDiv(n, b);
        if (vectors.length != (long) p * q * b) {
            throw new IllegalArgumentException("need " + (long) p * q * b + " vector elements, got " + vectors.length);
        }
        this.half = b / 2 + 1;
        this.fft = new Fft(b);
        spectraRe = new double[p * q * half];
        spectraIm = new double[spectraRe.length];
        double[] re = new double[b];
        double[] im = new double[b];
        for (int tile = 0; tile < p * q; tile++) {
            for (int k = 0; k < b; k++) {
                re[k] = vectors[tile * b + k];
                im[k] = 0;
            }
            fft.forward(re, im);
            System.arraycopy(re, 0, spectraRe, tile * half, half);
            System.arraycopy(im, 0, spectraIm, tile * half, half);
        }
    }

    /** The product by the {@code n x n} circulant with defining vector {@code c} (length n). */
    public static CirculantProduct circulant(float[] c) {
        return new CirculantProduct(c.length, c.length, c.length, c);
    }

    /** The product by an {@code m x n} block-circulant matrix, vectors laid out as {@code BlockCirculant}'s. */
    public static CirculantProduct blockCirculant(int m, int n, int blockSize, float[] vectors) {
        return new CirculantProduct(m, n, blockSize, vectors);
    }

    /** {@code W x}: x has n elements, the result m. */
    public double[] multiply(double[] x) {
        return product(x, false);
    }

    /** {@code W^T x}: x has m elements, the result n (a Gemm with transB = 0 computes this with its weight). */
    public double[] multiplyTransposed(double[] x) {
        return product(x, true);
    }

    private double[] product(double[] x, boolean transposed) {
        int inTiles = transposed ? p : q;
        int outTiles = transposed ? q : p;
        int inLength = transposed ? m : n;
        int outLength = transposed ? n : m;
        if (x.length != inLength) {
            throw new IllegalArgumentException("input has " + x.length + " elements, need " + inLength);
        }
        double[] inRe = new double[inTiles * half];
        double[] inIm = new double[inTiles * half];
        double[] re = new double[b];
        double[] im = new double[b];
        for (int t = 0; t < inTiles; t++) {
            int from = t * b;
            int len = Math.min(b, inLength - from);
            System.arraycopy(x, from, re, 0, len);
            java.util.Arrays.fill(re, len, b, 0);
            java.util.Arrays.fill(im, 0);
            fft.forward(re, im);
            System.arraycopy(re, 0, inRe, t * half, half);
            System.arraycopy(im, 0, inIm, t * half, half);
        }
        double[] y = new double[outLength];
        double conj = transposed ? -1 : 1;
        for (int o = 0; o < outTiles; o++) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            for (int t = 0; t < inTiles; t++) {
                int tile = (transposed ? t * q + o : o * q + t) * half;
                int in = t * half;
                for (int k = 0; k < half; k++) {
                    double cr = spectraRe[tile + k];
                    double ci = conj * spectraIm[tile + k];
                    double xr = inRe[in + k];
                    double xi = inIm[in + k];
                    re[k] += cr * xr - ci * xi;
                    im[k] += cr * xi + ci * xr;
                }
            }
            for (int k = half; k < b; k++) {
                re[k] = re[b - k];
                im[k] = -im[b - k];
            }
            fft.inverse(re, im);
            int from = o * b;
            System.arraycopy(re, 0, y, from, Math.min(b, outLength - from));
        }
        return y;
    }
}
