package dev.tamp.ide.lsp;

import java.nio.file.Path;
import java.util.List;

/**
 * The layers of a model file, for completion after a pass keyword and hover on a layer name in a selector. The
 * language server asks it with the {@code model "…"} path resolved against the recipe's folder; an implementation
 * that cannot read the file returns an empty list (never throws), so the server works without models.
 */
@FunctionalInterface
public interface LayerCatalog {

    /** One layer: its name as selectors write it and a one-line description (shape, parameters, MACs). */
    record Layer(String name, String description) {
        public Layer {
            java.util.Objects.requireNonNull(name);
            java.util.Objects.requireNonNull(description);
        }
    }

    /** The layers of the model at {@code model}, in model order, or an empty list when unknown. */
    List<Layer> layers(Path model);

    /** Knows no model: for tests and for a server started without model access. */
    LayerCatalog NONE = model -> List.of();
}
