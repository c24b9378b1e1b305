package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.List;
import java.util.Map;

/**
 * LeNet-5 factorized, no fine-tuning, on all 10,000 test images (docs/passes.md): fc1 by truncated SVD at the
 * peer's 10 % and 25 % ranks, conv2 spatially separated and Tucker-2 at two ranks each.
 */
public final class FactorizeBench {
    private FactorizeBench() {}

    public static void main(String[] args) {
        Model lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        LabeledImages test = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        System.out.printf("baseline: %.4f%n", AccuracyBarTest.accuracy(lenet5, test));
        for (double f : new double[] {0.10, 0.25}) {
            int rank = FactorizeAccuracyTest.peerRank(800, 500, f);
            run(lenet5, test, CorePasses.FACTORIZE_SVD, "/fc1/Gemm",
                    TestContexts.settings(PassKind.FACTORIZE, "method", "svd", "rank", rank), "fc1 svd " + f);
        }
        for (int rank : new int[] {10, 20, 40}) {
            run(lenet5, test, CorePasses.FACTORIZE_SPATIAL, "/conv2/Conv",
                    TestContexts.settings(PassKind.FACTORIZE, "method", "spatial", "rank", rank), "conv2 spatial");
        }
        for (int rank : new int[] {10, 20}) {
            run(lenet5, test, CorePasses.FACTORIZE_TUCKER, "/conv2/Conv",
                    TestContexts.settings(PassKind.FACTORIZE, "method", "tucker", "rank", rank), "conv2 tucker");
        }
    }

    private static void run(Model model, LabeledImages test, Pass pass, String layer, Settings s, String what) {
        PassContext ctx = new PassContext(1, Map.of(PassKind.FACTORIZE, Map.of(layer, s)));
        long t0 = System.nanoTime();
        Model out = pass.apply(model, ctx);
        long t1 = System.nanoTime();
        System.out.printf("%s rank %s: accuracy %.4f, pass %.2f s, %s%n", what, s.get("rank").orElseThrow(),
                AccuracyBarTest.accuracy(out, test), (t1 - t0) / 1e9, ctx.statistics());
    }
}
