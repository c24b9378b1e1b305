package dev.tamp.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tamp.model.OrtOracle;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.proto.OnnxProtos.AttributeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DequantizeLinear over constants, as other tools write it, imports as an {@link AffineQuantized} weight that the
 * executor runs exactly as ONNX Runtime does: typed {@code int32_data}, omitted zero points, negative axes.
 */
class DequantizeLinearImportTest {
    /** {@code y = x @ DequantizeLinear(codes, scale, zp)} with a [4, 3] weight. */
    private static ModelProto matMulOverDequantized(int opset, TensorProto codes, TensorProto scale,
            TensorProto zeroPoint, AttributeProto... attributes) {
        List<String> dqInputs = zeroPoint == null ? List.of("q", "s") : List.of("q", "s", "z");
        GraphProto.Builder g = GraphProto.newBuilder().setName("dq")
                .addInput(TestModels.floatInput("x", "N", 4))
                .addNode(TestModels.node("dq", "DequantizeLinear", dqInputs, List.of("w"), attributes))
                .addNode(TestModels.node("mm", "MatMul", List.of("x", "w"), List.of("y"), new AttributeProto[0]))
                .addOutput(TestModels.floatInput("y", "N", 3))
                .addInitializer(codes).addInitializer(scale);
        if (zeroPoint != null) {
            g.addInitializer(zeroPoint);
        }
        return TestModels.model(opset, g.build());
    }

    private static TensorProto int32Typed(String name, DataType type, int[] dims, int... values) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.onnxCode());
        for (int d : dims) {
            b.addDims(d);
        }
        for (int v : values) {
            b.addInt32Data(v);
        }
        return b.build();
    }

    private static final int[] CODES = {-128, -3, 0, 5, 127, 1, -1, 2, 7, -7, 100, -100};

    @Test
    void perChannelWithNegativeAxisAndTypedDataRunsLikeOnnxRuntime() throws Exception {
        ModelProto proto = matMulOverDequantized(13, int32Typed("q", DataType.INT8, new int[] {4, 3}, CODES),
                TensorCodec.encode("s", Tensor.ofFloats(new int[] {3}, new float[] {0.5f, 0.03125f, 1.7f})),
                TensorCodec.encodeBytes("z", DataType.INT8, new int[] {3}, new int[] {0, -2, 3}),
                TestModels.intAttr("axis", -1));
        Model model = OnnxImporter.withDefaults().parse(proto.toByteArray(), null, "dq");
        assertThat(model.graph().nodes()).extracting(n -> n.opType()).containsExactly("MatMul");
        AffineQuantized q = (AffineQuantized) model.graph().weights().get("w").representation();
        assertThat(q.axis()).isEqualTo(1);
        assertThat(q.bits()).isEqualTo(8);
        assertThat(q.signed()).isTrue();
        assertThat(model.graph().weights()).containsOnlyKeys("w");

        Tensor x = TestModels.random(3, 5, 4);
        float[] ours;
        try (Executor e = Executor.create(model.graph(), 1)) {
            ours = e.run(x).floats();
        }
        float[] ref;
        try (OrtOracle ort = OrtOracle.open(proto.toByteArray())) {
            ref = ort.run(x);
        }
        // Same dequantized weights; only the summation order of the 4-term dot products differs.
        for (int i = 0; i < ref.length; i++) {
            assertThat(ours[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        // Re-exported, it is DequantizeLinear and MatMul again, so ONNX Runtime gives the very same numbers.
        try (OrtOracle ort = OrtOracle.open(OnnxExporter.toBytes(model))) {
            assertThat(ort.run(x)).containsExactly(ref);
        }
    }

    @Test
    void perTensorUint8WithoutZeroPointGetsTheNarrowestWidth() {
        ModelProto proto = matMulOverDequantized(10, TensorCodec.encodeBytes("q", DataType.UINT8, new int[] {4, 3},
                new int[] {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3}), TensorCodec.encode("s", Tensor.scalar(0.25f)), null);
        AffineQuantized q = (AffineQuantized) OnnxImporter.withDefaults().parse(proto.toByteArray(), null, "dq")
                .graph().weights().get("w").representation();
        assertThat(q.bits()).isEqualTo(3);
        // Older exporters also list initializers as graph inputs; folded ones must not turn into real inputs.
        ModelProto listed = proto.toBuilder().setGraph(proto.getGraph().toBuilder()
                .addInput(TestModels.floatInput("q", 4, 3)).addInput(TestModels.floatInput("s"))).build();
        assertThat(OnnxImporter.withDefaults().parse(listed.toByteArray(), null, "dq").graph().inputs())
                .extracting(v -> v.name()).containsExactly("x");
        assertThat(q.signed()).isFalse();
        assertThat(q.perChannel()).isFalse();
        assertThat(q.materialize().floats()).containsExactly(0, 0.25f, 0.5f, 0.75f, 1, 1.25f, 1.5f, 1.75f, 0,
                0.25f, 0.5f, 0.75f);
    }

    @Test
    void perChannelBeforeOpset13AndMismatchedScalesAreRejected() {
        TensorProto codes = TensorCodec.encodeBytes("q", DataType.INT8, new int[] {4, 3}, CODES);
        TensorProto scales = TensorCodec.encode("s", Tensor.ofFloats(new int[] {3}, new float[] {1, 2, 3}));
        assertThatThrownBy(() -> OnnxImporter.withDefaults().parse(matMulOverDequantized(12, codes, scales, null)
                .toByteArray(), null, "dq")).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("scale must be a scalar before opset 13");
        assertThatThrownBy(() -> OnnxImporter.withDefaults().parse(matMulOverDequantized(13, codes, scales, null,
                TestModels.intAttr("axis", 0)).toByteArray(), null, "dq")).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("does not match axis 0");
        ModelProto computed = TestModels.model(13, GraphProto.newBuilder().setName("dq")
                .addInput(TestModels.floatInput("q", "N", 3).toBuilder().setType(TestModels.floatInput("q", "N", 3)
                        .getType().toBuilder().setTensorType(TestModels.floatInput("q", "N", 3).getType()
                                .getTensorType().toBuilder().setElemType(DataType.INT8.onnxCode()))).build())
                .addNode(TestModels.node("dq", "DequantizeLinear", List.of("q", "s"), List.of("y"),
                        new AttributeProto[0]))
                .addInitializer(TensorCodec.encode("s", Tensor.scalar(1f)))
                .addOutput(TestModels.floatInput("y", "N", 3)).build());
        assertThatThrownBy(() -> OnnxImporter.withDefaults().parse(computed.toByteArray(), null, "dq"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("DequantizeLinear is supported only over constant INT8 or UINT8 data");
        TensorProto truncated = codes.toBuilder().setRawData(ByteString.copyFrom(new byte[5])).build();
        assertThatThrownBy(() -> OnnxImporter.withDefaults().parse(matMulOverDequantized(13, truncated,
                TensorCodec.encode("s", Tensor.scalar(1f)), null).toByteArray(), null, "dq"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("raw_data holds 5 bytes");
    }
}
