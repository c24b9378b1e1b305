package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.KMeans1D;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces each selected layer's weight by a codebook of 2^bits shared values fitted by k-means ({@code quantize
 * method=kmeans}, Deep Compression's weight sharing). A dense weight becomes a {@code Codebook}; a pruned ({@code
 * Sparse}) weight becomes a {@code SparseCodebook}: only its kept values are clustered, so pruned elements stay exactly
 * zero, and its positions are re-stored with the escape-coded gap width that takes the fewest bytes. Centroids start
 * linearly over [min, max], at quantiles of the values ({@code density}) or at values sampled with a seed derived
 * from the recipe seed and the weight's name ({@code random}); the result never has more squared error than its start.
 */
public final class ShareWeightsPass implements Pass {
    private static final PassInfo INFO = new PassInfo("share-weights",
            "Share weights (dense, or the kept ones of a pruned layer) through a per-layer codebook of 2^bits "
            + "centroids fitted by 1-D k-means.",
            PassKind.QUANTIZE, "kmeans", List.of("bits", "init", "iterations"),
            List.of("layers-quantized", "layers-skipped", "lloyd-iterations", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO,
                r -> r instanceof Dense d && d.dataType() == DataType.FLOAT || r instanceof Sparse)) {
            String name = t.node().name();
            if (t.settings().isAuto("bits")) {
                throw new IllegalArgumentException(name + ": bits is auto; the planner chooses it first");
            }
            int bits = (int) t.settings().number("bits");
            int iterations = (int) t.settings().number("iterations");
            KMeans1D.Init init = KMeans1D.Init.named(t.settings().word("init"));
            // A per-weight stream, so that adding or removing another layer does not change this one's draw.
            long seed = context.seed() ^ 0x9E3779B97F4A7C15L * t.weightName().hashCode();
            Representation before = model.graph().weights().get(t.weightName()).representation();
            Representation after;
            KMeans1D.Clustering c;
            if (before instanceof Sparse s) {
                if (s.positions().length == 0) {
                    context.count("layers-skipped", 1);
                    continue;
                }
                c = KMeans1D.cluster(s.values(), bits, iterations, init, seed);
                after = narrowest(s, bits, c);
            } else {
                c = KMeans1D.cluster(t.tensor().floats(), bits, iterations, init, seed);
                after = new Codebook(t.tensor().shape(), bits, c.centroids(), c.indices());
            }
            if (c.error() > c.errors()[0]) {
                throw new IllegalStateException("k-means ended above its initial error on " + name);
            }
            replaced.put(t.weightName(), new Weight(t.weightName(), after));
            context.count("layers-quantized", 1);
            context.count("lloyd-iterations", c.errors().length - 1);
            context.count("bytes-before", before.storedBytes());
            context.count("bytes-after", after.storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }

    /** The clustered sparse weight with the gap width (1 to 16 bits) that stores it in the fewest bytes. */
    private static SparseCodebook narrowest(Sparse s, int bits, KMeans1D.Clustering c) {
        return SparseCodebook.narrowest(s.dims(), bits, c.centroids(), s.positions(), c.indices());
    }
}
