package dev.tamp.model.ir;

import java.util.Objects;

/** A named tensor flowing between layers: its element type and (inferred) shape. */
public record ValueInfo(String name, DataType type, Shape shape) {
    public ValueInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(shape, "shape");
    }
}
