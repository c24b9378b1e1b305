package dev.tamp.optimizer.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import org.junit.jupiter.api.Test;

/** A checked recipe drives the passes through {@link PassContext#forRecipe}, overrides and defaults included. */
class PassContextTest {
    @Test
    void recipeStatementsSelectLayersAndMethodsPerLayer() {
        Recipe recipe = recipe("""
                  seed 7
                  quantize * { method kmeans; bits 4 }
                  quantize fc2 { method uniform; bits 6 }
                  prune conv1 { sparsity 30 % }
                """);
        Model lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        PassContext context = PassContext.forRecipe(recipe, lenet5.graph());
        assertThat(context.seed()).isEqualTo(7);
        assertThat(context.layers(PassKind.QUANTIZE)).hasSize(4);
        assertThat(context.settings(PassKind.PRUNE, "/conv1/Conv").orElseThrow().number("sparsity")).isEqualTo(0.3);

        Model pruned = CorePasses.PRUNE_MAGNITUDE.apply(lenet5, context);
        Model shared = CorePasses.SHARE_WEIGHTS.apply(pruned, context);
        Model quantized = CorePasses.QUANTIZE_UNIFORM.apply(shared, context);
        IrVerifier.verify("pipeline", lenet5, quantized);
        var weights = quantized.graph().weights();
        // conv1 was pruned first, so k-means shared its kept weights only: the pruned ones stay exactly zero.
        SparseCodebook conv1 = (SparseCodebook) weights.get("conv1.weight").representation();
        assertThat(conv1.positions()).containsExactly(
                ((Sparse) pruned.graph().weights().get("conv1.weight").representation()).positions());
        assertThat(conv1.bits()).isEqualTo(4);
        assertThat(weights.get("conv2.weight").representation()).isInstanceOf(Codebook.class);
        assertThat(weights.get("fc1.weight").representation()).isInstanceOf(Codebook.class);
        assertThat(((AffineQuantized) weights.get("fc2.weight").representation()).bits()).isEqualTo(6);
        assertThat(weights.get("conv1.bias").representation()).isInstanceOf(Dense.class);
        assertThat(context.statistics()).doesNotContainKey("layers-skipped").containsEntry("layers-pruned", 1L)
                .containsEntry("layers-quantized", 4L);
    }

    private static Recipe recipe(String body) {
        return dev.tamp.optimizer.CheckedRecipes.recipe("fmnist_lenet5", body);
    }
}
