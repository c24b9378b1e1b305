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

    /** The elements in their type's little-endian encoding, as ONNX's {@code raw_data} holds them. */
    @Override
    public byte[] serialize() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Math.toIntExact(storedBytes()))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (tensor.type() == DataType.FLOAT) {
            b.asFloatBuffer().put(tensor.floats());
        } else {
            b.asLongBuffer().put(tensor.longs());
        }
        return b.array();
    }

    @Override
    public String kind() {
        return "dense";
    }
}
