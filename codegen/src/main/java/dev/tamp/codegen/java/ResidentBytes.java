package dev.tamp.codegen.java;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes of array payload the class {@link JavaEmitter} generates keeps in memory for each weight once loaded
 * (docs/codegen.md, "Compressed weights": array headers not counted). This is the resident size of a model emitted as
 * Java: a Gemm weight the emitter decodes at load into float rows costs 4 bytes per element whatever its stored form,
 * every other weight its in-memory compressed form (a Huffman-coded one its inner form).
 */
public final class ResidentBytes {
    private ResidentBytes() {}

    /** Resident bytes per weight name, in the graph's weight order. */
    public static Map<String, Long> of(Graph graph) {
        Map<String, int[]> decoded = CompressedKernels.decodedGemmWeights(graph);
        Map<String, Long> out = new LinkedHashMap<>();
        for (Weight w : graph.weights().values()) {
            Representation r = w.representation();
            out.put(w.name(), decoded.containsKey(w.name()) ? 4L * Tensor.elementCount(r.dims()) : kept(r));
        }
        return out;
    }

    /** The bytes the in-memory form of {@code r} takes when the kernels read it without decoding it. */
    static long kept(Representation r) {
        if (r instanceof HuffmanCoded h) {
            return kept(h.inner());
        }
        int[] d = r.dims();
        long n = Tensor.elementCount(d);
        if (r instanceof Dense) {
            return 4 * n;
        } else if (r instanceof Sparse s) {
            return csr(d, n, s.positions().length, 4);
        } else if (r instanceof SparseCodebook s) {
            return csr(d, n, s.positions().length, 1) + 4L * s.centroids().length;
        } else if (r instanceof Codebook cb) {
            return PackedCodes.residentBytes(n, cb.bits()) + 4L * cb.centroids().length;
        } else if (r instanceof AffineQuantized q) {
            return PackedCodes.residentBytes(n, q.bits()) + 8L * q.scales().length;
        } else if (r instanceof Factored f) {
            return 4L * (f.u().length + f.v().length);
        } else if (r instanceof Circulant) {
            return 8L * (d[0] / 2 + 1);
        } else if (r instanceof BlockCirculant bc) {
            int b = bc.blockSize();
            return 8L * FftKernels.tiles(d[0], b) * FftKernels.tiles(d[1], b) * (b / 2 + 1);
        } else if (r instanceof Hashed h) {
            return 4L * h.buckets().length + 8;
        }
        throw new UnsupportedModelException("a weight stored as " + r.kind() + " has no generated kernel");
    }

    /** CSR: row starts, a column index of the narrowest width per kept element, and its value of {@code value} B. */
    private static long csr(int[] d, long n, long kept, int value) {
        int rows = d.length == 0 ? 1 : d[0];
        long cols = n / Math.max(rows, 1);
        int colBytes = cols <= 256 ? 1 : cols <= 65_536 ? 2 : 4;
        return 4L * (rows + 1) + kept * (colBytes + value);
    }
}
