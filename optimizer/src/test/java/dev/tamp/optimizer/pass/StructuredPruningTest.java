package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.numerics.MatrixView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** N:M and block magnitude pruning, L1 filter pruning and data-free neuron merging on the reference models. */
class StructuredPruningTest {
    private static final Optional<dev.tamp.compiler.source.SourceSpan> GIVEN =
            Optional.of(dev.tamp.compiler.source.SourceSpan.point(1, 1, 0));
    private static Model lenet300;
    private static Model lenet5;
    private static Model resnet8;
    private static LabeledImages testSet;

    @BeforeAll
    static void load() {
        lenet300 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8"));
        testSet = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
    }

    @Test
    void twoOfFourKeepsHalfOfEveryGroupOfFourAlongTheInputs() {
        Model out = PassesTest.run(CorePasses.PRUNE_MAGNITUDE, lenet300, TestContexts.settings(PassKind.PRUNE,
                "pattern", new Setting.Ratio(2, 4, GIVEN)));
        Graph g = lenet300.graph();
        for (Node n : g.nodesOfType("Gemm")) {
            Sparse s = (Sparse) out.graph().weights().get(n.input(1)).representation();
            float[] w = s.materialize().floats();
            MatrixView view = MatrixView.of(s.dims(), dev.tamp.model.ir.LayerFacts.outputAxis(g, n));
            for (int r = 0; r < view.rows(); r++) {
                for (int c0 = 0; c0 < view.cols(); c0 += 4) {
                    int nonzero = 0;
                    for (int c = c0; c < c0 + 4; c++) {
                        nonzero += w[view.flat(r, c)] != 0 ? 1 : 0;
                    }
                    // Two kept per group; a kept weight that is exactly 0.0 in the model would count as removed.
                    assertThat(nonzero).as(n.name()).isLessThanOrEqualTo(2);
                }
            }
            assertThat(s.positions()).as(n.name()).hasSize(view.size() / 2);
        }
    }

    @Test
    void nOfMRefusesADisagreeingSparsityAndGlobalScope() {
        Setting twoOfFour = new Setting.Ratio(2, 4, GIVEN);
        Settings disagree = TestContexts.settings(PassKind.PRUNE, "pattern", twoOfFour, "sparsity", 0.75);
        assertThatThrownBy(() -> PassesTest.run(CorePasses.PRUNE_MAGNITUDE, lenet300, disagree))
                .hasMessageContaining("/fc1/Gemm").hasMessageContaining("2:4").hasMessageContaining("75");
        Settings agree = TestContexts.settings(PassKind.PRUNE, "pattern", twoOfFour, "sparsity", 0.5);
        assertThat(PassesTest.run(CorePasses.PRUNE_MAGNITUDE, lenet300, agree).graph().weights())
                .isEqualTo(PassesTest.run(CorePasses.PRUNE_MAGNITUDE, lenet300, TestContexts.settings(PassKind.PRUNE,
                        "pattern", twoOfFour)).graph().weights());
        Settings global = TestContexts.settings(PassKind.PRUNE, "pattern", twoOfFour, "scope", "global");
        assertThatThrownBy(() -> PassesTest.run(CorePasses.PRUNE_MAGNITUDE, lenet300, global))
                .hasMessageContaining("scope global");
    }

    @Test
    void blocksGoWholeUntilTheSparsityIsReached() {
        Setting block = new Setting.Shape(List.of(4, 4), GIVEN);
        for (String scope : List.of("layer", "global")) {
            PassContext context = TestContexts.allLayers(lenet5.graph(), PassKind.PRUNE, TestContexts.settings(
                    PassKind.PRUNE, "pattern", block, "sparsity", 0.5, "scope", scope));
            Model out = CorePasses.PRUNE_MAGNITUDE.apply(lenet5, context);
            IrVerifier.verify("prune-magnitude", lenet5, out);
            long removed = 0;
            long total = 0;
            for (Weight w : PassesTest.layerWeights(lenet5)) {
                Sparse s = (Sparse) out.graph().weights().get(w.name()).representation();
                long gone = w.elementCount() - s.positions().length;
                if (scope.equals("layer")) {
                    // At least half, and less than one more 4x4 block beyond it.
                    assertThat(gone).isBetween(Math.round(0.5 * w.elementCount()),
                            Math.round(0.5 * w.elementCount()) + 15);
                }
                removed += gone;
                total += w.elementCount();
            }
            assertThat(removed).isEqualTo(context.statistics().get("weights-removed"));
            assertThat(removed).isGreaterThanOrEqualTo(Math.round(0.5 * total));
        }
    }

    @Test
    void filterPruningKeepsTheOutputsOfAModelWhoseRemovedFiltersAreZero() {
        assertZeroFiltersPruneExactly(lenet5, List.of("/conv2/Conv"), 0.5, 1000);
        assertZeroFiltersPruneExactly(lenet5, List.of("/conv1/Conv", "/conv2/Conv", "/fc1/Gemm"), 0.25, 1000);
        List<String> convs = resnet8.graph().nodesOfType("Conv").stream().map(Node::name).toList();
        assertZeroFiltersPruneExactly(resnet8, convs, 0.25, 200);
    }

    /**
     * Prunes the model once to learn which channels go (a kept channel is recognized by its bias value, checked to be
     * unique), zeroes those filters and biases in the original, prunes that, and compares the executor's outputs.
     *
     * <p>Tolerance 0, exactly: a zeroed channel is exactly 0 after its Conv/Gemm, stays 0 through pooling, ReLU and
     * the residual Adds (0 + 0), and contributes products w * 0 = +-0 to every reader's sums; x + (+-0) = x in IEEE
     * arithmetic, and the executor adds each output's products in increasing input order (PlainJavaMatrixKernels), so
     * the sums without those terms are the same floats.
     */
    private static void assertZeroFiltersPruneExactly(Model model, List<String> layers, double sparsity, int images) {
        Settings settings = TestContexts.settings(PassKind.PRUNE, "method", "l1-filter", "sparsity", sparsity);
        Map<String, Settings> selected = new LinkedHashMap<>();
        layers.forEach(l -> selected.put(l, settings));
        Model firstCut = CorePasses.PRUNE_L1_FILTER.apply(model, new PassContext(1, Map.of(PassKind.PRUNE, selected)));
        Graph g = model.graph();
        Map<String, Weight> zeroed = new LinkedHashMap<>(g.weights());
        int removedTotal = 0;
        for (String layer : layers) {
            Node n = g.node(layer).orElseThrow();
            float[] bias = dense(g, n.input(2)).floats();
            List<Float> keptBias = new ArrayList<>();
            for (float b : dense(firstCut.graph(), n.input(2)).floats()) {
                keptBias.add(b);
            }
            assertThat(java.util.Arrays.stream(box(bias)).distinct().count()).isEqualTo(bias.length);
            Tensor w = dense(g, n.input(1));
            MatrixView view = MatrixView.of(w.shape(), dev.tamp.model.ir.LayerFacts.outputAxis(g, n));
            float[] x = w.floats();
            float[] b = bias.clone();
            for (int r = 0; r < view.rows(); r++) {
                if (!keptBias.contains(bias[r])) {
                    removedTotal++;
                    b[r] = 0;
                    for (int c = 0; c < view.cols(); c++) {
                        x[view.flat(r, c)] = 0;
                    }
                }
            }
            assertThat(view.rows() - keptBias.size()).isEqualTo(Math.round(sparsity * view.rows()));
            zeroed.put(n.input(1), Weight.dense(n.input(1), Tensor.ofFloats(w.shape(), x)));
            zeroed.put(n.input(2), Weight.dense(n.input(2), Tensor.ofFloats(new int[] {b.length}, b)));
        }
        Model zero = new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), zeroed,
                g.values()), model.producerName(), model.producerVersion(), model.irVersion());
        PassContext context = new PassContext(1, Map.of(PassKind.PRUNE, selected));
        Model pruned = CorePasses.PRUNE_L1_FILTER.apply(zero, context);
        IrVerifier.verifyRewrite("prune-l1-filter", zero, pruned);
        assertThat(context.statistics()).containsEntry("filters-removed", (long) removedTotal)
                .containsEntry("layers-pruned", (long) layers.size())
                .containsEntry("bytes-before", PruneFilterPass.storedBytes(zero))
                .containsEntry("bytes-after", PruneFilterPass.storedBytes(pruned));
        assertThat(PruneFilterPass.storedBytes(pruned)).isLessThan(PruneFilterPass.storedBytes(zero));
        Tensor input = Preprocessing.unitScale().batch(testSet, 0, images);
        float[] expected = run(zero, input);
        float[] actual = run(pruned, input);
        assertThat(actual).containsExactly(expected);
    }

    @Test
    void filterPruningRefusesAResidualAddWithAProducerLeftOutAndTheGraphOutput() {
        Settings settings = TestContexts.settings(PassKind.PRUNE, "method", "l1-filter", "sparsity", 0.5);
        PassContext one = new PassContext(1, Map.of(PassKind.PRUNE, Map.of("/layer1/conv2/Conv", settings)));
        assertThatThrownBy(() -> CorePasses.PRUNE_L1_FILTER.apply(resnet8, one))
                .hasMessageContaining("/layer1/Add").hasMessageContaining("/conv1/Conv")
                .hasMessageContaining("is not selected");
        PassContext last = new PassContext(1, Map.of(PassKind.PRUNE, Map.of("/fc2/Gemm", settings)));
        assertThatThrownBy(() -> CorePasses.PRUNE_L1_FILTER.apply(lenet5, last))
                .hasMessageContaining("/fc2/Gemm").hasMessageContaining("graph output");
        PassContext auto = new PassContext(1, Map.of(PassKind.PRUNE, Map.of("/conv2/Conv",
                TestContexts.settings(PassKind.PRUNE, "method", "l1-filter"))));
        assertThatThrownBy(() -> CorePasses.PRUNE_L1_FILTER.apply(lenet5, auto)).hasMessageContaining("auto");
    }

    @Test
    void mergingTwoIdenticalNeuronsKeepsTheOutputsUpToRounding() {
        Graph g = lenet300.graph();
        Node fc2 = g.node("/fc2/Gemm").orElseThrow();
        Node fc3 = g.node("/fc3/Gemm").orElseThrow();
        // Neuron 1 of fc2 becomes a copy of neuron 0 (weights and bias): merging it into neuron 0 is exact in reals.
        Tensor w = dense(g, fc2.input(1));
        MatrixView view = MatrixView.of(w.shape(), dev.tamp.model.ir.LayerFacts.outputAxis(g, fc2));
        float[] x = w.floats();
        for (int c = 0; c < view.cols(); c++) {
            x[view.flat(1, c)] = x[view.flat(0, c)];
        }
        float[] b = dense(g, fc2.input(2)).floats();
        b[1] = b[0];
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.put(fc2.input(1), Weight.dense(fc2.input(1), Tensor.ofFloats(w.shape(), x)));
        weights.put(fc2.input(2), Weight.dense(fc2.input(2), Tensor.ofFloats(new int[] {b.length}, b)));
        Model twin = new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), lenet300.producerName(), lenet300.producerVersion(), lenet300.irVersion());
        PassContext context = new PassContext(1, Map.of(PassKind.PRUNE, Map.of("/fc2/Gemm",
                TestContexts.settings(PassKind.PRUNE, "method", "data-free", "sparsity", 0.01))));
        Model merged = CorePasses.PRUNE_DATA_FREE.apply(twin, context);
        IrVerifier.verifyRewrite("prune-data-free", twin, merged);
        assertThat(context.statistics()).containsEntry("neurons-removed", 1L)
                .containsEntry("bytes-after", PruneFilterPass.storedBytes(merged));
        assertThat(merged.graph().weights().get(fc3.input(1)).representation().dims()).containsExactly(10, 99);

        int images = 500;
        Tensor input = Preprocessing.unitScale().batch(testSet, 0, images);
        float[] expected = run(twin, input);
        float[] actual = run(merged, input);
        String hidden = fc3.input(0);
        float[] h = Activations.capture(twin.graph(), input, List.of(hidden), 1).get(hidden).floats();
        float[] a = dense(g, fc3.input(1)).floats();
        float[] c = dense(g, fc3.input(2)).floats();
        MatrixView out = MatrixView.of(dense(g, fc3.input(1)).shape(), dev.tamp.model.ir.LayerFacts.outputAxis(g, fc3));
        int n = out.cols();
        double u = Math.ulp(1.0f) / 2;
        for (int i = 0; i < images; i++) {
            for (int k = 0; k < out.rows(); k++) {
                // Each logit is c_k + sum_j A_kj h_j in float. Any float evaluation of an n-term dot product plus a
                // bias is within gamma_{n+1} = (n+1)u / (1 - (n+1)u) of the exact value, times sum |A_kj h_j| + |c_k|
                // (Higham, Accuracy and Stability, 3.1). The exact values agree (h_0 = h_1), so the two models differ
                // by at most twice that, plus the rounding of the merged weight fl(A_k0 + A_k1), at most
                // u |A_k0 + A_k1| h_0.
                double magnitude = Math.abs(c[k]);
                for (int j = 0; j < n; j++) {
                    magnitude += Math.abs(a[out.flat(k, j)] * h[i * n + j]);
                }
                double gamma = (n + 1) * u / (1 - (n + 1) * u);
                double bound = 2 * gamma * magnitude
                        + u * Math.abs(a[out.flat(k, 0)] + a[out.flat(k, 1)]) * h[i * n];
                assertThat((double) Math.abs(actual[i * 10 + k] - expected[i * 10 + k])).isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void dataFreeRefusesLayersWithoutAHiddenGemmReader() {
        Settings settings = TestContexts.settings(PassKind.PRUNE, "method", "data-free", "sparsity", 0.25);
        assertThatThrownBy(() -> CorePasses.PRUNE_DATA_FREE.apply(lenet300, new PassContext(1,
                Map.of(PassKind.PRUNE, Map.of("/fc3/Gemm", settings))))).hasMessageContaining("graph output");
        assertThatThrownBy(() -> CorePasses.PRUNE_DATA_FREE.apply(lenet5, new PassContext(1,
                Map.of(PassKind.PRUNE, Map.of("/conv2/Conv", settings))))).hasMessageContaining("Conv");
    }

    @Test
    void dataFreeIsDeterministicAndShrinksBothHiddenLayers() {
        Settings settings = TestContexts.settings(PassKind.PRUNE, "method", "data-free", "sparsity", 0.5);
        Map<String, Settings> hidden = Map.of("/fc1/Gemm", settings, "/fc2/Gemm", settings);
        Model once = CorePasses.PRUNE_DATA_FREE.apply(lenet300, new PassContext(1, Map.of(PassKind.PRUNE, hidden)));
        Model twice = CorePasses.PRUNE_DATA_FREE.apply(lenet300, new PassContext(1, Map.of(PassKind.PRUNE, hidden)));
        IrVerifier.verifyRewrite("prune-data-free", lenet300, once);
        assertThat(twice.graph().weights()).isEqualTo(once.graph().weights());
        Graph g = once.graph();
        assertThat(g.weights().get(g.node("/fc1/Gemm").orElseThrow().input(1)).representation().dims())
                .containsExactly(150, 784);
        assertThat(g.weights().get(g.node("/fc2/Gemm").orElseThrow().input(1)).representation().dims())
                .containsExactly(50, 150);
        assertThat(g.weights().get(g.node("/fc3/Gemm").orElseThrow().input(1)).representation().dims())
                .containsExactly(10, 50);
    }

    private static Float[] box(float[] x) {
        Float[] y = new Float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    private static Tensor dense(Graph g, String name) {
        return ((Dense) g.weights().get(name).representation()).tensor();
    }

    private static float[] run(Model model, Tensor input) {
        try (Executor ex = Executor.create(model.graph(), 2)) {
            return ex.run(input).floats();
        }
    }
}
