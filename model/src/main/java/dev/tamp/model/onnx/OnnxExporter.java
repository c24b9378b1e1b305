package dev.tamp.model.onnx;

import com.google.protobuf.ByteString;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the IR as a standard ONNX model that any runtime can load. Every weight representation is written in a
 * form plain ONNX understands: {@link Dense} as an initializer with raw little-endian data, {@link AffineQuantized} as
 * INT8/UINT8 codes feeding a {@code DequantizeLinear}, {@link Factored} as two chained Gemm or MatMul layers, and the
 * others densified. The output is deterministic: the same IR always gives the same bytes.
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
        Names names = new Names(g);
        List<NodeProto> dequantize = new ArrayList<>();
        Map<String, Factored> factored = new LinkedHashMap<>();
        for (Weight w : g.weights().values()) {
            Representation r = w.representation();
            if (r instanceof AffineQuantized q && canDequantize(q, g.opsetVersion())) {
                dequantize.add(dequantizeLinear(w.name(), q, names, b));
            } else if (r instanceof Factored f && factorConsumer(g, w.name(), f).isPresent()) {
                factored.put(w.name(), f);
            } else {
                b.addInitializer(initializer(w));
            }
        }
        // DequantizeLinear reads only initializers, so ahead of every layer is a valid topological position.
        b.addAllNode(dequantize);
        for (Node n : g.nodes()) {
            String factoredWeight = n.inputs().size() > 1 ? n.input(1) : "";
            Factored f = factored.get(factoredWeight);
            if (f == null) {
                b.addNode(node(n));
            } else {
                twoFactorNodes(n, factoredWeight, f, names, b);
            }
        }
        for (ValueInfo v : g.inputs()) {
            b.addInput(valueInfo(v));
        }
        for (ValueInfo v : g.outputs()) {
            b.addOutput(valueInfo(v));
        }
        return b.build();
    }

    /**
     * The one place that writes each representation as an initializer: the dense tensor it stands for. Sparse,
     * sparse-codebook, Huffman-coded,
     * codebook, circulant, block-circulant and hashed weights, and quantized or factored weights that have no
     * standard form where they are used, are written densified; ONNX has no operator that reads those encodings
     * (a codebook as {@code Gather} would need int32 or int64 indices, four bytes or more per weight, no smaller than
     * the float32 it replaces).
     */
    private static TensorProto initializer(Weight w) {
        Representation r = w.representation();
        if (r instanceof Dense d) {
            return TensorCodec.encode(w.name(), d.tensor());
        }
        return TensorCodec.encode(w.name(), r.materialize());
    }

    /** DequantizeLinear exists from opset 10; its {@code axis} (per-channel scales) from opset 13. */
    static boolean canDequantize(AffineQuantized q, int opset) {
        return opset >= (q.perChannel() ? 13 : 10);
    }

    /**
     * Writes a quantized weight as its codes (INT8 for signed, UINT8 for unsigned codes, one byte per code whatever
     * the bit width), scale and zero point initializers and a {@code DequantizeLinear} node whose output has the
     * weight's name, so the layers reading it are unchanged.
     */
    private static NodeProto dequantizeLinear(String weight, AffineQuantized q, Names names, GraphProto.Builder b) {
        String codes = names.fresh(weight + "_quantized");
        String scale = names.fresh(weight + "_scale");
        String zeroPoint = names.fresh(weight + "_zero_point");
        int[] channelDims = q.perChannel() ? new int[] {q.scales().length} : new int[0];
        b.addInitializer(TensorCodec.encodeBytes(codes, q.signed() ? DataType.INT8 : DataType.UINT8, q.dims(),
                q.codes()));
        b.addInitializer(TensorCodec.encode(scale, Tensor.ofFloats(channelDims, q.scales())));
        b.addInitializer(TensorCodec.encodeBytes(zeroPoint, q.signed() ? DataType.INT8 : DataType.UINT8, channelDims,
                q.zeroPoints()));
        NodeProto.Builder n = NodeProto.newBuilder().setName(names.fresh(weight + "_DequantizeLinear"))
                .setOpType("DequantizeLinear").addInput(codes).addInput(scale).addInput(zeroPoint).addOutput(weight);
        if (q.perChannel()) {
            n.addAttribute(attribute("axis", new AttributeValue.Int(q.axis())));
        }
        return n.build();
    }

    /**
     * The layer a factored weight can be written for as two chained layers: its only reader, a Gemm reading it as
     * {@code B} with the orientation its layout names, or a MatMul reading a 2-D weight as its right operand.
     */
    static Optional<Node> factorConsumer(Graph g, String weight, Factored f) {
        List<Node> readers = g.consumersOf(weight);
        if (readers.size() != 1 || f.dims().length != 2
                || g.outputs().stream().anyMatch(o -> o.name().equals(weight))) {
            return Optional.empty();
        }
        Node n = readers.get(0);
        if (!n.input(1).equals(weight) || n.input(0).equals(weight) || n.input(2).equals(weight)) {
            return Optional.empty();
        }
        boolean transB = n.attributes().getInt("transB", 0) != 0;
        boolean fits = switch (n.opType()) {
            case "Gemm" -> f.layout() == (transB ? Factored.Layout.OUTPUT_BY_INPUT : Factored.Layout.INPUT_BY_OUTPUT);
            case "MatMul" -> f.layout() == Factored.Layout.INPUT_BY_OUTPUT;
            default -> false;
        };
        return fits ? Optional.of(n) : Optional.empty();
    }

    /**
     * Replaces {@code y = op(x, W)} with {@code W = U V} by two layers of the same type. Gemm with {@code transB=1}
     * ({@code W} is {@code [out, in]}): {@code t = alpha * A' V^T}, then {@code y = t U^T + beta * C}; with
     * {@code transB=0} and for MatMul ({@code W} is {@code [in, out]}): {@code t = x U}, then {@code y = t V (+ C)}.
     * The second layer keeps the original name, output and bias.
     */
    private static void twoFactorNodes(Node n, String weight, Factored f, Names names, GraphProto.Builder b) {
        String u = names.fresh(weight + "_U");
        String v = names.fresh(weight + "_V");
        b.addInitializer(TensorCodec.encode(u, f.uTensor()));
        b.addInitializer(TensorCodec.encode(v, f.vTensor()));
        boolean outByIn = f.layout() == Factored.Layout.OUTPUT_BY_INPUT;
        String first = outByIn ? v : u;
        String second = outByIn ? u : v;
        String hidden = names.fresh(n.output(0) + "_low_rank");
        NodeProto.Builder a = NodeProto.newBuilder().setName(names.fresh(n.name() + "_low_rank"))
                .setOpType(n.opType()).addInput(n.input(0)).addInput(first).addOutput(hidden);
        NodeProto.Builder c = NodeProto.newBuilder().setName(n.name()).setOpType(n.opType()).addInput(hidden)
                .addInput(second).addAllOutput(n.outputs());
        if (n.opType().equals("Gemm")) {
            if (n.hasInput(2)) {
                c.addInput(n.input(2));
            }
            Attributes at = n.attributes();
            long transB = outByIn ? 1 : 0;
            a.addAttribute(attribute("transA", new AttributeValue.Int(at.getInt("transA", 0))))
                    .addAttribute(attribute("transB", new AttributeValue.Int(transB)))
                    .addAttribute(attribute("alpha", new AttributeValue.Float(at.getFloat("alpha", 1f))));
            c.addAttribute(attribute("transB", new AttributeValue.Int(transB)))
                    .addAttribute(attribute("beta", new AttributeValue.Float(at.getFloat("beta", 1f))));
        }
        b.addNode(a).addNode(c);
    }

    /** Tensor and node names already taken, so the names the exporter invents never collide. */
    private static final class Names {
        private final Set<String> used = new HashSet<>();

        Names(Graph g) {
            used.addAll(g.weights().keySet());
            used.addAll(g.values().keySet());
            g.inputs().forEach(v -> used.add(v.name()));
            for (Node n : g.nodes()) {
                used.add(n.name());
                used.addAll(n.outputs());
            }
        }

        String fresh(String base) {
            String name = base;
            for (int k = 1; !used.add(name); k++) {
                name = base + "_" + k;
            }
            return name;
        }
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
