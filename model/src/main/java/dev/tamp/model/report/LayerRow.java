package dev.tamp.model.report;

import dev.tamp.model.ir.Shape;
import java.util.List;
import java.util.Objects;

/**
 * One layer in {@code tamp inspect}'s table. Shapes are symbolic ({@code N} for the batch); MACs are per image
 * (batch dimensions set to 1); params and bytes count the layer's weights as stored.
 */
public record LayerRow(int position, String name, String opType, List<Shape> inputShapes, List<Shape> outputShapes,
        List<String> weights, long params, long macs, long weightBytes) {
    public LayerRow {
        Objects.requireNonNull(name);
        Objects.requireNonNull(opType);
        inputShapes = List.copyOf(inputShapes);
        outputShapes = List.copyOf(outputShapes);
        weights = List.copyOf(weights);
        if (position < 0 || params < 0 || macs < 0 || weightBytes < 0) {
            throw new IllegalArgumentException("negative position or count in row " + name);
        }
    }
}
