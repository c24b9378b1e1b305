package dev.tamp.codegen.container;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.HuffmanCode;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.numerics.HuffmanLengths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Random instances of every representation, on awkward shapes, for the container's tests. */
final class Samples {
    /** Single elements, single rows and columns, primes, empty, scalars, 4-D convolution weights. */
    static final int[][] SHAPES = {
        {1, 1}, {1, 7}, {7, 1}, {1, 256}, {2, 3}, {7, 13}, {13, 7}, {31, 17}, {16, 16}, {64, 33}, {3, 5, 2, 2},
        {5, 1, 3, 3}, {300, 2}
    };

    private Samples() {}

    static float[] floats(SplittableRandom rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = rnd.nextInt(40);
            w[i] = switch (pick) {
                case 0 -> -0.0f;
                case 1 -> Float.intBitsToFloat(0x7fc01234); // a NaN with payload: must survive bit for bit
                case 2 -> Float.MIN_VALUE;
                case 3 -> Float.NEGATIVE_INFINITY;
                default -> (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-6, 4)));
            };
        }
        return w;
    }

    /** Finite nonzero floats only, for representations whose constructors or readers need them. */
    static float[] plainFloats(SplittableRandom rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextGaussian() + (rnd.nextBoolean() ? 0.001f : -0.001f);
        }
        return w;
    }

    static int count(int[] dims) {
        return (int) Tensor.elementCount(dims);
    }

    static int[] codes(SplittableRandom rnd, int n, int bound) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            // skewed so Huffman codes have varied lengths
            c[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(bound) : Math.min(bound - 1, rnd.nextInt(Math.min(bound, 3)));
        }
        return c;
    }

    static int[] positions(SplittableRandom rnd, int n, double keep) {
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < keep) {
                p.add(i);
            }
        }
        return p.stream().mapToInt(Integer::intValue).toArray();
    }

    static Dense dense(SplittableRandom rnd, int[] dims) {
        if (rnd.nextInt(4) == 0) {
            long[] v = new long[count(dims)];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextLong();
            }
            return new Dense(Tensor.ofLongs(dims, v));
        }
        return new Dense(Tensor.ofFloats(dims, floats(rnd, count(dims))));
    }

    static Sparse sparse(SplittableRandom rnd, int[] dims) {
        float[] w = floats(rnd, count(dims));
        double keep = rnd.nextDouble() * rnd.nextDouble();
        for (int i = 0; i < w.length; i++) {
            if (rnd.nextDouble() >= keep) {
                w[i] = 0f;
            }
        }
        return Sparse.fromDense(Tensor.ofFloats(dims, w), 1 + rnd.nextInt(16));
    }

    static AffineQuantized affine(SplittableRandom rnd, int[] dims) {
        int bits = 2 + rnd.nextInt(7);
        boolean signed = rnd.nextBoolean();
        int axis = rnd.nextInt(-1, dims.length);
        int channels = axis < 0 ? 1 : dims[axis];
        int lo = signed ? -(1 << (bits - 1)) : 0;
        float[] scales = new float[channels];
        int[] zeros = new int[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = (float) (0.001 + rnd.nextDouble());
            zeros[c] = lo + rnd.nextInt(1 << bits);
        }
        int[] codes = codes(rnd, count(dims), 1 << bits);
        for (int k = 0; k < codes.length; k++) {
            codes[k] += lo;
        }
        return new AffineQuantized(dims, bits, signed, axis, scales, zeros, codes);
    }

    static Codebook codebook(SplittableRandom rnd, int[] dims) {
        int bits = 1 + rnd.nextInt(8);
        int k = 1 + rnd.nextInt(1 << bits);
        return new Codebook(dims, bits, floats(rnd, k), codes(rnd, count(dims), k));
    }

    static SparseCodebook sparseCodebook(SplittableRandom rnd, int[] dims) {
        int bits = 1 + rnd.nextInt(8);
        int k = 1 + rnd.nextInt(1 << bits);
        int[] positions = positions(rnd, count(dims), rnd.nextDouble() * rnd.nextDouble());
        return new SparseCodebook(dims, 1 + rnd.nextInt(16), bits, floats(rnd, k), positions,
                codes(rnd, positions.length, k));
    }

    static HuffmanCoded huffman(SplittableRandom rnd, int[] dims) {
        Representation inner = switch (rnd.nextInt(4)) {
            case 0 -> codebook(rnd, dims);
            case 1 -> sparse(rnd, dims);
            case 2 -> sparseCodebook(rnd, dims);
            default -> affine(rnd, dims);
        };
        List<HuffmanCode> codes = new ArrayList<>();
        for (HuffmanCoded.Stream s : HuffmanCoded.streams(inner)) {
            int[] symbols = s.symbols().length == 0 ? new int[] {0} : s.symbols();
            codes.add(HuffmanLengths.code(symbols, 1 << s.symbolBits(), HuffmanCode.MAX_LENGTH));
        }
        return new HuffmanCoded(inner, codes);
    }

    static Factored factored(SplittableRandom rnd, int[] dims) {
        int m = dims[0];
        int n = count(dims) / m;
        int rank = 1 + rnd.nextInt(Math.max(1, Math.min(m, n)));
        return new Factored(dims, rank, floats(rnd, m * rank), floats(rnd, rank * n),
                rnd.nextBoolean() ? Factored.Layout.OUTPUT_BY_INPUT : Factored.Layout.INPUT_BY_OUTPUT);
    }

    static Circulant circulant(SplittableRandom rnd, int n) {
        return new Circulant(new int[] {n, n}, floats(rnd, n));
    }

    static BlockCirculant blockCirculant(SplittableRandom rnd, int[] dims) {
        int m = dims[0];
        int n = count(dims) / m;
        int b = 1 + rnd.nextInt(Math.max(m, n) + 2);
        long vectors = (long) ((m + b - 1) / b) * ((n + b - 1) / b) * b;
        return new BlockCirculant(dims, b, floats(rnd, (int) vectors));
    }

    static Hashed hashed(SplittableRandom rnd, int[] dims) {
        return new Hashed(dims, rnd.nextLong(), rnd.nextBoolean(), floats(rnd, 1 + rnd.nextInt(40)));
    }

    /** One random instance of each kind on the given (rank >= 2) shape. */
    static List<Representation> everyKind(SplittableRandom rnd, int[] dims) {
        return List.of(dense(rnd, dims), sparse(rnd, dims), affine(rnd, dims), codebook(rnd, dims),
                sparseCodebook(rnd, dims), huffman(rnd, dims), factored(rnd, dims),
                circulant(rnd, 1 + rnd.nextInt(20)), blockCirculant(rnd, dims), hashed(rnd, dims));
    }
}
