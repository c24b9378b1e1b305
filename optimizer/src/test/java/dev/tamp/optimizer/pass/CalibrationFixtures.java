package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.RecipeData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pass contexts with data, for passes that calibrate on training images: the repository's 6,000-image training
 * subset (in file order, no validation split) and the full 10,000-image test set, pixels / 255 as the reference
 * models were trained.
 */
public final class CalibrationFixtures {
    private static RecipeData data;

    private CalibrationFixtures() {}

    public static synchronized RecipeData data() {
        if (data == null) {
            Path dir = RepoFiles.fashionMnist();
            LabeledImages train = IdxFiles.read(dir.resolve("train-images-idx3-ubyte.gz"),
                    dir.resolve("train-labels-idx1-ubyte.gz"));
            LabeledImages test = IdxFiles.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
                    dir.resolve("t10k-labels-idx1-ubyte.gz"));
            data = new RecipeData(train, train.slice(0, 0), test, Preprocessing.unitScale());
        }
        return data;
    }

    /** The same options for every Conv, Gemm and MatMul layer, with the data and two threads. */
    public static PassContext allLayers(Graph graph, PassKind family, Settings settings) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (var node : graph.nodes()) {
            if (List.of("Conv", "Gemm", "MatMul").contains(node.opType())) {
                layers.put(node.name(), settings);
            }
        }
        return new PassContext(42, Map.of(family, layers), Optional.of(data()), 2);
    }

    /** Runs a pass over every layer with data and checks the IR verifier. */
    public static Model run(Pass pass, Model model, Settings settings) {
        Model out = pass.apply(model, allLayers(model.graph(), pass.info().family(), settings));
        IrVerifier.verify(pass.info().name(), model, out);
        return out;
    }
}
