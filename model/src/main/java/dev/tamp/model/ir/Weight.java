package dev.tamp.model.ir;

import java.util.Objects;

/** A named constant tensor of the graph (an ONNX initializer) together with its storage representation. */
public record Weight(String name, Representation representation) {
    public Weight {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(representation, "representation");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("weight name must not be empty");
        }
    }

    public static Weight dense(String name, Tensor tensor) {
        return new Weight(name, new Dense(tensor));
    }

    public long elementCount() {
        return Tensor.elementCount(representation.dims());
    }
}
