package dev.tamp.ide.lsp;

import dev.tamp.compiler.ModelCache;
import dev.tamp.compiler.sema.ModelBinding;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.report.LayerRow;
import dev.tamp.model.report.LayerTable;
import dev.tamp.model.report.ModelInspector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The layers with weights of an ONNX model, named as selectors write them (the PyTorch module path when the
 * exporter kept it) and described as {@code tamp inspect} does. Models are loaded through the compiler's cache, so
 * completion and hover re-read a model only when its file changes.
 */
public final class ModelLayerCatalog implements LayerCatalog {

    @Override
    public List<Layer> layers(Path model) {
        try {
            Model loaded = ModelCache.load(model);
            LayerTable table = ModelInspector.inspect(model.getFileName().toString(), loaded);
            List<Layer> layers = new ArrayList<>();
            for (ModelBinding.Layer layer : ModelBinding.layers(loaded.graph())) {
                if (!layer.hasWeights()) {
                    continue;
                }
                LayerRow row = table.rows().get(layer.ref().position() - 1);
                layers.add(new Layer(layer.displayName(), describe(layer, row)));
            }
            return layers;
        } catch (RuntimeException e) {
            // A model that cannot be read (or is being rewritten) leaves completion without layer names.
            return List.of();
        }
    }

    private static String describe(ModelBinding.Layer layer, LayerRow row) {
        return String.format(Locale.ROOT, "%s `%s` (#%d): %s → %s, %,d params, %,d MACs", row.opType(),
                layer.ref().name(), layer.ref().position(), shapes(row.inputShapes()), shapes(row.outputShapes()),
                row.params(), row.macs());
    }

    private static String shapes(List<Shape> shapes) {
        return shapes.stream().map(Shape::toString).collect(Collectors.joining(" "));
    }
}
