package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.PropertyCases;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every representation the Huffman pass codes, with its real optimal codes, on random and awkward shapes: stored bytes
 * are exactly the serialized length, the bytes decode back to the same weight bit for bit, and so does materialize.
 */
class HuffmanCodedProperties {
    private static final int[][] SHAPES = {
        {1, 1}, {1, 7}, {7, 1}, {1, 256}, {2, 3}, {7, 13}, {31, 17}, {64, 33}, {3, 5, 2, 2}, {300, 100}
    };

    private static Representation random(SplittableRandom rnd, int[] dims, int kind) {
        int n = (int) Tensor.elementCount(dims);
        int bits = 1 + rnd.nextInt(8);
        int k = 1 + rnd.nextInt(1 << bits);
        float[] centroids = new float[k];
        for (int i = 0; i < k; i++) {
            centroids[i] = (float) rnd.nextGaussian();
        }
        // Skewed indices, as k-means produces (most weights near zero): geometric over the centroids.
        double skew = rnd.nextDouble() * 2;
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = (int) Math.min(k - 1, Math.floor(-Math.log(1 - rnd.nextDouble()) / (skew + 1e-3)));
        }
        double density = rnd.nextDouble();
        int kept = 0;
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = rnd.nextDouble() < density;
            kept += keep[i] ? 1 : 0;
        }
        int[] positions = new int[kept];
        float[] values = new float[kept];
        int[] keptIndices = new int[kept];
        for (int i = 0, j = 0; i < n; i++) {
            if (keep[i]) {
                positions[j] = i;
                keptIndices[j] = indices[i];
                values[j++] = centroids[indices[i]] + 1f;
            }
        }
        int indexBits = 1 + rnd.nextInt(16);
        return switch (kind) {
            case 0 -> new Codebook(dims, bits, centroids, indices);
            case 1 -> new Sparse(dims, indexBits, positions, values);
            case 2 -> new SparseCodebook(dims, indexBits, bits, centroids, positions, keptIndices);
            default -> {
                int qbits = Math.max(2, bits);
                int[] codes = new int[n];
                boolean signed = rnd.nextBoolean();
                int lo = signed ? -(1 << (qbits - 1)) : 0;
                for (int i = 0; i < n; i++) {
                    codes[i] = lo + Math.min(indices[i], (1 << qbits) - 1);
                }
                yield new AffineQuantized(dims, qbits, signed, -1, new float[] {0.01f}, new int[1], codes);
            }
        };
    }

    @TestFactory
    Stream<DynamicTest> storedBytesIsExactAndTheBytesDecodeBack() {
        record Params(long seed, int kind) {}
        return PropertyCases.forAll(20261129, 200, g -> new Params(g.longs("seed"), g.ints("kind", 0, 3)),
                c -> storedBytesIsExactAndTheBytesDecodeBack(c.seed(), c.kind()));
    }

    void storedBytesIsExactAndTheBytesDecodeBack(long seed, int kind) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] dims = SHAPES[rnd.nextInt(SHAPES.length)];
        Representation r = random(rnd, dims, kind);
        HuffmanCoded h = EncodeHuffmanPass.smallest(r);
        byte[] bytes = h.serialize();
        assertThat(h.storedBytes()).isEqualTo(bytes.length);
        assertThat(h.materialize()).isEqualTo(r.materialize());
        HuffmanCoded back = HuffmanCoded.deserialize(dims, bytes);
        assertThat(back.materialize()).isEqualTo(r.materialize());
        assertThat(back.serialize()).isEqualTo(bytes);
    }
}
