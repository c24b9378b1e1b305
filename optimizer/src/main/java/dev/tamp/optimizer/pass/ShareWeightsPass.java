package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.numerics.KMeans1D;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces each selected layer's weight by a codebook of 2^bits shared values fitted by k-means ({@code quantize
 * method=kmeans}, Deep Compression's weight sharing). Only the linear initialization is implemented.
 */
public final class ShareWeightsPass implements Pass {
    private static final PassInfo INFO = new PassInfo("share-weights",
            "Share weights through a per-layer codebook of 2^bits centroids fitted by 1-D k-means from a linear start.",
            PassKind.QUANTIZE, "kmeans", List.of("bits", "init", "iterations"),
            List.of("layers-quantized", "layers-skipped", "lloyd-iterations", "bytes-before", "bytes-after"));

    @Override
    public PassInfo info() {
        return INFO;
    }

    @Override
    public Model apply(Model model, PassContext context) {
        Map<String, Weight> replaced = new LinkedHashMap<>();
        for (WeightTargets.Target t : WeightTargets.select(model, context, INFO)) {
            if (t.settings().isAuto("bits")) {
                throw new IllegalArgumentException(t.node().name() + ": bits is auto; the planner chooses it first");
            }
            String init = t.settings().word("init");
            if (!init.equals("linear")) {
                throw new IllegalArgumentException(t.node().name() + ": k-means init '" + init
                        + "' is not implemented; only 'linear' is");
            }
            KMeans1D.Result r = KMeans1D.cluster(t.tensor(), (int) t.settings().number("bits"),
                    (int) t.settings().number("iterations"));
            if (r.error() > r.errors()[0]) {
                throw new IllegalStateException("k-means ended above its initial error on " + t.node().name());
            }
            replaced.put(t.weightName(), new Weight(t.weightName(), r.codebook()));
            context.count("layers-quantized", 1);
            context.count("lloyd-iterations", r.errors().length - 1);
            context.count("bytes-before", 4L * t.tensor().size());
            context.count("bytes-after", r.codebook().storedBytes());
        }
        return WeightTargets.replace(model, replaced);
    }
}
