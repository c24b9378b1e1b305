package dev.tamp.optimizer.pass;

import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.List;

/**
 * Prints the full-test-set accuracy of reference models after the bar's compressions, including those the test suite
 * does not assert. Arguments: {@code model:recipe} pairs, recipes as in {@link AccuracyBarTest#compress}.
 */
public final class AccuracyBench {
    private AccuracyBench() {}

    public static void main(String[] args) {
        LabeledImages testSet = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        for (String arg : args) {
            String[] parts = arg.split(":", 2);
            Model model = OnnxImporter.withDefaults().load(RepoFiles.model(parts[0]));
            long t0 = System.nanoTime();
            Model compressed = parts[1].equals("none") ? model : AccuracyBarTest.compress(model, parts[1]);
            long t1 = System.nanoTime();
            double accuracy = AccuracyBarTest.accuracy(compressed, testSet);
            long t2 = System.nanoTime();
            long bytes = PassesTest.layerWeights(model).stream()
                    .mapToLong(w -> compressed.graph().weights().get(w.name()).representation().storedBytes()).sum();
            System.out.printf("%s %s: accuracy %.4f, Conv/Gemm weights %,d stored bytes, pass %.3f s, "
                    + "10k evaluation %.2f s (2 threads)%n", parts[0], parts[1], accuracy, bytes, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9);
            for (Weight w : PassesTest.layerWeights(model)) {
                if (compressed.graph().weights().get(w.name()).representation() instanceof Sparse sparse) {
                    System.out.printf("  %s: %.1f %% removed%n", w.name(),
                            100.0 * (w.elementCount() - sparse.positions().length) / w.elementCount());
                }
            }
        }
    }
}
