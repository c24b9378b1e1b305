package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxExporter;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.numerics.CompactFilters;
import dev.tamp.optimizer.numerics.ConvWindow;
import dev.tamp.optimizer.numerics.PatchGram;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compact filters on LeNet-5's conv2 and resnet8 with Fashion-MNIST training images. */
class CompactFiltersPassTest {
    static final String CONV2 = "/conv2/Conv";
    private static final int SAMPLES = 256;
    private static Model lenet5;
    private static Model resnet8;
    static RecipeData data;

    @BeforeAll
    static void load() {
        lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8"));
        data = data();
    }

    /** The bundled training subset for fitting, the test files for held-out checks, the models' preprocessing. */
    static RecipeData data() {
        var dir = RepoFiles.fashionMnist();
        LabeledImages train = IdxFiles.read(dir.resolve("train-images-idx3-ubyte.gz"),
                dir.resolve("train-labels-idx1-ubyte.gz"));
        LabeledImages test = IdxFiles.locate(List.of(dir));
        return new RecipeData(train, train.slice(0, 1), test, Preprocessing.unitScale());
    }

    static PassContext context(String layer, Settings settings, Optional<RecipeData> with) {
        return new PassContext(42, Map.of(PassKind.COMPACT, Map.of(layer, settings)), with, 2);
    }

    static Settings separable(int samples) {
        return TestContexts.settings(PassKind.COMPACT, "method", "depthwise-separable", "samples", samples);
    }

    static Settings bottleneck(Object width, int samples) {
        return TestContexts.settings(PassKind.COMPACT, "method", "bottleneck", "width", width, "samples", samples);
    }

    @Test
    void aSeparableConvIsReproducedExactly() {
        Model separableConv2 = withConv2Weight(lenet5, CompactFilters.separableInit(conv2(lenet5)).effective());
        Model out = apply(CorePasses.COMPACT_DEPTHWISE_SEPARABLE, separableConv2, separable(SAMPLES));
        assertThat(out.graph().node(CONV2 + "::depthwise").orElseThrow().attributes().getInt("group", 1))
                .isEqualTo(20);
        assertThat(out.graph().node(CONV2 + "::pointwise")).isPresent();
        assertThat(out.graph().node(CONV2)).isEmpty();
        assertReproduces(separableConv2, out);
    }

    @Test
    void aFullWidthBottleneckReproducesAConvItsMiddleCanRepresent() {
        // conv2 is 20 → 50: at width 20 (all input channels) the Tucker-2 form is exact once the output side has rank
        // 20, which projecting the weight onto its own width-20 HOSVD gives.
        Model tuckerConv2 = withConv2Weight(lenet5, CompactFilters.tucker2(conv2(lenet5), 20).effective());
        Model out = apply(CorePasses.COMPACT_BOTTLENECK, tuckerConv2, bottleneck(20, SAMPLES));
        for (String part : List.of("reduce", "core", "expand")) {
            assertThat(out.graph().node(PassContext.partName(CONV2, part))).as(part).isPresent();
        }
        assertReproduces(tuckerConv2, out);
    }

    /**
     * The layer's outputs through the rewritten graph on 200 test images match the original's. Tolerance: both
     * compute the same function in float32; the original sums 500 products per output, the factored one 25 then 20
     * (or 20, 500, 20), each dot product off by at most ~n·2⁻²⁴ of its sum of |terms| (about 3e-5 for n = 500 in the
     * worst case, √n·2⁻²⁴ ≈ 1.3e-6 typically). Relative to the largest output, 1e-4 covers the worst case with the
     * float32 rounding of the fitted weights (2⁻²⁴ each).
     */
    private static void assertReproduces(Model original, Model compact) {
        Tensor batch = data.pre().batch(data.test(), 0, 200);
        String out = lenet5.graph().node(CONV2).orElseThrow().output(0);
        float[] want = Activations.capture(original.graph(), batch, List.of(out), 2).get(out).floats();
        float[] got = Activations.capture(compact.graph(), batch, List.of(out), 2).get(out).floats();
        double max = 0;
        double diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
        }
        System.out.printf("max |Δ| %.3g of max |y| %.3g%n", diff, max);
        assertThat(diff).isLessThanOrEqualTo(1e-4 * max);
    }

    @Test
    void theFitBeatsTheDataFreeStartAndTheGraphComputesWhatWasFitted() {
        Tensor batch = data.trainingBatch(SAMPLES);
        Node conv = lenet5.graph().node(CONV2).orElseThrow();
        Tensor x = Activations.capture(lenet5.graph(), batch, List.of(conv.input(0)), 2).get(conv.input(0));
        ConvWindow win = CompactFiltersPass.window(conv, 5, 5, 12, 12);
        double[][] gram = PatchGram.of(x.floats(), SAMPLES, 20, 12, 12, win, 2);
        CompactFilters.Conv layer = conv2(lenet5);
        var separable = CompactFilters.fitSeparable(layer, gram);
        var narrow = CompactFilters.fitBottleneck(layer, 5, gram);
        System.out.printf("conv2 on %d samples: separable %.4g -> %.4g (%d steps), bottleneck 5 %.4g -> %.4g%n",
                SAMPLES, separable.initialError(), separable.error(), separable.accepted().size(),
                narrow.initialError(), narrow.error());
        assertThat(separable.error()).isLessThan(separable.initialError());
        assertThat(narrow.error()).isLessThan(narrow.initialError());

        // The rewritten graph's conv2 outputs on the same samples differ from the original's by the fitted error;
        // the graph runs in float32 (outputs off by ~1e-6 relative), so the sums agree to 1e-3 relative.
        Model out = apply(CorePasses.COMPACT_DEPTHWISE_SEPARABLE, lenet5, separable(SAMPLES));
        String y = conv.output(0);
        float[] want = Activations.capture(lenet5.graph(), batch, List.of(y), 2).get(y).floats();
        float[] got = Activations.capture(out.graph(), batch, List.of(y), 2).get(y).floats();
        double sse = 0;
        for (int i = 0; i < want.length; i++) {
            sse += ((double) want[i] - got[i]) * ((double) want[i] - got[i]);
        }
        assertThat(sse).isCloseTo(separable.error(), org.assertj.core.api.Assertions.withinPercentage(0.1));
    }

    @Test
    void rewritesVerifyExportToOnnxAndAreDeterministic() {
        Settings narrow = bottleneck(TestContexts.fraction(0.25), 64);
        Model once = apply(CorePasses.COMPACT_BOTTLENECK, lenet5, narrow);
        Model twice = apply(CorePasses.COMPACT_BOTTLENECK, lenet5, narrow);
        assertThat(twice.graph().weights()).isEqualTo(once.graph().weights());
        assertThat(once.graph().weights().get("conv2.weight::reduce").representation().dims())
                .containsExactly(5, 20, 1, 1);

        Model reloaded = OnnxImporter.withDefaults().parse(OnnxExporter.toBytes(once), RepoFiles.root(), "compact");
        assertThat(reloaded.graph().nodes()).isEqualTo(once.graph().nodes());
        assertThat(reloaded.graph().weights()).isEqualTo(once.graph().weights());
        Tensor batch = data.pre().batch(data.test(), 0, 50);
        try (Executor a = Executor.create(once.graph(), 1); Executor b = Executor.create(reloaded.graph(), 1)) {
            assertThat(b.run(batch)).isEqualTo(a.run(batch));
        }
    }

    @Test
    void statisticsCountParameters() {
        PassContext context = context(CONV2, separable(64), Optional.of(data));
        Model out = CorePasses.COMPACT_DEPTHWISE_SEPARABLE.apply(lenet5, context);
        IrVerifier.verifyRewrite("compact-depthwise-separable", lenet5, out);
        // 20·5·5 depthwise + 50·20 pointwise + 50 bias, against 50·20·5·5 + 50.
        assertThat(context.statistics()).containsEntry("params-before", 25_050L).containsEntry("params-after", 1_550L)
                .containsEntry("layers-compacted", 1L).containsEntry("samples", 64L);
        assertThat(context.statistics().keySet()).isSubsetOf(CorePasses.COMPACT_DEPTHWISE_SEPARABLE.info()
                .statistics());
    }

    @Test
    void refusesWhatItCannotCompactByLayer() {
        Pass ds = CorePasses.COMPACT_DEPTHWISE_SEPARABLE;
        Pass bn = CorePasses.COMPACT_BOTTLENECK;
        String shortcut = "/layer2/shortcut/shortcut.0/Conv";
        assertThatThrownBy(() -> ds.apply(resnet8, context(shortcut, separable(8), Optional.of(data))))
                .hasMessageContaining(shortcut).hasMessageContaining("1×1");
        // A second application meets its own depthwise part (grouped) first.
        Model once = apply(ds, lenet5, separable(8));
        assertThatThrownBy(() -> ds.apply(once, context(CONV2, separable(8), Optional.of(data))))
                .hasMessageContaining(CONV2 + "::depthwise").hasMessageContaining("group 20");
        String l1 = "/layer1/conv1/Conv";
        assertThatThrownBy(() -> bn.apply(resnet8, context(l1, bottleneck(32, 8), Optional.of(data))))
                .hasMessageContaining(l1).hasMessageContaining("11296 parameters, the convolution 9248");
        assertThatThrownBy(() -> bn.apply(lenet5, context(CONV2, bottleneck(21, 8), Optional.of(data))))
                .hasMessageContaining("exceeds the 20 input channels");
        // A count and a fraction are told apart as written: `width 1` is one channel, `width 100 %` all of them.
        assertThat(CompactFiltersPass.width(CONV2, TestContexts.settings(PassKind.COMPACT, "method", "bottleneck",
                "width", 1), 20)).isEqualTo(1);
        assertThat(CompactFiltersPass.width(CONV2, TestContexts.settings(PassKind.COMPACT, "method", "bottleneck",
                "width", TestContexts.fraction(1.0)), 20)).isEqualTo(20);
        assertThat(CompactFiltersPass.width(CONV2, TestContexts.settings(PassKind.COMPACT, "method", "bottleneck",
                "width", TestContexts.fraction(0.25)), 20)).isEqualTo(5);
        assertThatThrownBy(() -> ds.apply(lenet5, context(CONV2, separable(8), Optional.empty())))
                .hasMessageContaining(CONV2).hasMessageContaining("has no data");
        assertThatThrownBy(() -> ds.apply(lenet5, context("/fc1/Gemm", separable(8), Optional.of(data))))
                .hasMessageContaining("/fc1/Gemm").hasMessageContaining("not a Gemm");
    }

    static Model apply(Pass pass, Model model, Settings settings) {
        Model out = pass.apply(model, context(CONV2, settings, Optional.of(data)));
        IrVerifier.verifyRewrite(pass.info().name(), model, out);
        return out;
    }

    /** conv2's weight and bias in the numerics' layout. */
    static CompactFilters.Conv conv2(Model model) {
        Graph g = model.graph();
        Node n = g.node(CONV2).orElseThrow();
        float[] w = g.weights().get(n.input(1)).representation().materialize().floats();
        float[] b = g.weights().get(n.input(2)).representation().materialize().floats();
        double[][] rows = new double[50][500];
        for (int o = 0; o < 50; o++) {
            for (int j = 0; j < 500; j++) {
                rows[o][j] = w[o * 500 + j];
            }
        }
        double[] bias = new double[50];
        for (int o = 0; o < 50; o++) {
            bias[o] = b[o];
        }
        return new CompactFilters.Conv(50, 20, 25, rows, bias);
    }

    /** The model with conv2's weight replaced (rounded to float32). */
    static Model withConv2Weight(Model model, double[][] weight) {
        Graph g = model.graph();
        String name = g.node(CONV2).orElseThrow().input(1);
        float[] f = new float[50 * 500];
        for (int o = 0; o < 50; o++) {
            for (int j = 0; j < 500; j++) {
                f[o * 500 + j] = (float) weight[o][j];
            }
        }
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.put(name, Weight.dense(name, Tensor.ofFloats(new int[] {50, 20, 5, 5}, f)));
        return new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), model.producerName(), model.producerVersion(), model.irVersion());
    }
}
