package dev.tamp.optimizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's bundled models and data from wherever the tests run. */
public final class RepoFiles {
    private RepoFiles() {}

    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.exists(p.resolve("models/README.md")) && Files.isDirectory(p.resolve("data/fashion-mnist"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }

    public static Path model(String name) {
        return root().resolve("models").resolve(name + ".onnx");
    }

    public static Path fashionMnist() {
        return root().resolve("data/fashion-mnist");
    }
}
