package dev.tamp.model.onnx;

import static dev.tamp.model.onnx.TestModels.floatInput;
import static dev.tamp.model.onnx.TestModels.intAttr;
import static dev.tamp.model.onnx.TestModels.node;
import static dev.tamp.model.onnx.TestModels.tensor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.OrtOracle;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's {@code x.view(x.size(0), -1)} with a dynamic batch exports as Shape -> Gather -> Unsqueeze -> Concat ->
 * Reshape; tamp infers the symbolic result shape and runs it like ONNX Runtime does.
 */
class DynamicReshapeTest {
    static ModelProto viewBatchMinusOne() {
        GraphProto g = GraphProto.newBuilder().setName("view")
                .addInput(floatInput("x", "N", 1, 4, 4))
                .addOutput(floatInput("y", "N", 3))
                .addInitializer(tensor("zero", Tensor.ofLongs(new int[0], new long[] {0})))
                .addInitializer(tensor("axes", Tensor.ofLongs(new int[] {1}, new long[] {0})))
                .addInitializer(tensor("minus_one", Tensor.ofLongs(new int[] {1}, new long[] {-1})))
                .addInitializer(tensor("w", TestModels.random(9, 3, 16)))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("batch", "Gather", List.of("s", "zero"), List.of("n"), intAttr("axis", 0)))
                .addNode(node("unsqueeze", "Unsqueeze", List.of("n", "axes"), List.of("n1")))
                .addNode(node("target", "Concat", List.of("n1", "minus_one"), List.of("t"), intAttr("axis", 0)))
                .addNode(node("view", "Reshape", List.of("x", "t"), List.of("flat")))
                .addNode(node("fc", "Gemm", List.of("flat", "w"), List.of("y"), intAttr("transB", 1)))
                .build();
        return TestModels.model(13, g);
    }

    @Test
    void shapeArithmeticChainInfersSymbolicShapesAndRunsLikeOnnxRuntime() throws Exception {
        byte[] bytes = viewBatchMinusOne().toByteArray();
        Model model = OnnxImporter.withDefaults().parse(bytes, null, "view");
        assertThat(model.graph().values().get("flat").shape().toString()).isEqualTo("[Nx16]");
        assertThat(model.graph().values().get("t").shape().toString()).isEqualTo("[2]");
        Tensor x = TestModels.random(3, 5, 1, 4, 4);
        float[] expected;
        try (OrtOracle ort = OrtOracle.open(bytes)) {
            expected = ort.run(x);
        }
        float[] actual;
        try (Executor e = Executor.create(model.graph(), 1)) {
            Tensor y = e.run(x);
            assertThat(y.shape()).containsExactly(5, 3);
            actual = y.floats();
        }
        // A 16-term dot product of values in [-1, 1]: float32 reassociation moves it by well under 1e-5.
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], Offset.offset(1e-5f));
        }
        try (OrtOracle ort = OrtOracle.open(OnnxExporter.toBytes(model))) {
            assertThat(ort.run(x)).containsExactly(expected);
        }
    }
}
