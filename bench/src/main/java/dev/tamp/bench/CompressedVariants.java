package dev.tamp.bench;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.codegen.java.GeneratedModel;
import dev.tamp.codegen.java.JavaBuild;
import dev.tamp.codegen.java.JavaEmitter;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The accuracy on the 10,000 Fashion-MNIST test images of each compressed variant {@link InferenceBenchmark} times:
 * the generated class itself (the code that is timed), on the graph its recipe's passes produce, with its stored
 * bytes (the weights container).
 *
 * <p>Usage, from the repository root: {@code java -cp bench/target/benchmarks.jar dev.tamp.bench.CompressedVariants
 * bench/recipes/fmnist_lenet5.obs-kmeans.recipe ...}
 */
public final class CompressedVariants {
    private CompressedVariants() {}

    public static void main(String[] args) throws Exception {
        LabeledImages test = IdxFiles.locate(List.of(Path.of("data/fashion-mnist")));
        Tensor images = Preprocessing.unitScale().batch(test, 0, test.count());
        int per = images.size() / test.count();
        System.out.println("| variant | stored bytes | accuracy (generated Java, 10k test images) |");
        System.out.println("|---|---:|---:|");
        for (String a : args) {
            Path recipe = Path.of(a);
            Graph graph = InferenceBenchmark.compressed(recipe);
            byte[] weights = WeightsFile.write(graph);
            String source = JavaEmitter.source(graph, "gen", "Model");
            GeneratedModel model = GeneratedModel.load(JavaBuild.compile(List.of(new JavaBuild.Source("gen.Model",
                    source))), "gen.Model", weights);
            int correct = 0;
            float[] x = new float[per];
            for (int i = 0; i < test.count(); i++) {
                System.arraycopy(images.floats(), i * per, x, 0, per);
                if (model.classify(x) == test.label(i)) {
                    correct++;
                }
            }
            String name = recipe.getFileName().toString().replace(".recipe", "");
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f %% |%n", name, weights.length,
                    100.0 * correct / test.count());
        }
    }
}
