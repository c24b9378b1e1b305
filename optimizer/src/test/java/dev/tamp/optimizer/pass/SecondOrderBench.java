package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;

/**
 * Prints full-test-set accuracy after per-layer magnitude, OBD and OBS pruning, no fine-tuning. Arguments:
 * {@code model:method:sparsity[:samples]}, e.g. {@code fmnist_lenet5:obs:0.8:1024}.
 */
public final class SecondOrderBench {
    private SecondOrderBench() {}

    public static void main(String[] args) {
        for (String arg : args) {
            String[] p = arg.split(":");
            Model model = OnnxImporter.withDefaults().load(RepoFiles.model(p[0]));
            String method = p[1];
            double sparsity = Double.parseDouble(p[2]);
            int samples = p.length > 3 ? Integer.parseInt(p[3]) : 1024;
            long t0 = System.nanoTime();
            Model pruned;
            if (method.equals("magnitude")) {
                pruned = PassesTest.run(CorePasses.PRUNE_MAGNITUDE, model, TestContexts.settings(PassKind.PRUNE,
                        "method", "magnitude", "sparsity", sparsity, "scope", "layer"));
            } else {
                Settings s = TestContexts.settings(PassKind.PRUNE, "method", method, "sparsity", sparsity,
                        "samples", samples);
                pruned = CalibrationFixtures.run(CorePasses.named("prune-" + method).orElseThrow(), model, s);
            }
            long t1 = System.nanoTime();
            double accuracy = AccuracyBarTest.accuracy(pruned, CalibrationFixtures.data().test());
            long t2 = System.nanoTime();
            System.out.printf("%s %s %.0f %% (%d samples): accuracy %.4f, pass %.2f s, 10k evaluation %.2f s%n",
                    p[0], method, 100 * sparsity, samples, accuracy, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }
}
