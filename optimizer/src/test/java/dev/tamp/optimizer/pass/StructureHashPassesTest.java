package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.transform.GraphRewrite;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.numerics.CirculantProduct;
import dev.tamp.optimizer.numerics.CirculantProjection;
import dev.tamp.optimizer.numerics.HashProjection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The structure and hash passes on the reference models: representations, layouts, option forms, refusals. */
class StructureHashPassesTest {
    private static Model lenet300;
    private static Model lenet5;

    @BeforeAll
    static void load() {
        lenet300 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
    }

    @Test
    void blockCirculantTilesEveryFullyConnectedWeightDeterministically() {
        Settings block8 = TestContexts.settings(PassKind.STRUCTURE, "method", "block-circulant", "block", 8);
        PassContext context = TestContexts.allLayers(lenet300.graph(), PassKind.STRUCTURE, block8);
        Model out = CorePasses.STRUCTURE_BLOCK_CIRCULANT.apply(lenet300, context);
        IrVerifier.verify("structure-block-circulant", lenet300, out);
        assertThat(PassesTest.run(CorePasses.STRUCTURE_BLOCK_CIRCULANT, lenet300, block8).graph().weights())
                .isEqualTo(out.graph().weights());
        long before = 0;
        long after = 0;
        for (Weight w : PassesTest.layerWeights(lenet300)) {
            BlockCirculant bc = (BlockCirculant) out.graph().weights().get(w.name()).representation();
            int[] dims = w.representation().dims();
            assertThat(bc.blockSize()).isEqualTo(8);
            assertThat(bc.vectors()).isEqualTo(CirculantProjection.blockCirculant(w.representation().materialize()
                    .floats(), dims[0], dims[1], 8));
            assertThat(bc.storedBytes()).isEqualTo(bc.serialize().length)
                    .isEqualTo(4 + 4L * ((dims[0] + 7) / 8) * ((dims[1] + 7) / 8) * 8);
            before += 4L * w.elementCount();
            after += bc.storedBytes();
        }
        assertThat(context.statistics()).containsEntry("layers-structured", 3L).containsEntry("bytes-before", before)
                .containsEntry("bytes-after", after);
        // The pass leaves the biases dense.
        assertThat(out.graph().weights().get("fc1.bias").representation()).isInstanceOf(Dense.class);
    }

    @Test
    void circulantOnASquareLayerIsWhatTheExecutorAndTheFftProductComputeInEitherLayout() {
        Model square = withSquareLayers(lenet300);
        Settings circulant = TestContexts.settings(PassKind.STRUCTURE, "method", "circulant");
        Map<String, Settings> layers = new LinkedHashMap<>();
        layers.put("/sq1/Gemm", circulant);
        layers.put("/sq2/MatMul", circulant);
        PassContext context = new PassContext(1, Map.of(PassKind.STRUCTURE, layers));
        Model out = CorePasses.STRUCTURE_CIRCULANT.apply(square, context);
        IrVerifier.verify("structure-circulant", square, out);
        assertThat(context.statistics()).containsEntry("layers-structured", 2L);
        Circulant c1 = (Circulant) out.graph().weights().get("sq1.weight").representation();
        Circulant c2 = (Circulant) out.graph().weights().get("sq2.weight").representation();
        assertThat(c1.c()).isEqualTo(CirculantProjection.circulant(square.graph().weights().get("sq1.weight")
                .representation().materialize().floats(), 300));

        LabeledImages test = IdxFiles.locate(List.of(RepoFiles.fashionMnist()));
        Tensor batch = Preprocessing.unitScale().batch(test, 0, 8);
        Map<String, Tensor> acts = Activations.capture(out.graph(), batch, List.of("relu1", "sq1_out", "sq2_out"), 2);
        // Gemm transB = 1 stores [out, in] and computes y = W x; MatMul stores [in, out] and computes y = W^T x.
        checkRows(acts.get("relu1"), acts.get("sq1_out"), c1.materialize().floats(), false,
                CirculantProduct.circulant(c1.c()));
        checkRows(acts.get("sq1_out"), acts.get("sq2_out"), c2.materialize().floats(), true,
                CirculantProduct.circulant(c2.c()));
    }

    /**
     * The executor's float32 rows against the FFT product in double. A float dot product of n terms, in any order, is
     * within {@code n 2^-24 sum |w x|} of the exact value (Higham's gamma_n, to first order); the double FFT's error
     * is ~2^-29 times smaller, so it is covered by the same allowance doubled.
     */
    private static void checkRows(Tensor in, Tensor out, float[] w, boolean transposed, CirculantProduct product) {
        int n = 300;
        float[] x = in.floats();
        float[] y = out.floats();
        for (int r = 0; r < in.shape()[0]; r++) {
            double[] row = new double[n];
            for (int j = 0; j < n; j++) {
                row[j] = x[r * n + j];
            }
            double[] fft = transposed ? product.multiplyTransposed(row) : product.multiply(row);
            for (int i = 0; i < n; i++) {
                double magnitude = 0;
                for (int j = 0; j < n; j++) {
                    magnitude += Math.abs((transposed ? w[j * n + i] : w[i * n + j]) * row[j]);
                }
                assertThat(Math.abs(y[r * n + i] - fft[i])).isLessThanOrEqualTo(2 * n * 0x1p-24 * magnitude);
            }
        }
    }

    /** lenet300_100 with two 300x300 layers after fc1's Relu: a Gemm (transB = 1, no bias) and a MatMul. */
    static Model withSquareLayers(Model model) {
        SplittableRandom rnd = new SplittableRandom(300);
        List<Node> nodes = new ArrayList<>();
        Map<String, Weight> weights = new LinkedHashMap<>(model.graph().weights());
        for (Node node : model.graph().nodes()) {
            if (node.name().equals("/Relu")) {
                nodes.add(new Node(node.name(), node.opType(), node.inputs(), List.of("relu1"), node.attributes()));
                nodes.add(new Node("/sq1/Gemm", "Gemm", List.of("relu1", "sq1.weight"), List.of("sq1_out"),
                        new Attributes(Map.of("transB", new AttributeValue.Int(1)))));
                nodes.add(new Node("/sq2/MatMul", "MatMul", List.of("sq1_out", "sq2.weight"), List.of("sq2_out"),
                        Attributes.empty()));
                weights.put("sq1.weight", gaussian("sq1.weight", rnd));
                weights.put("sq2.weight", gaussian("sq2.weight", rnd));
            } else if (node.name().equals("/fc2/Gemm")) {
                List<String> inputs = new ArrayList<>(node.inputs());
                inputs.set(0, "sq2_out");
                nodes.add(new Node(node.name(), node.opType(), inputs, node.outputs(), node.attributes()));
            } else {
                nodes.add(node);
            }
        }
        return GraphRewrite.rebuild(model, nodes, weights);
    }

    private static Weight gaussian(String name, SplittableRandom rnd) {
        float[] w = new float[300 * 300];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((rnd.nextDouble() + rnd.nextDouble() - 1) * 0.1);
        }
        return new Weight(name, new Dense(Tensor.ofFloats(new int[] {300, 300}, w)));
    }

    @Test
    void whatTheStructurePassesCannotDoIsRefusedByLayer() {
        Settings circulant = TestContexts.settings(PassKind.STRUCTURE, "method", "circulant");
        assertThatThrownBy(() -> PassesTest.run(CorePasses.STRUCTURE_CIRCULANT, lenet300, circulant))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/fc1/Gemm").hasMessageContaining("[300, 784]")
                .hasMessageContaining("method=block-circulant");
        Settings block = TestContexts.settings(PassKind.STRUCTURE, "method", "block-circulant", "block", 4);
        assertThatThrownBy(() -> PassesTest.run(CorePasses.STRUCTURE_BLOCK_CIRCULANT, lenet5, block))
                .hasMessageContaining("/conv1/Conv").hasMessageContaining("fully connected");
        Settings auto = TestContexts.settings(PassKind.STRUCTURE, "method", "block-circulant", "block",
                TestContexts.auto());
        assertThatThrownBy(() -> PassesTest.run(CorePasses.STRUCTURE_BLOCK_CIRCULANT, lenet300, auto))
                .hasMessageContaining("/fc1/Gemm").hasMessageContaining("auto");
        // A statement of the other method leaves the model alone.
        PassContext other = TestContexts.allLayers(lenet300.graph(), PassKind.STRUCTURE, block);
        assertThat(CorePasses.STRUCTURE_CIRCULANT.apply(lenet300, other)).isSameAs(lenet300);
    }

    @Test
    void bucketsAreACountWhenWholeAndAFractionOtherwiseAsTheRecipeWritesThem() {
        Recipe recipe = recipe("""
                  seed 11
                  hash fc1 { buckets 1 }
                  hash fc2 { buckets 100 % }
                  hash fc3 { buckets 0.25 }
                """);
        PassContext context = PassContext.forRecipe(recipe, lenet300.graph());
        Model out = CorePasses.HASH_WEIGHTS.apply(lenet300, context);
        IrVerifier.verify("hash-weights", lenet300, out);
        Hashed fc1 = (Hashed) out.graph().weights().get("fc1.weight").representation();
        Hashed fc2 = (Hashed) out.graph().weights().get("fc2.weight").representation();
        Hashed fc3 = (Hashed) out.graph().weights().get("fc3.weight").representation();
        assertThat(fc1.buckets()).hasSize(1);
        assertThat(fc2.buckets()).hasSize(30_000);
        assertThat(fc3.buckets()).hasSize(250);
        assertThat(List.of(fc1.seed(), fc2.seed(), fc3.seed())).containsOnly(11L);
        assertThat(fc3.signHash()).isTrue();
        Tensor original = lenet300.graph().weights().get("fc3.weight").representation().materialize();
        assertThat(fc3).isEqualTo(HashProjection.fit(original.shape(), original.floats(), 11, true, 250));
        assertThat(context.statistics()).containsEntry("layers-hashed", 3L)
                .containsEntry("bytes-after", fc1.storedBytes() + fc2.storedBytes() + fc3.storedBytes());
        // 30,000 weights into 30,000 buckets leave about e^-1 of the buckets empty (balls into bins).
        assertThat(context.statistics().get("buckets-empty")).isBetween(10_000L, 12_000L);
    }

    @Test
    void hashingRefusesTablesLargerThanTheLayerAndAuto() {
        Settings tooMany = TestContexts.settings(PassKind.HASH, "buckets", 1001);
        assertThatThrownBy(() -> PassesTest.run(CorePasses.HASH_WEIGHTS, lenet300, tooMany))
                .hasMessageContaining("/fc3/Gemm").hasMessageContaining("1001 buckets for 1000 weights");
        Settings auto = TestContexts.settings(PassKind.HASH, "buckets", TestContexts.auto());
        assertThatThrownBy(() -> PassesTest.run(CorePasses.HASH_WEIGHTS, lenet300, auto))
                .hasMessageContaining("/fc1/Gemm").hasMessageContaining("auto");
        Settings eighth = TestContexts.settings(PassKind.HASH, "buckets", TestContexts.fraction(0.125));
        Model out = PassesTest.run(CorePasses.HASH_WEIGHTS, lenet5, eighth);
        Hashed conv1 = (Hashed) out.graph().weights().get("conv1.weight").representation();
        assertThat(conv1.buckets()).hasSize(Math.round(0.125f * 500));
        assertThat(PassesTest.run(CorePasses.HASH_WEIGHTS, lenet5, eighth).graph().weights())
                .isEqualTo(out.graph().weights());
    }

    private static Recipe recipe(String body) {
        return dev.tamp.optimizer.CheckedRecipes.recipe("fmnist_lenet300_100", body);
    }
}
