package dev.tamp.optimizer.train;

import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.numerics.AffineQuantization;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the straight-through shadows of integer codes should start (docs/BENCHMARKS.md): LeNet-300-100 with every
 * layer ternary, binary, 3-bit or 8-bit symmetric uniform (per channel), retrained for one epoch of the bundled 5,400
 * training images (Adam 1e-3 cosine, batch 32, seed 7, 2 threads), once with the shadows started at the float weights
 * the quantizer rounded and once at the dequantized values; test accuracy of each and of the one-shot model.
 */
public final class ShadowStartExperiment {
    private ShadowStartExperiment() {}

    public static void main(String[] args) {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        LabeledImages train = TrainingFixtures.train().slice(0, 5400);
        Map<String, Function<Tensor, Representation>> kinds = new LinkedHashMap<>();
        kinds.put("ternary", t -> SignQuantization.ternary(t, 0));
        kinds.put("binary", t -> SignQuantization.binary(t, 0));
        kinds.put("uniform 3 bits", t -> AffineQuantization.quantize(t, 3, true, 0));
        kinds.put("uniform 8 bits", t -> AffineQuantization.quantize(t, 8, true, 0));
        TrainingOptions options = TrainingOptions.defaults().withBatch(32).withThreads(2).withSeed(7);
        kinds.forEach((kind, quantizer) -> {
            Map<String, Representation> codes = new LinkedHashMap<>();
            Map<String, float[]> floats = new LinkedHashMap<>();
            for (String name : List.of("fc1.weight", "fc2.weight", "fc3.weight")) {
                Tensor t = RepresentationTrainingTest.weight(dense, name);
                codes.put(name, quantizer.apply(t));
                floats.put(name, t.floats());
            }
            Graph quantized = RepresentationTrainingTest.replace(dense, codes);
            Graph fromFloats = Trainer.train(TrainableGraph.of(quantized, TrainableWeight.withFloats(floats)), train,
                    Preprocessing.unitScale(), options, TrainingListener.none());
            Graph fromCodes = Trainer.train(TrainableGraph.of(quantized), train, Preprocessing.unitScale(), options,
                    TrainingListener.none());
            System.out.printf("%s: one-shot %.2f %%, shadows from the floats %.2f %%, from the dequantized values "
                    + "%.2f %%%n", kind, accuracy(quantized), accuracy(fromFloats), accuracy(fromCodes));
        });
    }

    private static double accuracy(Graph g) {
        try (Executor e = Executor.create(g, 2)) {
            return 100 * Evaluation.evaluate(e, TrainingFixtures.test(), Preprocessing.unitScale(), 100, false)
                    .accuracy();
        }
    }
}
