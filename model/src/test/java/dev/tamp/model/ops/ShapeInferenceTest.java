package dev.tamp.model.ops;

import static dev.tamp.model.onnx.TestModels.floatInput;
import static dev.tamp.model.onnx.TestModels.intAttr;
import static dev.tamp.model.onnx.TestModels.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.onnx.TestModels;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TypeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {
    private static Graph load(GraphProto g) {
        return OnnxImporter.withDefaults().parse(TestModels.model(13, g).toByteArray(), null, "t").graph();
    }

    @Test
    void symbolicDimensionsFollowTheBatchThroughFlattenAndPooling() {
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addInput(floatInput("x", "batch", 3, 8, 8))
                .addOutput(floatInput("y", "batch", 3 * 4 * 4))
                .addOutput(floatInput("z", 1, 0))
                .addNode(node("pool", "MaxPool", List.of("x"), List.of("p"), TestModels.ints("kernel_shape", 2, 2),
                        TestModels.ints("strides", 2, 2)))
                .addNode(node("flat", "Flatten", List.of("p"), List.of("y")))
                .addNode(node("all", "Flatten", List.of("p"), List.of("z"), intAttr("axis", 0)))
                .build();
        Graph graph = load(g);
        assertThat(graph.values().get("p").shape().toString()).isEqualTo("[batchx3x4x4]");
        assertThat(graph.values().get("y").shape().toString()).isEqualTo("[batchx48]");
        assertThat(graph.values().get("z").shape().toString()).isEqualTo("[1xbatch*48]");
    }

    @Test
    void unnamedUnknownDimensionsStayUnknown() {
        ValueInfoProto anonymous = ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder())
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(5))))).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(anonymous).addOutput(floatInput("y", 1, 5))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build();
        assertThat(load(g).values().get("y").shape().toString()).isEqualTo("[?x5]");
    }
}
