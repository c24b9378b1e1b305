package dev.tamp.compiler;

import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few models loaded, keyed by file, size and modification time: an editor re-checking a recipe on every
 * keystroke, or a test suite checking many recipes, reads a model once. Models are immutable, so sharing is safe.
 */
public final class ModelCache {
    private static final int CAPACITY = 4;

    private record Key(Path path, long size, long modified) {}

    private static final Map<Key, Model> MODELS = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Model> eldest) {
            return size() > CAPACITY;
        }
    };

    private ModelCache() {}

    /** Loads a model, or returns the one loaded from the same unchanged file; throws what the importer throws. */
    public static Model load(Path path) {
        Key key;
        try {
            key = new Key(path.toAbsolutePath().normalize(), Files.size(path), Files.getLastModifiedTime(path).toMillis());
        } catch (IOException e) {
            return OnnxImporter.withDefaults().load(path);
        }
        synchronized (MODELS) {
            Model cached = MODELS.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Model model = OnnxImporter.withDefaults().load(path);
        synchronized (MODELS) {
            MODELS.put(key, model);
        }
        return model;
    }
}
