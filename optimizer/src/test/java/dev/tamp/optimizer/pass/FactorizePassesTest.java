package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.numerics.TruncatedSvd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The factorize passes on the reference models: layouts, refusals, and exactness of the structural rewrites. */
class FactorizePassesTest {
    private static Model lenet300;
    private static Model lenet5;
    private static Model resnet8;
    private static Tensor images;

    @BeforeAll
    static void load() {
        OnnxImporter importer = OnnxImporter.withDefaults();
        lenet300 = importer.load(RepoFiles.model("fmnist_lenet300_100"));
        lenet5 = importer.load(RepoFiles.model("fmnist_lenet5"));
        resnet8 = importer.load(RepoFiles.model("fmnist_resnet8"));
        LabeledImages test = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        images = Preprocessing.unitScale().batch(test, 0, 32);
    }

    static PassContext context(Map<String, Settings> layers) {
        return new PassContext(7, Map.of(PassKind.FACTORIZE, new LinkedHashMap<>(layers)));
    }

    static Settings svd(Object... options) {
        Object[] all = new Object[options.length + 2];
        all[0] = "method";
        all[1] = "svd";
        System.arraycopy(options, 0, all, 2, options.length);
        return TestContexts.settings(PassKind.FACTORIZE, all);
    }

    @Test
    void svdStoresFactorsWithTheLayersLayout() {
        PassContext ctx = context(Map.of("/fc1/Gemm", svd("rank", 54), "/fc2/Gemm", svd("rank", 18)));
        Model out = CorePasses.FACTORIZE_SVD.apply(lenet300, ctx);
        IrVerifier.verify("factorize-svd", lenet300, out);
        Graph g = out.graph();
        Node fc1 = node(g, "/fc1/Gemm");
        Factored f = (Factored) g.weights().get(fc1.input(1)).representation();
        assertThat(f.rank()).isEqualTo(54);
        // PyTorch exports Linear as Gemm with transB=1: the weight is [out, in].
        assertThat(fc1.attributes().getInt("transB", 0)).isEqualTo(1);
        assertThat(f.layout()).isEqualTo(Factored.Layout.OUTPUT_BY_INPUT);
        assertThat(f.dims()).containsExactly(300, 784);
        assertThat(g.weights().get(node(g, "/fc3/Gemm").input(1)).representation()).isInstanceOf(Dense.class);
        assertThat(ctx.statistics()).containsEntry("layers-factored", 2L).containsEntry("rank-total", 72L)
                .containsEntry("bytes-after", 4 + 4L * 54 * (300 + 784) + 4 + 4L * 18 * (100 + 300));
        Model again = CorePasses.FACTORIZE_SVD.apply(lenet300, context(Map.of("/fc1/Gemm", svd("rank", 54),
                "/fc2/Gemm", svd("rank", 18))));
        assertThat(again.graph().weights()).isEqualTo(g.weights());
    }

    @Test
    void svdOfAConvIsItsChannelDecomposition() {
        Model out = CorePasses.FACTORIZE_SVD.apply(lenet5, context(Map.of("/conv2/Conv", svd("rank", 8))));
        IrVerifier.verify("factorize-svd", lenet5, out);
        Factored f = (Factored) out.graph().weights().get(node(out.graph(), "/conv2/Conv").input(1)).representation();
        assertThat(f.dims()).containsExactly(50, 20, 5, 5);
        assertThat(f.uTensor().shape()).containsExactly(50, 8);
        assertThat(f.vTensor().shape()).containsExactly(8, 500);
        assertThat(f.layout()).isEqualTo(Factored.Layout.OUTPUT_BY_INPUT);
    }

    @Test
    void refusesAutoAndRanksThatDoNotPay() {
        assertThatThrownBy(() -> CorePasses.FACTORIZE_SVD.apply(lenet300, context(Map.of("/fc1/Gemm", svd()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/fc1/Gemm: rank is auto");
        // fc3 is 10x100: 4 + 4·r·110 < 4000 holds up to r = 9.
        assertThat(FactorizeSvdPass.largestPayingRank(10, 100)).isEqualTo(9);
        assertThatThrownBy(() -> CorePasses.FACTORIZE_SVD.apply(lenet300, context(Map.of("/fc3/Gemm",
                svd("rank", 10))))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/fc3/Gemm: rank 10 does not make the 10x100 weight smaller")
                .hasMessageContaining("the largest rank that does is 9");
        assertThatThrownBy(() -> CorePasses.FACTORIZE_SVD.apply(lenet300, context(Map.of("/fc3/Gemm",
                svd("rank", 11))))).hasMessageContaining("exceeds the smaller side");
        PassContext ctx = context(Map.of("/fc3/Gemm", svd("energy", 1.0), "/fc1/Gemm", svd("energy", 0.5)));
        Model out = CorePasses.FACTORIZE_SVD.apply(lenet300, ctx);
        assertThat(ctx.statistics()).containsEntry("layers-skipped", 1L).containsEntry("layers-factored", 1L);
        assertThat(out.graph().weights().get(node(out.graph(), "/fc3/Gemm").input(1)).representation())
                .isInstanceOf(Dense.class);
        Settings spatial = TestContexts.settings(PassKind.FACTORIZE, "method", "spatial", "rank", 2);
        assertThatThrownBy(() -> CorePasses.FACTORIZE_SPATIAL.apply(lenet5, context(Map.of("/fc1/Gemm", spatial))))
                .hasMessageContaining("/fc1/Gemm: factorize-spatial factorizes 2-D convolutions, not Gemm");
        Settings tucker = TestContexts.settings(PassKind.FACTORIZE, "method", "tucker", "rank", 45);
        assertThatThrownBy(() -> CorePasses.FACTORIZE_TUCKER.apply(lenet5, context(Map.of("/conv2/Conv", tucker))))
                .hasMessageContaining("/conv2/Conv: rank 45 gives 25150 weights, not fewer than the Conv's 25000");
    }

    /**
     * At full rank both rewrites reproduce the Conv exactly up to float32 rounding: each logit is a sum of at most a
     * few thousand float32 products through the network, and the factors' own rounding is relative 2⁻²⁴; 1e-4 of
     * the largest logit magnitude bounds γ_n = n·2⁻²⁴ for n up to ~1,600 terms per output.
     */
    @Test
    void fullRankRewritesReproduceTheConvs() {
        for (Model model : List.of(lenet5, resnet8)) {
            for (String conv : model == lenet5 ? List.of("/conv1/Conv", "/conv2/Conv")
                    : List.of("/conv1/Conv", "/layer2/conv1/Conv", "/layer3/shortcut/shortcut.0/Conv")) {
                Graph g = model.graph();
                Node node = node(g, conv);
                Tensor w = ((Dense) g.weights().get(node.input(1)).representation()).tensor();
                int[] d = w.shape();
                int k = d[2] * d[3];
                Graph spatial = SpatialSeparablePass.separate(g, node, SpatialSeparablePass.decompose(w,
                        new TruncatedSvd.Target.Rank(Math.min(d[1] * d[2], d[0] * d[3])), 1, 1));
                Graph tucker = TuckerPass.replace(g, node, TuckerPass.decompose(w,
                        new TruncatedSvd.Target.Rank(Math.min(d[0], d[1] * k)),
                        new TruncatedSvd.Target.Rank(Math.min(d[1], d[0] * k)), 1, 1));
                assertThat(node(spatial, conv + "::vertical").attributes()).isNotNull();
                assertThat(node(tucker, conv + "::core").attributes()).isNotNull();
                Tensor expected = run(g);
                for (Graph rewritten : List.of(spatial, tucker)) {
                    IrVerifier.verifyRewrite("factorize", model, new Model(rewritten, "t", "0", 8));
                    assertClose(run(rewritten), expected, model.graph().name() + " " + conv);
                }
            }
        }
    }

    @Test
    void structuralPassesRewriteSelectedConvsAndCount() {
        Settings spatial = TestContexts.settings(PassKind.FACTORIZE, "method", "spatial", "rank", 10);
        PassContext ctx = context(Map.of("/conv2/Conv", spatial));
        Model out = CorePasses.FACTORIZE_SPATIAL.apply(lenet5, ctx);
        IrVerifier.verifyRewrite("factorize-spatial", lenet5, out);
        Node v = node(out.graph(), "/conv2/Conv::vertical");
        Node h = node(out.graph(), "/conv2/Conv::horizontal");
        assertThat(out.graph().weights().get(v.input(1)).representation().dims()).containsExactly(10, 20, 5, 1);
        assertThat(out.graph().weights().get(h.input(1)).representation().dims()).containsExactly(50, 10, 1, 5);
        assertThat(h.inputs()).hasSize(3);
        assertThat(ctx.statistics()).containsEntry("params-after", 10L * (100 + 250));

        Settings tucker = TestContexts.settings(PassKind.FACTORIZE, "method", "tucker", "energy", 0.8);
        PassContext tctx = context(Map.of("/layer2/conv1/Conv", tucker, "/layer3/conv2/Conv", tucker));
        Model t = CorePasses.FACTORIZE_TUCKER.apply(resnet8, tctx);
        IrVerifier.verifyRewrite("factorize-tucker", resnet8, t);
        assertThat(tctx.statistics()).containsEntry("layers-factored", 2L);
        assertThat(t.graph().nodes().stream().map(Node::name))
                .contains("/layer2/conv1/Conv::project-in", "/layer2/conv1/Conv::core",
                        "/layer2/conv1/Conv::project-out")
                .doesNotContain("/layer2/conv1/Conv");
        // Later passes find the parts under the original layer's options.
        assertThat(tctx.settings(PassKind.FACTORIZE, "/layer2/conv1/Conv::core")).contains(tucker);
    }

    private static Tensor run(Graph g) {
        try (Executor e = Executor.create(g, 2)) {
            return e.run(images);
        }
    }

    private static void assertClose(Tensor actual, Tensor expected, String what) {
        float[] a = actual.floats();
        float[] b = expected.floats();
        double scale = 0;
        for (float x : b) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int i = 0; i < a.length; i++) {
            assertThat((double) Math.abs(a[i] - b[i])).as("%s output %d", what, i).isLessThanOrEqualTo(1e-4 * scale);
        }
    }

    static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no node " + name));
    }
}
