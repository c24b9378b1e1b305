package dev.tamp.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.ops.MatrixKernels;
import dev.tamp.model.ops.Operators;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bar for the executor: on the full Fashion-MNIST test set each reference model gives ONNX Runtime's accuracy
 * exactly, the same argmax on every image, and logits within 1e-4 of ONNX Runtime's.
 *
 * <p>Why 1e-4: both sides compute in float32 but sum dot products in different orders (blocked GEMM vs. MLAS); over
 * at most 1,152 terms that moves logits of magnitude ~10 by a few 1e-6, so 1e-4 leaves margin without hiding a real
 * error, which would show up as differences of 1e-2 and more.
 *
 * <p>Both GEMMs are held to the same bar: plain Java and ND4J (OpenBLAS), the latter skipped where its native
 * libraries cannot be loaded.
 */
class ReferenceModelsTest {
    private static final double LOGIT_TOLERANCE = 1e-4;
    private static final int BATCH = 64;

    private static LabeledImages testSet;

    @BeforeAll
    static void loadData() {
        testSet = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
    }

    @ParameterizedTest(name = "{0} with {1} kernels")
    @CsvSource({"fmnist_lenet300_100, plain", "fmnist_lenet5, plain", "fmnist_resnet8, plain",
        "fmnist_lenet300_100, nd4j", "fmnist_lenet5, nd4j", "fmnist_resnet8, nd4j"})
    void executorMatchesOnnxRuntimeOnTheFullTestSet(String name, String kernelName) throws Exception {
        MatrixKernels kernels = MatrixKernels.named(kernelName);
        Assumptions.assumeTrue(kernelName.equals("plain") || kernels != MatrixKernels.plainJava(),
                "ND4J's native libraries are not available here");
        JsonNode card = new ObjectMapper().readTree(RepoFiles.model(name + ".json").toFile());
        double expectedAccuracy = card.get("test_accuracy_ort").asDouble();
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
        Preprocessing pre = Preprocessing.unitScale();
        assertThat(testSet.count()).isEqualTo(10_000);

        long t0 = System.nanoTime();
        Evaluation.Result ours;
        try (Executor executor = Executor.create(model.graph(), Operators.withKernels(kernels), 2)) {
            ours = Evaluation.evaluate(executor, testSet, pre, BATCH, true);
        }
        long t1 = System.nanoTime();

        int classes = 10;
        double maxDiff = 0;
        int argmaxAgreement = 0;
        int ortCorrect = 0;
        try (OrtOracle ort = OrtOracle.open(RepoFiles.model(name + ".onnx"))) {
            for (int from = 0; from < testSet.count(); from += BATCH) {
                int to = Math.min(testSet.count(), from + BATCH);
                float[] ref = ort.run(pre.batch(testSet, from, to));
                for (int i = 0; i < to - from; i++) {
                    int best = 0;
                    for (int c = 0; c < classes; c++) {
                        float r = ref[i * classes + c];
                        maxDiff = Math.max(maxDiff, Math.abs(r - ours.logits()[(from + i) * classes + c]));
                        if (r > ref[i * classes + best]) {
                            best = c;
                        }
                    }
                    if (best == ours.predictions()[from + i]) {
                        argmaxAgreement++;
                    }
                    if (best == testSet.label(from + i)) {
                        ortCorrect++;
                    }
                }
            }
        }
        System.out.printf("%s (%s kernels): executor accuracy %.4f (expected %.4f, ORT here %.4f), loss %.5f, "
                + "argmax agreement %d/10000, max |logit diff| %.3g, executor 10k in %.2f s (2 threads)%n", name,
                kernelName, ours.accuracy(), expectedAccuracy, ortCorrect / 10000.0, ours.meanLoss(), argmaxAgreement,
                maxDiff, (t1 - t0) / 1e9);
        assertThat(argmaxAgreement).isEqualTo(10_000);
        assertThat(maxDiff).isLessThanOrEqualTo(LOGIT_TOLERANCE);
        assertThat(ours.correct()).isEqualTo((int) Math.round(expectedAccuracy * 10_000));
    }
}
