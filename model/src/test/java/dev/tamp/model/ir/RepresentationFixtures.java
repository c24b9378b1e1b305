package dev.tamp.model.ir;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds each compressed representation from a dense weight with the simplest correct construction, and random
 * instances of each, for tests. The real passes (with their accuracy goals) belong to the optimizer.
 */
public final class RepresentationFixtures {
    private RepresentationFixtures() {}

    /** Awkward shapes: single elements, single rows and columns, primes, and a 4-D convolution weight. */
    public static final int[][] SHAPES = {
        {1, 1}, {1, 7}, {7, 1}, {1, 256}, {2, 3}, {7, 13}, {13, 7}, {31, 17}, {16, 16}, {64, 33}, {3, 5, 2, 2},
        {5, 1, 3, 3}
    };

    public static float[] gaussian(SplittableRandom rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller from two uniforms; the exact distribution does not matter, only its spread of magnitudes.
            double u = 1 - rnd.nextDouble();
            w[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble()));
        }
        return w;
    }

    public static Tensor randomTensor(SplittableRandom rnd, int... dims) {
        return Tensor.ofFloats(dims, gaussian(rnd, (int) Tensor.elementCount(dims)));
    }

    /** Keeps the {@code keep} fraction of elements of largest magnitude (ties broken by position). */
    public static Sparse magnitudeSparse(Tensor w, double keep, int indexBits) {
        float[] v = w.floats();
        float[] sorted = v.clone();
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = Math.abs(sorted[i]);
        }
        Arrays.sort(sorted);
        int drop = (int) Math.round(v.length * (1 - keep));
        float threshold = drop == 0 ? -1f : sorted[drop - 1];
        float[] masked = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            masked[i] = Math.abs(v[i]) > threshold ? v[i] : 0f;
        }
        return Sparse.fromDense(Tensor.ofFloats(w.shape(), masked), indexBits);
    }

    /** Symmetric quantization with signed codes, per channel along {@code axis} (or per tensor with -1). */
    public static AffineQuantized symmetric(Tensor w, int bits, int axis) {
        int[] dims = w.shape();
        float[] v = w.floats();
        int channels = axis < 0 ? 1 : dims[axis];
        int inner = 1;
        for (int i = axis + 1; axis >= 0 && i < dims.length; i++) {
            inner *= dims[i];
        }
        float[] maxAbs = new float[channels];
        for (int k = 0; k < v.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[k]));
        }
        int qmax = (1 << (bits - 1)) - 1;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = maxAbs[c] > 0 ? maxAbs[c] / qmax : 1f;
        }
        int[] codes = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            codes[k] = (int) Math.max(-qmax, Math.min(qmax, Math.rint(v[k] / scales[c])));
        }
        return new AffineQuantized(dims, bits, true, axis, scales, new int[channels], codes);
    }

    /** Asymmetric quantization with unsigned codes over each channel's [min, max] widened to contain 0. */
    public static AffineQuantized asymmetric(Tensor w, int bits, int axis) {
        int[] dims = w.shape();
        float[] v = w.floats();
        int channels = axis < 0 ? 1 : dims[axis];
        int inner = 1;
        for (int i = axis + 1; axis >= 0 && i < dims.length; i++) {
            inner *= dims[i];
        }
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        for (int k = 0; k < v.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            lo[c] = Math.min(lo[c], v[k]);
            hi[c] = Math.max(hi[c], v[k]);
        }
        int qmax = (1 << bits) - 1;
        float[] scales = new float[channels];
        int[] zps = new int[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = hi[c] > lo[c] ? (hi[c] - lo[c]) / qmax : 1f;
            zps[c] = (int) Math.max(0, Math.min(qmax, Math.rint(-lo[c] / scales[c])));
        }
        int[] codes = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            codes[k] = (int) Math.max(0, Math.min(qmax, Math.rint(v[k] / scales[c]) + zps[c]));
        }
        return new AffineQuantized(dims, bits, false, axis, scales, zps, codes);
    }

    /** {@code 2^bits} centroids spread evenly over [min, max], each element mapped to the nearest. */
    public static Codebook uniformCodebook(Tensor w, int bits) {
        float[] v = w.floats();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        int k = 1 << bits;
        float[] centroids = new float[k];
        for (int i = 0; i < k; i++) {
            centroids[i] = k == 1 ? lo : lo + (hi - lo) * i / (k - 1);
        }
        int[] idx = new int[v.length];
        for (int e = 0; e < v.length; e++) {
            int best = 0;
            for (int i = 1; i < k; i++) {
                if (Math.abs(v[e] - centroids[i]) < Math.abs(v[e] - centroids[best])) {
                    best = i;
                }
            }
            idx[e] = best;
        }
        return new Codebook(w.shape(), bits, centroids, idx);
    }

    /**
     * A rank-{@code r} approximation by deflated power iteration (the leading singular triplets of the matrix view),
     * with the singular value folded into {@code U}.
     */
    public static Factored lowRank(Tensor w, int r, Factored.Layout layout, long seed) {
        int[] dims = w.shape();
        int m = StorageLayout.rows(dims);
        int n = StorageLayout.cols(dims);
        double[] a = new double[m * n];
        float[] wf = w.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = wf[i];
        }
        float[] u = new float[m * r];
        float[] vt = new float[r * n];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int p = 0; p < r; p++) {
            double[] v = new double[n];
            for (int j = 0; j < n; j++) {
                v[j] = rnd.nextDouble() - 0.5;
            }
            double[] x = new double[m];
            double sigma = 0;
            for (int it = 0; it < 30; it++) {
                Arrays.fill(x, 0);
                for (int i = 0; i < m; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        s += a[i * n + j] * v[j];
                    }
                    x[i] = s;
                }
                normalize(x);
                Arrays.fill(v, 0);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        v[j] += a[i * n + j] * x[i];
                    }
                }
                sigma = normalize(v);
            }
            for (int i = 0; i < m; i++) {
                u[i * r + p] = (float) (x[i] * sigma);
            }
            for (int j = 0; j < n; j++) {
                vt[p * n + j] = (float) v[j];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    a[i * n + j] -= (double) u[i * r + p] * vt[p * n + j];
                }
            }
        }
        return new Factored(dims, r, u, vt, layout);
    }

    private static double normalize(double[] x) {
        double s = 0;
        for (double d : x) {
            s += d * d;
        }
        s = Math.sqrt(s);
        if (s > 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] /= s;
            }
        }
        return s;
    }

    /** The Frobenius-nearest block-circulant matrix: each block's diagonals averaged (over the cells inside W). */
    public static BlockCirculant blockCirculantProjection(Tensor w, int b) {
        int[] dims = w.shape();
        int m = StorageLayout.rows(dims);
        int n = StorageLayout.cols(dims);
        int p = (m + b - 1) / b;
        int q = (n + b - 1) / b;
        double[] sum = new double[p * q * b];
        int[] count = new int[p * q * b];
        float[] v = w.floats();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int slot = ((i / b) * q + j / b) * b + Math.floorMod(i % b - j % b, b);
                sum[slot] += v[i * n + j];
                count[slot]++;
            }
        }
        float[] vectors = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            vectors[i] = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
        }
        return new BlockCirculant(dims, b, vectors);
    }

    /** Buckets set to the mean of the (sign-corrected) elements hashed into them. */
    public static Hashed hashedProjection(Tensor w, int buckets, long seed, boolean signHash) {
        Hashed shape = new Hashed(w.shape(), seed, signHash, new float[buckets]);
        double[] sum = new double[buckets];
        int[] count = new int[buckets];
        float[] v = w.floats();
        for (int k = 0; k < v.length; k++) {
            int bucket = shape.bucket(k);
            sum[bucket] += shape.sign(k) * v[k];
            count[bucket]++;
        }
        float[] table = new float[buckets];
        for (int i = 0; i < buckets; i++) {
            table[i] = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
        }
        return new Hashed(w.shape(), seed, signHash, table);
    }

    /** One random instance of every representation over {@code dims}, parameters drawn from {@code rnd}. */
    public static Representation[] randomInstances(SplittableRandom rnd, int[] dims) {
        Tensor w = randomTensor(rnd, dims);
        int n = w.size();
        int bits = 2 + rnd.nextInt(7);
        int axis = rnd.nextInt(-1, dims.length);
        int codebookBits = 1 + rnd.nextInt(8);
        int k = 1 + rnd.nextInt(1 << codebookBits);
        float[] centroids = gaussian(rnd, k);
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = rnd.nextInt(k);
        }
        int m = StorageLayout.rows(dims);
        int cols = StorageLayout.cols(dims);
        int r = 1 + rnd.nextInt(Math.min(m, cols) + 1);
        int b = 1 + rnd.nextInt(Math.max(m, cols));
        Representation[] out = {
            new Dense(w),
            magnitudeSparse(w, rnd.nextDouble(), 1 + rnd.nextInt(8)),
            rnd.nextBoolean() ? symmetric(w, bits, axis) : asymmetric(w, bits, axis),
            new Codebook(dims, codebookBits, centroids, indices),
            new Factored(dims, r, gaussian(rnd, m * r), gaussian(rnd, r * cols),
                    rnd.nextBoolean() ? Factored.Layout.OUTPUT_BY_INPUT : Factored.Layout.INPUT_BY_OUTPUT),
            blockCirculantProjection(w, b),
            new Hashed(dims, rnd.nextLong(), rnd.nextBoolean(), gaussian(rnd, 1 + rnd.nextInt(64))),
        };
        Sparse sparse = (Sparse) out[1];
        int[] kept = sparse.positions();
        int[] keptIndices = new int[kept.length];
        for (int i = 0; i < kept.length; i++) {
            keptIndices[i] = rnd.nextInt(k);
        }
        SparseCodebook sparseCodebook = new SparseCodebook(dims, 1 + rnd.nextInt(16), codebookBits, centroids, kept,
                keptIndices);
        Representation[] codable = {out[1], out[2], out[3], sparseCodebook};
        out = Arrays.copyOf(out, out.length + 2);
        out[out.length - 2] = sparseCodebook;
        out[out.length - 1] = fixedLengthCoded(codable[rnd.nextInt(codable.length)]);
        if (m == cols) {
            Representation[] withCirculant = Arrays.copyOf(out, out.length + 1);
            withCirculant[out.length] = new Circulant(dims, gaussian(rnd, m));
            return withCirculant;
        }
        return out;
    }

    /**
     * The representation with each stream coded at one fixed length per stream, just enough for its used symbols: a
     * valid prefix code (Kraft sum at most 1) whatever the stream, for layout tests; the optimizer chooses real
     * Huffman lengths.
     */
    public static HuffmanCoded fixedLengthCoded(Representation inner) {
        java.util.List<HuffmanCode> codes = new java.util.ArrayList<>();
        for (HuffmanCoded.Stream s : HuffmanCoded.streams(inner)) {
            int[] lengths = new int[1 << s.symbolBits()];
            int used = 0;
            for (int sym : s.symbols()) {
                used += lengths[sym] == 0 ? 1 : 0;
                lengths[sym] = -1;
            }
            int width = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(used, 1) - 1));
            for (int sym = 0; sym < lengths.length; sym++) {
                lengths[sym] = lengths[sym] != 0 || used == 0 && sym == 0 ? width : 0;
            }
            codes.add(new HuffmanCode(lengths));
        }
        return new HuffmanCoded(inner, codes);
    }
}
