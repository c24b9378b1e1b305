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

    /**
     * The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions and element type
     * ({@link DataType#FLOAT} or {@link DataType#INT64}); the length is checked before anything is allocated.
     */
    public static Dense deserialize(int[] dims, DataType type, byte[] bytes) {
        int n = Math.toIntExact(Tensor.elementCount(StorageLayout.checkDims(dims)));
        if (type != DataType.FLOAT && type != DataType.INT64) {
            throw new IllegalArgumentException("a dense weight holds float32 or int64, not " + type);
        }
        StorageLayout.Reader.expectLength("dense " + type, bytes, (long) n * type.byteSize());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (type == DataType.FLOAT) {
            float[] v = new float[n];
            b.asFloatBuffer().get(v);
            return new Dense(Tensor.ofFloats(dims, v));
        }
        long[] v = new long[n];
        b.asLongBuffer().get(v);
        return new Dense(Tensor.ofLongs(dims, v));
    }

    @Override
    public String kind() {
        return "dense";
    }
}
