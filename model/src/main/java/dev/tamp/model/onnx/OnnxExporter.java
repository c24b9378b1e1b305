package dev.tamp.model.onnx;

import com.google.protobuf.ByteString;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.proto.OnnxProtos.AttributeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.NodeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TypeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the IR as a standard ONNX model that any runtime can load. Every weight representation is written in a
 * form plain ONNX understands; for {@link Dense} that is an initializer with raw little-endian data. The output is
 * deterministic: the same IR always gives the same bytes.
 */
public final class OnnxExporter {
    private OnnxExporter() {}

    /** The lowest ONNX IR version that allows the given default-domain opset, so older runtimes still load it. */
    static long irVersionFor(int opset) {
        if (opset <= 8) {
            return 3;
        }
        if (opset <= 11) {
            return opset - 5;
        }
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        if (opset <= 20) {
            return 9;
        }
        return 10;
    }

    public static byte[] toBytes(Model model) {
        return toProto(model).toByteArray();
    }

    public static void write(Model model, Path file) {
        try {
            Files.write(file, toBytes(model));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static ModelProto toProto(Model model) {
        Graph g = model.graph();
        return ModelProto.newBuilder()
                .setIrVersion(irVersionFor(g.opsetVersion()))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(g.opsetVersion()))
                .setProducerName("tamp")
                .setProducerVersion("0.1.0")
                .setGraph(graph(g))
                .build();
    }

    private static GraphProto graph(Graph g) {
        GraphProto.Builder b = GraphProto.newBuilder().setName(g.name().isEmpty() ? "tamp" : g.name());
        for (Node n : g.nodes()) {
            b.addNode(node(n));
        }
        for (Weight w : g.weights().values()) {
            b.addInitializer(initializer(w));
        }
        for (ValueInfo v : g.inputs()) {
            b.addInput(valueInfo(v));
        }
        for (ValueInfo v : g.outputs()) {
            b.addOutput(valueInfo(v));
        }
        return b.build();
    }

    private static TensorProto initializer(Weight w) {
        Representation r = w.representation();
        // Compressed representations (sparse, codebook, quantized, factored) will be written here in standard
        // ONNX form: densified, int8 with DequantizeLinear, or two Gemms. Dense is the only one so far.
        if (r instanceof Dense d) {
            return TensorCodec.encode(w.name(), d.tensor());
        }
        throw new IllegalStateException("no ONNX form for representation " + r.kind());
    }

    private static NodeProto node(Node n) {
        NodeProto.Builder b = NodeProto.newBuilder().setName(n.name()).setOpType(n.opType())
                .addAllInput(n.inputs()).addAllOutput(n.outputs());
        for (Map.Entry<String, AttributeValue> e : n.attributes().values().entrySet()) {
            b.addAttribute(attribute(e.getKey(), e.getValue()));
        }
        return b.build();
    }

    private static AttributeProto attribute(String name, AttributeValue v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name);
        if (v instanceof AttributeValue.Int i) {
            b.setType(2).setI(i.value());
        } else if (v instanceof AttributeValue.Float f) {
            b.setType(1).setF(f.value());
        } else if (v instanceof AttributeValue.Str s) {
            b.setType(3).setS(ByteString.copyFrom(s.value(), StandardCharsets.UTF_8));
        } else if (v instanceof AttributeValue.Ints is) {
            b.setType(7).addAllInts(is.values());
        } else if (v instanceof AttributeValue.Floats fs) {
            b.setType(6).addAllFloats(fs.values());
        } else if (v instanceof AttributeValue.Strs ss) {
            b.setType(8);
            ss.values().forEach(s -> b.addStrings(ByteString.copyFrom(s, StandardCharsets.UTF_8)));
        } else if (v instanceof AttributeValue.TensorValue t) {
            b.setType(4).setT(TensorCodec.encode("", t.tensor()));
        } else {
            throw new IllegalStateException("unknown attribute value " + v);
        }
        return b.build();
    }

    private static ValueInfoProto valueInfo(ValueInfo v) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim d : v.shape().dims()) {
            TensorShapeProto.Dimension.Builder db = TensorShapeProto.Dimension.newBuilder();
            if (d.isKnown()) {
                db.setDimValue(d.size());
            } else if (d.symbol() != null) {
                db.setDimParam(d.symbol());
            }
            shape.addDim(db);
        }
        return ValueInfoProto.newBuilder().setName(v.name())
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(v.type().onnxCode()).setShape(shape)))
                .build();
    }
}
