package dev.tamp.model.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.ModelLoadException.Kind;
import dev.tamp.model.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Converts ONNX {@code TensorProto}s to and from tamp tensors, checking every declared size first. */
public final class TensorCodec {
    private TensorCodec() {}

    /** Running total of tensor bytes in one model, so the model-wide limit holds across tensors. */
    static final class Budget {
        private final ImportOptions options;
        private long used;

        Budget(ImportOptions options) {
            this.options = options;
        }

        void claim(String source, String tensor, long bytes) {
            if (bytes > options.maxTensorBytes()) {
                throw ModelLoadException.of(Kind.LIMIT, source, "tensor " + tensor,
                        "declares " + bytes + " bytes, more than the limit of " + options.maxTensorBytes());
            }
            used += bytes;
            if (used > options.maxTotalTensorBytes()) {
                throw ModelLoadException.of(Kind.LIMIT, source, "tensor " + tensor, "tensors exceed the model limit of "
                        + options.maxTotalTensorBytes() + " bytes");
            }
        }
    }

    /** Reads a single serialized {@code TensorProto} file, as in ONNX's test data sets. */
    public static Tensor readTensorFile(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ModelLoadException.of(Kind.IO, source, "", "cannot read: " + e.getMessage(), e);
        }
        TensorProto proto;
        try {
            proto = TensorProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw ModelLoadException.of(Kind.MALFORMED, source, "", "not a serialized ONNX tensor: " + e.getMessage(), e);
        }
        return decode(proto, file.getParent(), source, new Budget(ImportOptions.defaults()));
    }

    static Tensor decode(TensorProto t, Path baseDir, String source, Budget budget) {
        String name = t.getName().isEmpty() ? "<unnamed>" : t.getName();
        String where = "tensor " + name;
        DataType type = DataType.fromOnnxCode(t.getDataType()).orElseThrow(() -> ModelLoadException.of(
                Kind.UNSUPPORTED, source, where, "unknown element type code " + t.getDataType()));
        int[] dims = new int[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0) {
                throw ModelLoadException.of(Kind.MALFORMED, source, where, "negative dimension " + d);
            }
            if (d > Integer.MAX_VALUE) {
                throw ModelLoadException.of(Kind.LIMIT, source, where, "dimension " + d + " too large");
            }
            dims[i] = (int) d;
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw ModelLoadException.of(Kind.LIMIT, source, where, "element count overflows");
            }
        }
        if (type != DataType.FLOAT && type != DataType.INT64 && type != DataType.INT32) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where,
                    "element type " + type + " (only FLOAT, INT64, INT32)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(count, (long) type.byteSize());
        } catch (ArithmeticException e) {
            throw ModelLoadException.of(Kind.LIMIT, source, where, "byte size overflows");
        }
        budget.claim(source, name, bytes);
        ByteBuffer raw = null;
        if (t.getDataLocation() == 1) {
            raw = readExternal(t, baseDir, source, where, bytes);
        } else if (t.hasRawData()) {
            ByteString data = t.getRawData();
            if (data.size() != bytes) {
                throw ModelLoadException.of(Kind.MALFORMED, source, where, "declares " + count + " elements ("
                        + bytes + " bytes) but raw_data holds " + data.size() + " bytes");
            }
            raw = data.asReadOnlyByteBuffer();
        }
        int n = (int) count;
        if (type == DataType.FLOAT) {
            float[] v = new float[n];
            if (raw != null) {
                raw.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            } else {
                requireCount(source, where, n, t.getFloatDataCount(), "float_data");
                for (int i = 0; i < n; i++) {
                    v[i] = t.getFloatData(i);
                }
            }
            return Tensor.ofFloats(dims, v);
        }
        long[] v = new long[n];
        if (raw != null) {
            ByteBuffer b = raw.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                v[i] = type == DataType.INT64 ? b.getLong() : b.getInt();
            }
        } else if (type == DataType.INT64) {
            requireCount(source, where, n, t.getInt64DataCount(), "int64_data");
            for (int i = 0; i < n; i++) {
                v[i] = t.getInt64Data(i);
            }
        } else {
            requireCount(source, where, n, t.getInt32DataCount(), "int32_data");
            for (int i = 0; i < n; i++) {
                v[i] = t.getInt32Data(i);
            }
        }
        // INT32 is widened: integer tensors only ever feed shape-like inputs (shape, axes, pads), read as int64.
        return Tensor.ofLongs(dims, v);
    }

    /** An INT8 or UINT8 tensor's elements widened to int, as {@code DequantizeLinear} reads them. */
    record ByteCodes(DataType type, int[] dims, int[] values) {}

    /** Decodes an INT8 or UINT8 tensor (raw, {@code int32_data} or external), checking sizes as {@link #decode} does. */
    static ByteCodes decodeBytes(TensorProto t, Path baseDir, String source, Budget budget) {
        String name = t.getName().isEmpty() ? "<unnamed>" : t.getName();
        String where = "tensor " + name;
        DataType type = DataType.fromOnnxCode(t.getDataType()).orElse(DataType.STRING);
        if (type != DataType.INT8 && type != DataType.UINT8) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "element type " + type
                    + " as quantized data (only INT8, UINT8)");
        }
        int[] dims = new int[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = t.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw ModelLoadException.of(Kind.MALFORMED, source, where, "invalid dimension " + d);
            }
            dims[i] = (int) d;
            try {
                count = Math.multiplyExact(count, d);
            } catch (ArithmeticException e) {
                throw ModelLoadException.of(Kind.LIMIT, source, where, "element count overflows");
            }
        }
        budget.claim(source, name, count);
        int n = (int) count;
        int[] v = new int[n];
        boolean signed = type == DataType.INT8;
        if (t.getDataLocation() == 1 || t.hasRawData()) {
            ByteBuffer raw;
            if (t.getDataLocation() == 1) {
                raw = readExternal(t, baseDir, source, where, count);
            } else {
                if (t.getRawData().size() != count) {
                    throw ModelLoadException.of(Kind.MALFORMED, source, where, "declares " + count
                            + " elements but raw_data holds " + t.getRawData().size() + " bytes");
                }
                raw = t.getRawData().asReadOnlyByteBuffer();
            }
            for (int i = 0; i < n; i++) {
                byte b = raw.get();
                v[i] = signed ? b : b & 0xFF;
            }
        } else {
            requireCount(source, where, n, t.getInt32DataCount(), "int32_data");
            for (int i = 0; i < n; i++) {
                int x = t.getInt32Data(i);
                if (x < (signed ? -128 : 0) || x > (signed ? 127 : 255)) {
                    throw ModelLoadException.of(Kind.MALFORMED, source, where, "value " + x + " outside " + type);
                }
                v[i] = x;
            }
        }
        return new ByteCodes(type, dims, v);
    }

    private static void requireCount(String source, String where, int expected, int actual, String field) {
        if (expected != actual) {
            throw ModelLoadException.of(Kind.MALFORMED, source, where,
                    "declares " + expected + " elements but " + field + " holds " + actual);
        }
    }

    private static ByteBuffer readExternal(TensorProto t, Path baseDir, String source, String where, long bytes) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location":
                        location = e.getValue();
                        break;
                    case "offset":
                        offset = Long.parseLong(e.getValue());
                        break;
                    case "length":
                        length = Long.parseLong(e.getValue());
                        break;
                    default:
                        break;
                }
            } catch (NumberFormatException ex) {
                throw ModelLoadException.of(Kind.MALFORMED, source, where, "external data " + e.getKey()
                        + " is not a number: " + e.getValue());
            }
        }
        if (location == null || baseDir == null) {
            throw ModelLoadException.of(Kind.MALFORMED, source, where, "external data without a location");
        }
        Path base = baseDir.toAbsolutePath().normalize();
        Path file = base.resolve(location).normalize();
        // ONNX resolves external data relative to the model; a path escaping that directory is refused.
        if (!file.startsWith(base)) {
            throw ModelLoadException.of(Kind.MALFORMED, source, where, "external data path " + location
                    + " leaves the model's directory");
        }
        if (length >= 0 && length != bytes) {
            throw ModelLoadException.of(Kind.MALFORMED, source, where, "declares " + bytes
                    + " bytes but external data length is " + length);
        }
        if (offset < 0) {
            throw ModelLoadException.of(Kind.MALFORMED, source, where, "negative external data offset");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < offset + bytes) {
                throw ModelLoadException.of(Kind.MALFORMED, source, where, "declares " + bytes + " bytes at offset "
                        + offset + " but " + location + " has only " + ch.size() + " bytes");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) bytes);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    break;
                }
            }
            buf.flip();
            return buf;
        } catch (IOException e) {
            throw ModelLoadException.of(Kind.IO, source, where, "cannot read external data " + location + ": "
                    + e.getMessage(), e);
        }
    }

    /** Encodes a tensor as ONNX does for initializers: raw little-endian bytes. */
    public static TensorProto encode(String name, Tensor tensor) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(tensor.type().onnxCode());
        for (int d : tensor.shape()) {
            b.addDims(d);
        }
        ByteBuffer buf = ByteBuffer.allocate(tensor.size() * tensor.type().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        if (tensor.type() == DataType.FLOAT) {
            buf.asFloatBuffer().put(tensor.floats());
        } else {
            buf.asLongBuffer().put(tensor.longs());
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    /** Encodes integer codes as an INT8 or UINT8 tensor, one byte each (two's complement for INT8). */
    public static TensorProto encodeBytes(String name, DataType type, int[] dims, int[] values) {
        if (type != DataType.INT8 && type != DataType.UINT8) {
            throw new IllegalArgumentException("not a byte type: " + type);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.onnxCode());
        for (int d : dims) {
            b.addDims(d);
        }
        byte[] raw = new byte[values.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) values[i];
        }
        return b.setRawData(ByteString.copyFrom(raw)).build();
    }
}
