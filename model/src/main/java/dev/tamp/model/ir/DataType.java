package dev.tamp.model.ir;

import java.util.Optional;

/** Element types of tensors, numbered as in ONNX's {@code TensorProto.DataType}. */
public enum DataType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    UINT16(4, 2),
    INT16(5, 2),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8),
    UINT32(12, 4),
    UINT64(13, 8),
    COMPLEX64(14, 8),
    COMPLEX128(15, 16),
    BFLOAT16(16, 2);

    private final int onnxCode;
    private final int byteSize;

    DataType(int onnxCode, int byteSize) {
        this.onnxCode = onnxCode;
        this.byteSize = byteSize;
    }

    /** ONNX's numeric code for this type. */
    public int onnxCode() {
        return onnxCode;
    }

    /** Bytes per element; 0 for strings, whose size is not fixed. */
    public int byteSize() {
        return byteSize;
    }

    /** The type with the given ONNX code, if tamp knows it. */
    public static Optional<DataType> fromOnnxCode(int code) {
        for (DataType t : values()) {
            if (t.onnxCode == code) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
