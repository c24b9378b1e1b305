package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every core pass on the reference models: the verifier holds, results are deterministic, statistics add up. */
class PassesTest {
    private static Model lenet5;
    private static Model resnet8;

    @BeforeAll
    static void load() {
        lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8"));
    }

    @Test
    void registryHoldsUniqueKebabCaseNames() {
        Set<String> names = CorePasses.all().stream().map(p -> p.info().name()).collect(Collectors.toSet());
        assertThat(names).hasSize(CorePasses.all().size())
                .contains("quantize-uniform", "quantize-binary", "quantize-ternary", "share-weights", "prune-magnitude");
        for (Pass p : CorePasses.all()) {
            assertThat(CorePasses.named(p.info().name())).containsSame(p);
            assertThat(p.info().statistics()).contains("layers-skipped");
        }
        assertThat(CorePasses.named("inline")).isEmpty();
        assertThatThrownBy(() -> new PassInfo("Quantize_Uniform", "", PassKind.QUANTIZE, "uniform", List.of(),
                List.of())).hasMessageContaining("kebab-case");
    }

    @Test
    void uniformPerChannelQuantizesEveryConvAndGemmAlongItsOutputs() {
        Model out = run(CorePasses.QUANTIZE_UNIFORM, resnet8, TestContexts.settings(PassKind.QUANTIZE,
                "method", "uniform", "bits", 8));
        for (Weight w : layerWeights(resnet8)) {
            AffineQuantized q = (AffineQuantized) out.graph().weights().get(w.name()).representation();
            assertThat(q.axis()).isZero();
            assertThat(q.scales()).hasSize(w.representation().dims()[0]);
            assertThat(q.symmetric()).isTrue();
        }
    }

    @Test
    void eachPassProducesItsRepresentationDeterministically() {
        Map<Pass, Settings> cases = new LinkedHashMap<>();
        cases.put(CorePasses.QUANTIZE_UNIFORM, TestContexts.settings(PassKind.QUANTIZE, "method", "uniform", "bits", 4,
                "granularity", "per-tensor", "symmetric", false));
        cases.put(CorePasses.QUANTIZE_BINARY, TestContexts.settings(PassKind.QUANTIZE, "method", "binary"));
        cases.put(CorePasses.QUANTIZE_TERNARY, TestContexts.settings(PassKind.QUANTIZE, "method", "ternary"));
        cases.put(CorePasses.SHARE_WEIGHTS, TestContexts.settings(PassKind.QUANTIZE, "method", "kmeans", "bits", 4));
        cases.put(CorePasses.PRUNE_MAGNITUDE, TestContexts.settings(PassKind.PRUNE, "sparsity", 0.5));
        Map<Pass, Class<? extends Representation>> expected = Map.of(CorePasses.QUANTIZE_UNIFORM,
                AffineQuantized.class, CorePasses.QUANTIZE_BINARY, AffineQuantized.class, CorePasses.QUANTIZE_TERNARY,
                AffineQuantized.class, CorePasses.SHARE_WEIGHTS, Codebook.class, CorePasses.PRUNE_MAGNITUDE,
                Sparse.class);
        for (Map.Entry<Pass, Settings> e : cases.entrySet()) {
            Pass pass = e.getKey();
            PassKind family = pass.info().family();
            PassContext context = TestContexts.allLayers(lenet5.graph(), family, e.getValue());
            Model once = pass.apply(lenet5, context);
            IrVerifier.verify(pass.info().name(), lenet5, once);
            Model twice = pass.apply(lenet5, TestContexts.allLayers(lenet5.graph(), family, e.getValue()));
            assertThat(twice.graph().weights()).as(pass.info().name()).isEqualTo(once.graph().weights());
            for (Weight w : layerWeights(lenet5)) {
                assertThat(once.graph().weights().get(w.name()).representation()).as(pass.info().name())
                        .isInstanceOf(expected.get(pass));
            }
            assertThat(context.statistics()).as(pass.info().name()).containsKey("bytes-after");
            assertThat(context.statistics().keySet()).isSubsetOf(pass.info().statistics());
            assertThat(context.statistics().get("bytes-after")).isLessThan(context.statistics().get("bytes-before"));
        }
    }

    @Test
    void aPassNoStatementSelectsOrWithAnotherMethodReturnsItsInput() {
        PassContext none = new PassContext(1, Map.of());
        for (Pass p : CorePasses.all()) {
            assertThat(p.apply(lenet5, none)).isSameAs(lenet5);
        }
        PassContext kmeans = TestContexts.allLayers(lenet5.graph(), PassKind.QUANTIZE,
                TestContexts.settings(PassKind.QUANTIZE, "method", "kmeans"));
        assertThat(CorePasses.QUANTIZE_UNIFORM.apply(lenet5, kmeans)).isSameAs(lenet5);
    }

    @Test
    void alreadyCompressedWeightsAreSkippedAndCounted() {
        Settings prune = TestContexts.settings(PassKind.PRUNE, "sparsity", 0.5);
        Model pruned = run(CorePasses.PRUNE_MAGNITUDE, lenet5, prune);
        PassContext context = TestContexts.allLayers(pruned.graph(), PassKind.QUANTIZE,
                TestContexts.settings(PassKind.QUANTIZE, "method", "uniform"));
        assertThat(CorePasses.QUANTIZE_UNIFORM.apply(pruned, context)).isSameAs(pruned);
        assertThat(context.statistics()).containsEntry("layers-skipped", 4L);
    }

    @Test
    void perLayerPruningRemovesHalfOfEveryLayerAndGlobalHalfOverall() {
        Model perLayer = run(CorePasses.PRUNE_MAGNITUDE, lenet5, TestContexts.settings(PassKind.PRUNE,
                "sparsity", 0.5));
        long totalKept = 0;
        long total = 0;
        for (Weight w : layerWeights(lenet5)) {
            Sparse s = (Sparse) perLayer.graph().weights().get(w.name()).representation();
            assertThat(s.positions().length).isEqualTo(w.elementCount() - Math.round(0.5 * w.elementCount()));
            total += w.elementCount();
        }
        Model global = run(CorePasses.PRUNE_MAGNITUDE, lenet5, TestContexts.settings(PassKind.PRUNE,
                "sparsity", 0.5, "scope", "global"));
        for (Weight w : layerWeights(lenet5)) {
            totalKept += ((Sparse) global.graph().weights().get(w.name()).representation()).positions().length;
        }
        assertThat(totalKept).isEqualTo(total - Math.round(0.5 * total));
    }

    @Test
    void unimplementedOptionsAreRefusedByName() {
        PassContext gradual = TestContexts.allLayers(lenet5.graph(), PassKind.PRUNE,
                TestContexts.settings(PassKind.PRUNE, "sparsity", 0.5, "schedule", "gradual"));
        assertThatThrownBy(() -> CorePasses.PRUNE_MAGNITUDE.apply(lenet5, gradual)).hasMessageContaining("gradual");
        Map<String, dev.tamp.compiler.ir.Setting> kmeans = new LinkedHashMap<>(
                TestContexts.settings(PassKind.QUANTIZE, "method", "kmeans").values());
        kmeans.put("bits", new dev.tamp.compiler.ir.Setting.Auto(java.util.OptionalDouble.empty(),
                java.util.OptionalDouble.empty(), List.of(), java.util.Optional.empty()));
        PassContext autoBits = TestContexts.allLayers(lenet5.graph(), PassKind.QUANTIZE, new Settings(kmeans));
        assertThatThrownBy(() -> CorePasses.SHARE_WEIGHTS.apply(lenet5, autoBits))
                .hasMessageContaining("/conv1/Conv").hasMessageContaining("bits is auto");
    }

    @Test
    void verifierReportsChangedDimsAndNames() {
        Graph g = lenet5.graph();
        Weight first = layerWeights(lenet5).get(0);
        int[] dims = first.representation().dims();
        int[] other = dims.clone();
        other[0] += 1;
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.put(first.name(), new Weight(first.name(), new Dense(Tensor.ofFloats(other,
                new float[(int) Tensor.elementCount(other)]))));
        Model broken = new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), "", "", 8);
        assertThat(IrVerifier.problems(lenet5, broken)).singleElement().asString().contains(first.name(), "dims");
        assertThatThrownBy(() -> IrVerifier.verify("test", lenet5, broken))
                .hasMessageStartingWith("IR verifier after test: ");
        assertThat(IrVerifier.problems(lenet5, lenet5)).isEmpty();
    }

    static Model run(Pass pass, Model model, Settings settings) {
        Model out = pass.apply(model, TestContexts.allLayers(model.graph(), pass.info().family(), settings));
        IrVerifier.verify(pass.info().name(), model, out);
        return out;
    }

    /** The weights of the model's Conv and Gemm layers (their second input). */
    static List<Weight> layerWeights(Model model) {
        Predicate<String> layer = op -> op.equals("Conv") || op.equals("Gemm");
        return model.graph().nodes().stream().filter(n -> layer.test(n.opType()))
                .map(n -> model.graph().weights().get(n.input(1))).toList();
    }
}
