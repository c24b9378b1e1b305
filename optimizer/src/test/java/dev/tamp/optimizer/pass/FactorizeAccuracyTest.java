package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The issue's accuracy bar for truncated SVD, no fine-tuning, on all 10,000 Fashion-MNIST test images: LeNet-300-100
 * with its hidden FC layers kept at 25 % of their parameters. The ranks are the peer's (models/*.baselines.json,
 * stage {@code svd}: {@code r = floor(f·m·n/(m+n))} per hidden layer, fc1 54, fc2 18, classifier dense), whose
 * no-fine-tuning accuracy was 87.60 %.
 */
class FactorizeAccuracyTest {
    @Test
    void lenet300At25PercentMeetsThePeer() {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        LabeledImages test = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        assertThat(peerRank(784, 300, 0.25)).isEqualTo(54);
        assertThat(peerRank(300, 100, 0.25)).isEqualTo(18);
        PassContext ctx = FactorizePassesTest.context(Map.of(
                "/fc1/Gemm", FactorizePassesTest.svd("rank", peerRank(784, 300, 0.25)),
                "/fc2/Gemm", FactorizePassesTest.svd("rank", peerRank(300, 100, 0.25))));
        long t0 = System.nanoTime();
        Model compressed = CorePasses.FACTORIZE_SVD.apply(model, ctx);
        long t1 = System.nanoTime();
        IrVerifier.verify("factorize-svd", model, compressed);
        double accuracy = AccuracyBarTest.accuracy(compressed, test);
        System.out.printf("fmnist_lenet300_100 svd 25 %%: accuracy %.4f (bar 0.8760), pass %.3f s, %s%n", accuracy,
                (t1 - t0) / 1e9, ctx.statistics());
        assertThat(accuracy).isGreaterThanOrEqualTo(0.8760);
    }

    /** The peer's rank for a fraction of an m×n layer's parameters. */
    static int peerRank(int m, int n, double fraction) {
        return (int) Math.floor(fraction * m * n / (m + n));
    }
}
