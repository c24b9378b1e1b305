package dev.tamp.model.report;

import dev.tamp.model.ir.Shape;
import java.util.List;
import java.util.Objects;

/**
 * One layer in {@code tamp inspect}'s table: its 1-based position (what {@code #N} selects in a recipe), node name and
 * PyTorch module path (empty when the exporter left none). Shapes are symbolic ({@code N} for the batch); MACs are
 * per image (batch dimensions set to 1); params and bytes count the layer's weights as stored.
 */
public record LayerRow(int position, String name, String module, String opType, List<Shape> inputShapes, List<Shape> outputShapes,
        List<String> weights, long params, long macs, long weightBytes) {
    public LayerRow {
        Objects.requireNonNull(name);
        Objects.requireNonNull(module);
        Objects.requireNonNull(opType);
        inputShapes = List.copyOf(inputShapes);
        outputShapes = List.copyOf(outputShapes);
        weights = List.copyOf(weights);
        if (position < 1 || params < 0 || macs < 0 || weightBytes < 0) {
            throw new IllegalArgumentException("position below 1 or negative count in row " + name);
        }
    }
}
