package dev.tamp.optimizer.train;

import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.RepoFiles;
import java.util.List;

/** The bundled reference models and Fashion-MNIST files, loaded once per JVM. */
final class TrainingFixtures {
    private TrainingFixtures() {}

    static Graph model(String name) {
        return OnnxImporter.withDefaults().load(RepoFiles.model(name)).graph();
    }

    /** The bundled 6,000-image training subset. */
    static LabeledImages train() {
        return Holder.TRAIN;
    }

    /** The full 10,000-image test set. */
    static LabeledImages test() {
        return Holder.TEST;
    }

    private static final class Holder {
        static final LabeledImages TRAIN = read("train");
        static final LabeledImages TEST = read("t10k");

        private static LabeledImages read(String prefix) {
            return IdxFiles.locate(List.of(RepoFiles.fashionMnist().resolve(prefix + "-images-idx3-ubyte.gz"),
                    RepoFiles.fashionMnist().resolve(prefix + "-labels-idx1-ubyte.gz")));
        }
    }
}
