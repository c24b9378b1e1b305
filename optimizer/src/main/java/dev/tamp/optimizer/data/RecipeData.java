package dev.tamp.optimizer.data;

import dev.tamp.compiler.ir.DataSpec;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Tensor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A recipe's data set, read once: the training files split into training and validation images (shuffled with the
 * recipe's seed), the test files, and the preprocessing that turns pixels into model inputs. Calibration (saliency,
 * layer statistics, least-squares fits) reads the training split; accuracy is reported on the test split, as the
 * reference figures in {@code models/README.md} are.
 */
public record RecipeData(LabeledImages train, LabeledImages validation, LabeledImages test, Preprocessing pre) {

    public static RecipeData load(DataSpec spec, long seed) {
        Settings s = spec.settings();
        double scale = s.number("scale");
        // The divisor form keeps p / 255f bit-identical to how the reference models were evaluated.
        Preprocessing pre = new Preprocessing((float) (1.0 / scale), (float) s.number("mean"), (float) s.number("std"));
        Path dir = spec.path();
        LabeledImages trainFiles = read(dir, "train");
        LabeledImages test = read(dir, "t10k");
        double v = s.number("validation");
        double fraction = v >= 1 ? Math.min(1, v / trainFiles.count()) : v;
        LabeledImages[] parts = trainFiles.split(fraction, seed);
        return new RecipeData(parts[1], parts[0], test, pre);
    }

    /** The first {@code n} training images (all of them if there are fewer) as one input batch. */
    public Tensor trainingBatch(int n) {
        return pre.batch(train, 0, Math.min(n, train.count()));
    }

    /**
     * The files the data set is read from (training images and labels, then test images and labels), those that can
     * be found; what {@code tamp.lock} hashes.
     */
    public static java.util.List<Path> files(DataSpec spec) {
        java.util.List<Path> files = new java.util.ArrayList<>();
        for (String prefix : new String[] {"train", "t10k"}) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                try {
                    find(spec.path(), prefix + kind).ifPresent(files::add);
                } catch (DataLoadException e) {
                    return files; // loading reports it
                }
            }
        }
        return files;
    }

    private static LabeledImages read(Path dir, String prefix) {
        Optional<Path> images = find(dir, prefix + "-images-idx3-ubyte");
        Optional<Path> labels = find(dir, prefix + "-labels-idx1-ubyte");
        if (images.isEmpty() || labels.isEmpty()) {
            throw new DataLoadException(dir + ": no " + prefix + "-images-idx3-ubyte[.gz] and " + prefix
                    + "-labels-idx1-ubyte[.gz] pair");
        }
        return IdxFiles.read(images.get(), labels.get());
    }

    private static Optional<Path> find(Path dir, String stem) {
        for (String name : new String[] {stem, stem + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new DataLoadException(dir + ": not a directory");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, stem + "*")) {
            for (Path p : ds) {
                return Optional.of(p);
            }
        } catch (IOException e) {
            throw new DataLoadException(dir + ": cannot list: " + e.getMessage(), e);
        }
        return Optional.empty();
    }
}
