package dev.tamp.model.onnx;

import static dev.tamp.model.onnx.TestModels.floatInput;
import static dev.tamp.model.onnx.TestModels.node;
import static dev.tamp.model.onnx.TestModels.random;
import static dev.tamp.model.onnx.TestModels.tensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tamp.model.RepoFiles;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.ModelLoadException.Kind;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.NodeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import dev.tamp.model.ops.Operators;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxImporterTest {
    private static final OnnxImporter IMPORTER = OnnxImporter.withDefaults();

    private static Model parse(ModelProto m) {
        return IMPORTER.parse(m.toByteArray(), null, "test.onnx");
    }

    private static GraphProto.Builder reluGraph() {
        return GraphProto.newBuilder().setName("g").addInput(floatInput("x", "N", 3))
                .addOutput(floatInput("y", "N", 3));
    }

    @Test
    void resnet8ImportsWithShapesCountsAndExporterNamesAddressable() {
        Model model = IMPORTER.load(RepoFiles.model("fmnist_resnet8.onnx"));
        Graph g = model.graph();
        assertThat(g.opsetVersion()).isEqualTo(13);
        assertThat(g.nodes()).hasSize(22);
        assertThat(g.inputs().get(0).shape()).isEqualTo(new Shape(List.of(Dim.symbolic("N"), Dim.of(1), Dim.of(28),
                Dim.of(28))));
        assertThat(g.outputs().get(0).shape().toString()).isEqualTo("[Nx10]");
        assertThat(g.weights().values().stream().mapToLong(w -> w.elementCount()).sum()).isEqualTo(307_402);
        // Exporter-invented names: a layer is found by the initializer it reads, by node name, by op type and position.
        assertThat(g.consumersOf("onnx::Conv_89")).containsExactly(g.nodeAt(0));
        assertThat(g.nodesOfType("Conv")).hasSize(9);
        assertThat(g.nodesOfType("Conv").get(8).inputs()).contains("onnx::Conv_113");
        assertThat(g.nodeAt(21).opType()).isEqualTo("Gemm");
        assertThat(g.consumersOf("fc.weight")).extracting(n -> n.opType()).containsExactly("Gemm");
        assertThat(g.node(g.nodeAt(3).name())).contains(g.nodeAt(3));
        assertThat(g.node("layer9.conv")).isEmpty();
    }

    @Test
    void onnxRuntimeInt8ModelIsRefusedWithEveryUnsupportedNodeListed() {
        // quantize_dynamic output: 3 DynamicQuantizeLinear and 3 MatMulInteger, which tamp does not implement, besides
        // Cast, Mul, Add, Relu and Flatten, which it does (see the model card's op histogram).
        assertThatThrownBy(() -> IMPORTER.load(RepoFiles.model("ort_int8/fmnist_lenet300_100.dyn_int8.onnx")))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> {
                    ModelLoadException le = (ModelLoadException) e;
                    assertThat(le.kind()).isEqualTo(Kind.UNSUPPORTED);
                    assertThat(le.problems().stream().filter(p -> p.message().contains("MatMulInteger"))).hasSize(3);
                    assertThat(le.problems().stream().filter(p -> p.message().contains("DynamicQuantizeLinear")))
                            .hasSize(3);
                    assertThat(le.problems()).hasSize(6);
                });
    }

    @Test
    void truncatedFileIsOneClearError(@TempDir Path dir) throws Exception {
        byte[] full = Files.readAllBytes(RepoFiles.model("fmnist_lenet5.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(full, full.length / 2));
        assertThatThrownBy(() -> IMPORTER.load(cut)).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).kind()).isEqualTo(Kind.MALFORMED))
                .hasMessageContaining("cut.onnx").hasMessageContaining("not an ONNX model");
    }

    @Test
    void garbageBytesAreOneClearError() {
        byte[] garbage = new byte[4096];
        new SplittableRandom(7).nextBytes(garbage);
        assertThatThrownBy(() -> IMPORTER.parse(garbage, null, "garbage.bin"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("garbage.bin")
                .hasMessageContaining("not an ONNX model");
        assertThatThrownBy(() -> IMPORTER.parse("hello, world".getBytes(), null, "text.txt"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("not an ONNX model");
    }

    @Test
    void missingFileIsAnIoError(@TempDir Path dir) {
        assertThatThrownBy(() -> IMPORTER.load(dir.resolve("absent.onnx"))).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).kind()).isEqualTo(Kind.IO));
    }

    @Test
    void tensorDeclaringMoreDataThanItHoldsIsRefused() {
        TensorProto lying = TensorProto.newBuilder().setName("w").setDataType(1).addDims(1000).addDims(1000)
                .setRawData(ByteString.copyFrom(new byte[16])).build();
        ModelProto m = TestModels.model(13, reluGraph().addInitializer(lying)
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("4000000 bytes")
                .hasMessageContaining("raw_data holds 16 bytes");
    }

    @Test
    void tensorAboveTheMemoryLimitIsRefusedBeforeAllocating() {
        // 2^40 floats would be 4 TiB: refused from the declared dims alone.
        TensorProto huge = TensorProto.newBuilder().setName("huge").setDataType(1).addDims(1L << 20).addDims(1L << 20)
                .build();
        ModelProto m = TestModels.model(13, reluGraph().addInitializer(huge)
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).kind()).isEqualTo(Kind.LIMIT))
                .hasMessageContaining("tensor huge").hasMessageContaining("limit");
        OnnxImporter strict = new OnnxImporter(ImportOptions.defaults().withMaxTensorBytes(100), Operators.standard());
        ModelProto small = TestModels.model(13, reluGraph().addInitializer(tensor("w", random(1, 10, 10)))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> strict.parse(small.toByteArray(), null, "m"))
                .hasMessageContaining("declares 400 bytes, more than the limit of 100");
    }

    @Test
    void cycleIsReportedWithTheNodesInIt() {
        ModelProto m = TestModels.model(13, reluGraph()
                .addNode(node("a", "Add", List.of("x", "c"), List.of("b")))
                .addNode(node("r", "Relu", List.of("b"), List.of("c")))
                .addNode(node("out", "Relu", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).kind()).isEqualTo(Kind.INVALID_GRAPH))
                .hasMessageContaining("nodes a, r").hasMessageContaining("cycle");
    }

    @Test
    void danglingInputIsReportedWithItsNode() {
        ModelProto m = TestModels.model(13, reluGraph()
                .addNode(node("add", "Add", List.of("x", "ghost"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("node add: reads ghost, which nothing defines");
    }

    @Test
    void everyUnsupportedOperatorIsListedInOneError() {
        ModelProto m = TestModels.model(13, reluGraph()
                .addNode(node("lrn1", "LRN", List.of("x"), List.of("a")))
                .addNode(node("", "Einsum", List.of("a"), List.of("b")))
                .addNode(node("custom", "Frobnicate", List.of("b"), List.of("y")).toBuilder().setDomain("com.acme")
                        .build()).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> {
                    ModelLoadException le = (ModelLoadException) e;
                    assertThat(le.kind()).isEqualTo(Kind.UNSUPPORTED);
                    assertThat(le.problems()).hasSize(3);
                })
                .hasMessageContaining("3 problems")
                .hasMessageContaining("node lrn1 (LRN): operator LRN is not supported")
                .hasMessageContaining("node Einsum_1 (Einsum): operator Einsum is not supported")
                .hasMessageContaining("node custom (Frobnicate): operator domain com.acme is not supported");
    }

    @Test
    void unsupportedOpsetAndAttributeAreNamed() {
        ModelProto old = TestModels.model(3, reluGraph().addNode(node("r", "Relu", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(old)).hasMessageContaining("opset 3 (supported: 6 to 21)");
        ModelProto wrap = TestModels.model(19, reluGraph()
                .addInitializer(TensorProto.newBuilder().setName("pads").setDataType(7).addDims(2).addInt64Data(1)
                        .addInt64Data(1))
                .addNode(node("pad", "Pad", List.of("x", "pads"), List.of("y"),
                        dev.tamp.model.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("mode").setType(3)
                                .setS(ByteString.copyFromUtf8("wrap")).build())).build());
        assertThatThrownBy(() -> parse(wrap)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("node pad (Pad)").hasMessageContaining("mode wrap");
    }

    @Test
    void externalDataNextToTheModelIsRead(@TempDir Path dir) throws Exception {
        float[] values = {1.5f, -2f, 3.25f};
        ByteBuffer buf = ByteBuffer.allocate(8 + 12).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(0);
        for (float v : values) {
            buf.putFloat(v);
        }
        Files.write(dir.resolve("weights.bin"), buf.array());
        TensorProto external = TensorProto.newBuilder().setName("bias").setDataType(1).addDims(3).setDataLocation(1)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("8"))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("12")).build();
        ModelProto m = TestModels.model(13, reluGraph().addInitializer(external)
                .addNode(node("add", "Add", List.of("x", "bias"), List.of("y"))).build());
        Path file = dir.resolve("m.onnx");
        Files.write(file, m.toByteArray());
        Model model = IMPORTER.load(file);
        assertThat(model.graph().weights().get("bias").representation().materialize().floats())
                .containsExactly(values);
        try (Executor e = Executor.create(model.graph(), 1)) {
            assertThat(e.run(Tensor.ofFloats(new int[] {1, 3}, new float[] {1, 1, 1})).floats())
                    .containsExactly(2.5f, -1f, 4.25f);
        }

        TensorProto tooLong = external.toBuilder().setExternalData(2,
                StringStringEntryProto.newBuilder().setKey("length").setValue("12")).setDims(0, 30).build();
        Files.write(file, TestModels.model(13, reluGraph().addInitializer(tooLong)
                .addNode(node("add", "Add", List.of("x", "bias"), List.of("y"))).build()).toByteArray());
        assertThatThrownBy(() -> IMPORTER.load(file)).hasMessageContaining("tensor bias")
                .hasMessageContaining("declares 120 bytes");

        TensorProto escaping = external.toBuilder().setExternalData(0,
                StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd")).build();
        Files.write(file, TestModels.model(13, reluGraph().addInitializer(escaping)
                .addNode(node("add", "Add", List.of("x", "bias"), List.of("y"))).build()).toByteArray());
        assertThatThrownBy(() -> IMPORTER.load(file)).hasMessageContaining("leaves the model's directory");
    }

    @Test
    void typedInitializerFieldsAndUnnamedNodesAreAccepted() {
        TensorProto typed = TensorProto.newBuilder().setName("bias").setDataType(1).addDims(3)
                .addFloatData(1f).addFloatData(2f).addFloatData(3f).build();
        NodeProto unnamed = node("", "Add", List.of("x", "bias"), List.of("y"));
        Model model = parse(TestModels.model(13, reluGraph().addInitializer(typed).addNode(unnamed).build()));
        assertThat(model.graph().nodeAt(0).name()).isEqualTo("Add_0");
        assertThat(model.graph().weights().get("bias").representation().materialize().floats())
                .containsExactly(1f, 2f, 3f);
    }

    @Test
    void nodesOutOfOrderAreSortedTopologically() {
        ModelProto m = TestModels.model(13, reluGraph()
                .addNode(node("second", "Relu", List.of("a"), List.of("y")))
                .addNode(node("first", "Neg", List.of("x"), List.of("a"))).build());
        assertThat(parse(m).graph().nodes()).extracting(n -> n.name()).containsExactly("first", "second");
    }

    @Test
    void invalidArityIsAnInvalidGraphNamingTheNode() {
        ModelProto m = TestModels.model(13, reluGraph()
                .addNode(node("gemm", "Gemm", List.of("x"), List.of("y"))).build());
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(((ModelLoadException) e).kind()).isEqualTo(Kind.INVALID_GRAPH))
                .hasMessageContaining("node gemm (Gemm)");
    }
}
