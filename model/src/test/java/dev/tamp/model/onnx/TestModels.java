package dev.tamp.model.onnx;

import com.google.protobuf.ByteString;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.proto.OnnxProtos.AttributeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.NodeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TypeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.List;
import java.util.SplittableRandom;

/** Small hand-built ONNX models for tests of the importer, exporter and executor. */
public final class TestModels {
    private TestModels() {}

    public static ValueInfoProto floatInput(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                db.setDimValue(i);
            } else {
                db.setDimParam((String) d);
            }
            shape.addDim(db);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    public static NodeProto node(String name, String op, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(7);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(2).setI(value).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(1).setF(value).build();
    }

    public static TensorProto tensor(String name, Tensor t) {
        return TensorCodec.encode(name, t);
    }

    public static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] data = new float[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.ofFloats(shape, data);
    }

    public static Tensor positive(long seed, int... shape) {
        Tensor t = random(seed, shape);
        float[] d = t.floats().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = 0.5f + Math.abs(d[i]);
        }
        return Tensor.ofFloats(shape, d);
    }

    public static ModelProto model(int opset, GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build();
    }

    /** Conv 3x3 (4 -> 8 channels, pad 1) -> BatchNormalization -> Relu on [N, 4, 6, 6]. */
    public static ModelProto convBnRelu() {
        GraphProto g = GraphProto.newBuilder().setName("conv_bn_relu")
                .addInput(floatInput("x", "N", 4, 6, 6))
                .addOutput(floatInput("y", "N", 8, 6, 6))
                .addInitializer(tensor("w", random(1, 8, 4, 3, 3)))
                .addInitializer(tensor("b", random(2, 8)))
                .addInitializer(tensor("gamma", random(3, 8)))
                .addInitializer(tensor("beta", random(4, 8)))
                .addInitializer(tensor("mean", random(5, 8)))
                .addInitializer(tensor("var", positive(6, 8)))
                .addNode(node("conv", "Conv", List.of("x", "w", "b"), List.of("c"), ints("pads", 1, 1, 1, 1),
                        ints("kernel_shape", 3, 3)))
                .addNode(node("bn", "BatchNormalization", List.of("c", "gamma", "beta", "mean", "var"), List.of("n"),
                        floatAttr("epsilon", 1e-3f)))
                .addNode(node("relu", "Relu", List.of("n"), List.of("y")))
                .build();
        return model(13, g);
    }

    public static ByteString bytes(int n) {
        return ByteString.copyFrom(new byte[n]);
    }
}
