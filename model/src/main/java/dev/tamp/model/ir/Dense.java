package dev.tamp.model.ir;

import java.util.Objects;

/** A weight stored element by element, as exported. */
public record Dense(Tensor tensor) implements Representation {
    public Dense {
        Objects.requireNonNull(tensor, "tensor");
    }

    @Override
    public DataType dataType() {
        return tensor.type();
    }

    @Override
    public int[] dims() {
        return tensor.shape();
    }

    @Override
    public Tensor materialize() {
        return tensor;
    }

    @Override
    public long storedBytes() {
        return (long) tensor.size() * tensor.type().byteSize();
    }

    @Override
    public String kind() {
        return "dense";
    }
}
