package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LeNet-300-100 on all 10,000 Fashion-MNIST test images after block-circulant projection of fc1 and fc2 and after
 * hashing every layer, no fine-tuning. The figures are printed and recorded in docs/passes.md; no peer measured these
 * compressions, so no bar is asserted. What is asserted: block size 1 and the identity cases reproduce the model.
 */
class StructureHashAccuracyTest {
    private static LabeledImages testSet;
    private static Model lenet300;
    private static double baseline;

    @BeforeAll
    static void load() {
        testSet = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        lenet300 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        baseline = AccuracyBarTest.accuracy(lenet300, testSet);
    }

    @Test
    void blockCirculantOnFc1AndFc2() {
        for (int block : new int[] {1, 4, 8, 16}) {
            Settings settings = TestContexts.settings(PassKind.STRUCTURE, "method", "block-circulant", "block", block);
            Map<String, Settings> layers = new LinkedHashMap<>();
            layers.put("/fc1/Gemm", settings);
            layers.put("/fc2/Gemm", settings);
            PassContext context = new PassContext(42, Map.of(PassKind.STRUCTURE, layers));
            Model out = CorePasses.STRUCTURE_BLOCK_CIRCULANT.apply(lenet300, context);
            IrVerifier.verify("structure-block-circulant", lenet300, out);
            double accuracy = AccuracyBarTest.accuracy(out, testSet);
            System.out.printf("lenet300_100 block-circulant b=%d on fc1, fc2: accuracy %.4f (baseline %.4f), "
                    + "fc1+fc2 bytes %d -> %d%n", block, accuracy, baseline, context.statistics().get("bytes-before"),
                    context.statistics().get("bytes-after"));
            if (block == 1) {
                // 1x1 tiles: each vector element is the mean of one weight, exact in double and back to float.
                for (Weight w : PassesTest.layerWeights(lenet300)) {
                    assertThat(out.graph().weights().get(w.name()).representation().materialize())
                            .isEqualTo(w.representation().materialize());
                }
                assertThat(accuracy).isEqualTo(baseline);
            } else {
                assertThat(context.statistics().get("bytes-after") * block)
                        .isLessThan(context.statistics().get("bytes-before") * 2);
            }
        }
    }

    @Test
    void hashingEveryLayer() {
        for (double fraction : new double[] {0.125, 0.25}) {
            Settings settings = TestContexts.settings(PassKind.HASH, "buckets", TestContexts.fraction(fraction));
            PassContext context = TestContexts.allLayers(lenet300.graph(), PassKind.HASH, settings);
            Model out = CorePasses.HASH_WEIGHTS.apply(lenet300, context);
            IrVerifier.verify("hash-weights", lenet300, out);
            double accuracy = AccuracyBarTest.accuracy(out, testSet);
            System.out.printf("lenet300_100 hashed %.3f of the weights (all layers, seed 42): accuracy %.4f "
                    + "(baseline %.4f), bytes %d -> %d, empty buckets %d%n", fraction, accuracy, baseline,
                    context.statistics().get("bytes-before"), context.statistics().get("bytes-after"),
                    context.statistics().get("buckets-empty"));
            assertThat(context.statistics()).containsEntry("layers-hashed", 3L);
        }
    }
}
