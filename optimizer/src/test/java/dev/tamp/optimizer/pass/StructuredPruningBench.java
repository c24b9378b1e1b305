package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Prints the full-test-set accuracy after the structured prunings of docs/passes.md, no fine-tuning. Not part of the
 * suite (about two minutes); run it with
 * {@code mvn -B -q -o -pl optimizer -am test -Dtamp.skipNode -Dtest=StructuredPruningBench
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StructuredPruningBench {
    private static final Optional<SourceSpan> GIVEN = Optional.of(SourceSpan.point(1, 1, 0));

    @Test
    void printFigures() {
        LabeledImages testSet = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        Settings twoOfFour = TestContexts.settings(PassKind.PRUNE, "pattern", new Setting.Ratio(2, 4, GIVEN));
        Settings block = TestContexts.settings(PassKind.PRUNE, "pattern", new Setting.Shape(List.of(4, 4), GIVEN),
                "sparsity", 0.5);
        for (String name : List.of("fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8")) {
            Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name));
            measure(name, "baseline", model, model, testSet);
            measure(name, "magnitude 2:4, every layer", model, PassesTest.run(CorePasses.PRUNE_MAGNITUDE, model,
                    twoOfFour), testSet);
            measure(name, "magnitude 4x4 blocks 50 %, every layer", model, PassesTest.run(CorePasses.PRUNE_MAGNITUDE,
                    model, block), testSet);
        }
        Model lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        Model lenet300 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        for (double s : List.of(0.25, 0.5)) {
            measure("fmnist_lenet5", "l1-filter conv2 " + s, lenet5, structural(CorePasses.PRUNE_L1_FILTER, lenet5,
                    "l1-filter", s, "/conv2/Conv"), testSet);
            measure("fmnist_lenet300_100", "data-free fc1+fc2 " + s, lenet300, structural(CorePasses.PRUNE_DATA_FREE,
                    lenet300, "data-free", s, "/fc1/Gemm", "/fc2/Gemm"), testSet);
            measure("fmnist_lenet300_100", "l1-filter fc1+fc2 " + s, lenet300, structural(CorePasses.PRUNE_L1_FILTER,
                    lenet300, "l1-filter", s, "/fc1/Gemm", "/fc2/Gemm"), testSet);
        }
    }

    private static Model structural(Pass pass, Model model, String method, double sparsity, String... layers) {
        Map<String, Settings> selected = new LinkedHashMap<>();
        for (String l : layers) {
            selected.put(l, TestContexts.settings(PassKind.PRUNE, "method", method, "sparsity", sparsity));
        }
        Model out = pass.apply(model, new PassContext(1, Map.of(PassKind.PRUNE, selected)));
        IrVerifier.verifyRewrite(pass.info().name(), model, out);
        return out;
    }

    private static void measure(String model, String what, Model before, Model after, LabeledImages testSet) {
        long t0 = System.nanoTime();
        double accuracy = AccuracyBarTest.accuracy(after, testSet);
        System.out.printf("BENCH %s | %s | accuracy %.2f %% | weights %,d -> %,d stored bytes | 10k eval %.1f s%n",
                model, what, 100 * accuracy, PruneFilterPass.storedBytes(before), PruneFilterPass.storedBytes(after),
                (System.nanoTime() - t0) / 1e9);
    }
}
