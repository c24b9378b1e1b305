package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.HuffmanCode;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.numerics.HuffmanLengths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Entropy-codes the integer streams of every selected weight ({@code encode method=huffman}, Deep Compression's last
 * stage): codebook indices, sparse gap symbols, sparse-codebook gaps and indices, affine codes, each stream with its
 * own optimal length-limited ({@value HuffmanCode#MAX_LENGTH}-bit) canonical Huffman code, into {@code HuffmanCoded}.
 * Lossless: the weight materializes bit for bit as before.
 *
 * <p>For sparse weights the gap width is chosen again (1 to 16 bits, which only changes how positions are spelled),
 * as the one whose coded size is smallest: short fixed widths need many fillers, which Huffman coding makes cheap,
 * while wide ones have few fillers and a spread-out alphabet. A weight whose coded form (tables included) would not
 * be smaller than it is now is left as it is and counted in {@code layers-skipped}, as are weights with no integer
 * stream (dense, factored, already coded).
 */
public final class EncodeHuffmanPass implements Pass {
    private static final PassInfo INFO = new PassInfo("encode-huffman",
            "Huffman-code codebook indices, sparse gaps and quantized codes with per-stream canonical codes.",
            PassKind.ENCODE, "huffman", List.of(),
            List.of("layers-encoded", "layers-skipped", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        ExecutorService pool = Executors.newFixedThreadPool(context.threads());
        try {
            return apply(model, context, new Parallelism(pool, context.threads()));
        } finally {
            pool.shutdownNow();
        }
    }

    private Model apply(Model model, PassContext context, Parallelism parallel) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO, HuffmanCoded::codable)) {
            Representation before = model.graph().weights().get(t.weightName()).representation();
            HuffmanCoded coded = smallest(before, parallel);
            if (coded.storedBytes() >= before.storedBytes()) {
                context.count("layers-skipped", 1);
                continue;
            }
            replaced.put(t.weightName(), new Weight(t.weightName(), coded));
            context.count("layers-encoded", 1);
            context.count("bytes-before", before.storedBytes());
            context.count("bytes-after", coded.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    /** The representation coded with optimal codes, over every gap width for sparse weights (smallest, narrowest). */
    static HuffmanCoded smallest(Representation r) {
        return smallest(r, Parallelism.sequential());
    }

    /** {@link #smallest}, the spellings coded in parallel; the first smallest wins, whatever the thread count. */
    static HuffmanCoded smallest(Representation r, Parallelism parallel) {
        List<Representation> spellings = new ArrayList<>();
        if (r instanceof Sparse s) {
            for (int indexBits = 1; indexBits <= 16; indexBits++) {
                spellings.add(new Sparse(s.dims(), indexBits, s.positions(), s.values()));
            }
        } else if (r instanceof SparseCodebook s) {
            for (int indexBits = 1; indexBits <= 16; indexBits++) {
                spellings.add(new SparseCodebook(s.dims(), indexBits, s.bits(), s.centroids(), s.positions(),
                        s.indices()));
            }
        } else {
            spellings.add(r);
        }
        HuffmanCoded[] coded = new HuffmanCoded[spellings.size()];
        parallel.forRange(coded.length, (from, to) -> {
            for (int i = from; i < to; i++) {
                coded[i] = code(spellings.get(i));
            }
        });
        HuffmanCoded best = null;
        for (HuffmanCoded candidate : coded) {
            if (best == null || candidate.storedBytes() < best.storedBytes()) {
                best = candidate;
            }
        }
        return best;
    }

    /** Each stream of the representation with its optimal code. */
    static HuffmanCoded code(Representation r) {
        List<HuffmanCode> codes = new ArrayList<>();
        for (HuffmanCoded.Stream s : HuffmanCoded.streams(r)) {
            codes.add(HuffmanLengths.code(s.symbols(), 1 << s.symbolBits(), HuffmanCode.MAX_LENGTH));
        }
        return new HuffmanCoded(r, codes);
    }
}
