package dev.tamp.optimizer.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tamp.compiler.ir.Recipe;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.CheckedRecipes;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.RecipeData;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The summed-sensitivity approximation: a candidate combining pruning and quantization takes the sum of its parts'
 * loss changes instead of being scored, checked against scoring every combination on LeNet-300-100.
 */
class SummedSensitivityTest {
    @Test
    void combinationsTakeTheSumOfTheirPartsAndItIsCloseToScoringThem() {
        Recipe recipe = CheckedRecipes.recipe("fmnist_lenet300_100", """
                  seed 2
                  prune fc1, fc2 { method magnitude; sparsity auto in {50 %, 90 %} }
                  quantize fc1, fc2 { method kmeans; bits auto in {3, 6}; iterations 5 }
                  encode { method huffman }
                """);
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet300_100"));
        RecipeData data = RecipeData.load(recipe.data().orElseThrow(), recipe.seed());
        List<List<Planner.Scored>> summed = planner(recipe, model, data, true).candidates();
        List<List<Planner.Scored>> exact = planner(recipe, model, data, false).candidates();
        assertThat(summed).hasSameSizeAs(exact);
        assertThat(exact.get(2)).as("fc3: encoded only, nothing to choose").hasSize(1);
        for (int g = 0; g < 2; g++) {
            List<Planner.Scored> layer = summed.get(g);
            assertThat(layer).hasSize(9);
            for (int j = 0; j < layer.size(); j++) {
                Planner.Scored e = exact.get(g).get(j);
                Planner.Scored s = layer.get(j);
                assertThat(s.candidate()).isEqualTo(e.candidate());
                // Costs come from the real passes either way: exactly equal.
                assertThat(s.sizeDelta()).isEqualTo(e.sizeDelta());
                assertThat(s.cost()).isEqualTo(e.cost());
                if (Planner.plannedFamilies(e.candidate()).size() <= 1) {
                    assertThat(s.sensitivity()).as("a part is scored").isEqualTo(e.sensitivity());
                    continue;
                }
                // The sum of the parts' changes over the base candidate ("as is", Huffman only: 0).
                double sum = layer.get(0).sensitivity();
                for (Planner.Scored part : layer) {
                    if (Planner.plannedFamilies(part.candidate()).size() == 1
                            && s.candidate().chosen().entrySet().containsAll(part.candidate().chosen().entrySet())) {
                        sum += part.sensitivity() - layer.get(0).sensitivity();
                    }
                }
                assertThat(s.sensitivity()).as(s.candidate().label()).isCloseTo(sum, within(1e-12));
                // Against scoring the combination (cross-entropy change on the same 300 images, measured with seed 2:
                // fc1 prune 50 % + 3 bits 0.0207 scored, 0.0550 summed; prune 90 % + 3 bits 1.2363 and 1.2769; the
                // others within 0.004): k-means on the kept weights alone fits them better than on all of them, so
                // the sum overstates a combination's harm by up to 0.05 and never understates it by more than 0.01,
                // small beside the gaps that decide (a 90 % pruned fc1 costs 1.26).
                assertThat(s.sensitivity() - e.sensitivity()).as(s.candidate().label()).isBetween(-0.01, 0.05);
            }
        }
    }

    private static Planner planner(Recipe recipe, Model model, RecipeData data, boolean summed) {
        return new Planner(recipe, model, data, new Planner.Options(300, 2, 1, summed),
                Planner.SizeMeter.REPRESENTATIONS, Optional.empty(), Planner.Progress.NONE);
    }
}
