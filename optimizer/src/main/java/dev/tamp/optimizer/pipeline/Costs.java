package dev.tamp.optimizer.pipeline;

import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;

/**
 * What a layer costs once its weight is compressed, for the compile report (the planner's cost model comes with it).
 * MACs are the multiply-accumulates a kernel specialized for the representation performs: a sparse kernel skips the
 * zeros, a factored one multiplies by its two factors, a circulant one goes through the FFT; codebooks, hashing and
 * integer codes change bytes, not the number of MACs. FFT products are estimated as three real FFTs of
 * {@code 2 n log2 n} MACs each plus {@code 2 n} for the pointwise complex product, per circulant block.
 */
public final class Costs {
    private Costs() {}

    /** The layer's MACs per image with this weight, given its MACs with the dense weight. */
    public static long macs(long denseMacs, Representation weight) {
        if (weight instanceof HuffmanCoded coded) {
            return macs(denseMacs, coded.inner()); // decoded once at load; the kernel runs on the inner form
        }
        int[] dims = weight.dims();
        // The matrix view: rows are dims[0], columns the product of the rest (as every representation defines it).
        double m = dims[0];
        double n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        double denseProduct = m * n;
        double product = denseProduct;
        if (weight instanceof Sparse s) {
            product = s.values().length;
        } else if (weight instanceof SparseCodebook s) {
            product = s.positions().length;
        } else if (weight instanceof Factored f) {
            product = (double) f.rank() * (m + n);
        } else if (weight instanceof Circulant) {
            product = fft(m);
        } else if (weight instanceof BlockCirculant b) {
            product = Math.ceil(m / b.blockSize()) * Math.ceil(n / b.blockSize()) * fft(b.blockSize());
        }
        return Math.round(denseMacs * Math.min(1.0, product / denseProduct));
    }

    private static double fft(double n) {
        return 3 * 2 * n * Math.max(1, Math.log(n) / Math.log(2)) + 2 * n;
    }

    /**
     * Bytes the weight occupies in memory while the model runs: its stored size, except that Huffman-coded streams
     * are decoded once at load (a kernel cannot index into a variable-length code), so they cost their inner form.
     */
    public static long residentBytes(Representation weight) {
        return weight instanceof HuffmanCoded coded ? coded.inner().storedBytes() : weight.storedBytes();
    }
}
