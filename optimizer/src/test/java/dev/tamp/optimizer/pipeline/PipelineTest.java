package dev.tamp.optimizer.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pass.TestContexts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pipeline's order and bookkeeping on LeNet-5, and the data plumbing passes calibrate with. */
class PipelineTest {
    private static final Model LENET5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));

    private static PassContext context(Map<PassKind, Map<String, Settings>> layers) {
        return new PassContext(3, layers, Optional.empty(), 1);
    }

    @Test
    void passesRunInPipelineOrderWhateverTheStatementOrder() {
        Settings kmeans = TestContexts.settings(PassKind.QUANTIZE, "method", "kmeans", "bits", 4, "iterations", 5);
        Settings prune = TestContexts.settings(PassKind.PRUNE, "method", "magnitude", "sparsity", 0.8);
        Map<PassKind, Map<String, Settings>> layers = new LinkedHashMap<>();
        layers.put(PassKind.QUANTIZE, Map.of("/conv1/Conv", kmeans, "/fc1/Gemm", kmeans));
        layers.put(PassKind.PRUNE, Map.of("/fc1/Gemm", prune));
        PassContext ctx = context(layers);
        assertThat(Pipeline.plan(ctx)).extracting(p -> p.info().name())
                .containsExactly("prune-magnitude", "share-weights");

        Pipeline.Result result = Pipeline.run(LENET5, ctx, Pipeline.Listener.NONE);
        assertThat(result.runs()).extracting(r -> r.info().name()).containsExactly("prune-magnitude", "share-weights");
        var weights = result.model().graph().weights();
        assertThat(weights.get("conv1.weight").representation()).isInstanceOf(Codebook.class);
        // fc1 was pruned first, so weight sharing clusters only its kept weights (Deep Compression's order).
        assertThat(weights.get("fc1.weight").representation()).isInstanceOf(SparseCodebook.class);
        assertThat(((SparseCodebook) weights.get("fc1.weight").representation()).positions()).hasSize(80_000);
        assertThat(result.runs().get(1).statistics()).containsEntry("layers-quantized", 2L);
        assertThat(result.runs().get(0).statistics()).containsEntry("weights-removed", 320_000L);
    }

    @Test
    void noStatementsMeansNoPassesAndTheSameModel() {
        Pipeline.Result result = Pipeline.run(LENET5, context(Map.of()), Pipeline.Listener.NONE);
        assertThat(result.runs()).isEmpty();
        assertThat(result.model()).isSameAs(LENET5);
        List<CompileReport.Row> rows = CompileReport.rows(LENET5, result.model());
        assertThat(rows).extracting(CompileReport.Row::layer)
                .containsExactly("/conv1/Conv", "/conv2/Conv", "/fc1/Gemm", "/fc2/Gemm");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.bytesAfter()).isEqualTo(r.bytesBefore());
            assertThat(r.macsAfter()).isEqualTo(r.macsBefore());
            assertThat(r.representation()).isEqualTo("dense");
        });
        assertThat(rows.stream().mapToLong(CompileReport.Row::bytesBefore).sum()).isEqualTo(1_724_320L);
    }

    @Test
    void sparseLayersReportTheirKeptMacs() {
        Settings prune = TestContexts.settings(PassKind.PRUNE, "method", "magnitude", "sparsity", 0.75);
        Pipeline.Result result = Pipeline.run(LENET5, context(Map.of(PassKind.PRUNE, Map.of("/fc1/Gemm", prune))),
                Pipeline.Listener.NONE);
        CompileReport.Row fc1 = CompileReport.rows(LENET5, result.model()).get(2);
        assertThat(fc1.macsBefore()).isEqualTo(400_000L);
        assertThat(fc1.macsAfter()).isEqualTo(100_000L);
        assertThat(fc1.representation()).isEqualTo("sparse");
    }

    @Test
    void recipeDataSplitsTheTrainingFilesAndCapturesLayerInputs() {
        var spec = new dev.tamp.compiler.ir.DataSpec("fashion", RepoFiles.fashionMnist(), dataSettings(), null);
        RecipeData data = RecipeData.load(spec, 42);
        assertThat(data.test().count()).isEqualTo(10_000);
        assertThat(data.train().count() + data.validation().count()).isEqualTo(6_000);
        assertThat(data.validation().count()).isEqualTo(600);
        LabeledImages again = RecipeData.load(spec, 42).train();
        assertThat(again.pixels()).isEqualTo(data.train().pixels());

        Tensor batch = data.trainingBatch(8);
        assertThat(batch.shape()).containsExactly(8, 1, 28, 28);
        String fc1Input = LENET5.graph().node("/fc1/Gemm").orElseThrow().input(0);
        Map<String, Tensor> seen = Activations.capture(LENET5.graph(), batch, List.of(fc1Input), 1);
        assertThat(seen.get(fc1Input).shape()).containsExactly(8, 800);
    }

    private static Settings dataSettings() {
        return dev.tamp.compiler.schema.OptionChecker.merge(dev.tamp.compiler.schema.Schemas.DATA, List.of());
    }
}
