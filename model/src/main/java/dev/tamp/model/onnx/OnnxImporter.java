package dev.tamp.model.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.transform.BatchNormFolding;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.ModelLoadException.Kind;
import dev.tamp.model.onnx.ModelLoadException.Problem;
import dev.tamp.model.onnx.proto.OnnxProtos.AttributeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.GraphProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.NodeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorProto;
import dev.tamp.model.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.tamp.model.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.ShapeInference;
import dev.tamp.model.ops.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** Reads an ONNX model file into the tamp IR, or fails with one {@link ModelLoadException} that says why. */
public final class OnnxImporter {
    private final ImportOptions options;
    private final Operators operators;

    public OnnxImporter(ImportOptions options, Operators operators) {
        this.options = options;
        this.operators = operators;
    }

    public static OnnxImporter withDefaults() {
        return new OnnxImporter(ImportOptions.defaults(), Operators.standard());
    }

    /** Loads a model file; external data files are resolved next to it. */
    public Model load(Path file) {
        String source = file.toString();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw ModelLoadException.of(Kind.IO, source, "", "cannot read: " + e, e);
        }
        if (size > options.maxFileBytes()) {
            throw ModelLoadException.of(Kind.LIMIT, source, "", "file has " + size + " bytes, more than the limit of "
                    + options.maxFileBytes());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ModelLoadException.of(Kind.IO, source, "", "cannot read: " + e, e);
        }
        return parse(bytes, file.toAbsolutePath().getParent(), source);
    }

    /** Parses model bytes; {@code baseDir} locates external data and may be null when there is none. */
    public Model parse(byte[] bytes, Path baseDir, String source) {
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw ModelLoadException.of(Kind.MALFORMED, source, "",
                    "not an ONNX model (truncated or corrupt protobuf: " + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw ModelLoadException.of(Kind.IO, source, "", "cannot read: " + e, e);
        }
        if (!proto.hasGraph() || proto.getIrVersion() <= 0) {
            throw ModelLoadException.of(Kind.MALFORMED, source, "",
                    "not an ONNX model (no " + (proto.hasGraph() ? "ir_version" : "graph") + ")");
        }
        Graph graph = convertGraph(proto.getGraph(), proto, baseDir, source);
        if (options.foldBatchNorm()) {
            graph = BatchNormFolding.fold(graph);
        }
        return new Model(graph, proto.getProducerName(), proto.getProducerVersion(), proto.getIrVersion());
    }

    private int defaultOpset(ModelProto proto, String source) {
        Integer version = null;
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (isDefaultDomain(id.getDomain())) {
                version = (int) id.getVersion();
            }
        }
        if (version == null) {
            // IR version 3 and older models may omit the import; ONNX then means opset 1, which tamp does not cover.
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, "", "no opset import for the default ONNX domain");
        }
        if (version < Operators.MIN_OPSET || version > Operators.MAX_OPSET) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, "", "opset " + version + " (supported: "
                    + Operators.MIN_OPSET + " to " + Operators.MAX_OPSET + ")");
        }
        return version;
    }

    private static boolean isDefaultDomain(String domain) {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    private Graph convertGraph(GraphProto g, ModelProto model, Path baseDir, String source) {
        List<String> names = nodeNames(g);
        Map<String, NodeProto> dequantizeByCodes = constantDequantizeNodes(g);
        Set<String> foldedInputs = foldedInitializers(g, dequantizeByCodes.values());
        // Operators first: a model full of unsupported nodes gets one error listing all of them, before any of their
        // attributes or weights (quantized types, subgraphs) can fail on their own.
        List<Problem> unsupported = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String where = "node " + names.get(i) + " (" + n.getOpType() + ")";
            if (dequantizeByCodes.containsValue(n)) {
                continue;
            }
            if (!isDefaultDomain(n.getDomain())) {
                unsupported.add(new Problem(where, "operator domain " + n.getDomain() + " is not supported"));
            } else if (n.getOpType().equals("DequantizeLinear")) {
                unsupported.add(new Problem(where, "DequantizeLinear is supported only over constant INT8 or UINT8"
                        + " data (a quantized weight), not over computed or other-typed inputs"));
            } else if (operators.find(n.getOpType()).isEmpty()) {
                unsupported.add(new Problem(where, "operator " + n.getOpType() + " is not supported"));
            }
        }
        if (!unsupported.isEmpty()) {
            throw new ModelLoadException(Kind.UNSUPPORTED, source, unsupported, null);
        }
        TensorCodec.Budget budget = new TensorCodec.Budget(options);
        Map<String, Weight> weights = new LinkedHashMap<>();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            if (t.getName().isEmpty()) {
                throw ModelLoadException.of(Kind.MALFORMED, source, "", "initializer without a name");
            }
            if (initializers.put(t.getName(), t) != null) {
                throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "initializer " + t.getName(), "defined twice");
            }
        }
        int opsetForFolding = defaultOpsetOrZero(model);
        for (TensorProto t : g.getInitializerList()) {
            NodeProto dq = dequantizeByCodes.get(t.getName());
            if (dq != null) {
                Weight folded = foldDequantize(dq, initializers, opsetForFolding, baseDir, source, budget);
                if (weights.containsKey(folded.name()) || initializers.containsKey(folded.name())) {
                    throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "tensor " + folded.name(), "defined twice");
                }
                weights.put(folded.name(), folded);
            }
            if (!foldedInputs.contains(t.getName())) {
                weights.put(t.getName(), Weight.dense(t.getName(), TensorCodec.decode(t, baseDir, source, budget)));
            }
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(valueInfo(v, source));
            }
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            if (dequantizeByCodes.containsValue(n)) {
                continue;
            }
            String name = names.get(i);
            String where = "node " + name + " (" + n.getOpType() + ")";
            if (n.getOutputCount() == 0) {
                throw ModelLoadException.of(Kind.INVALID_GRAPH, source, where, "has no outputs");
            }
            nodes.add(new Node(name, n.getOpType(), n.getInputList(), n.getOutputList(),
                    attributes(n, where, source, baseDir, budget)));
        }
        // Checked after the operators so that a model in another domain reports its operators, not a missing import.
        int opset = defaultOpset(model, source);
        List<Node> sorted = topologicalOrder(nodes, inputs, weights, source);
        Map<String, ValueInfo> values;
        try {
            values = ShapeInference.symbolic(inputs, weights, sorted, opset, operators);
        } catch (ShapeInference.NodeFailure e) {
            Node n = e.node();
            String where = "node " + n.name() + " (" + n.opType() + ")";
            Kind kind = e.getCause() instanceof UnsupportedFeatureException ? Kind.UNSUPPORTED : Kind.INVALID_GRAPH;
            throw ModelLoadException.of(kind, source, where, e.getMessage(), e.getCause());
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.getOutputList()) {
            ValueInfo inferred = values.get(v.getName());
            if (inferred == null) {
                throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "output " + v.getName(), "is never computed");
            }
            outputs.add(inferred);
        }
        try {
            return new Graph(g.getName(), opset, inputs, outputs, sorted, weights, values);
        } catch (IllegalArgumentException e) {
            throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "", e.getMessage(), e);
        }
    }

    /**
     * {@code DequantizeLinear} nodes whose inputs are all initializers, by the name of their quantized input: each is a
     * weight stored quantized, folded into an {@link AffineQuantized} weight named by the node's output.
     */
    private static Map<String, NodeProto> constantDequantizeNodes(GraphProto g) {
        Map<String, TensorProto> initializers = new HashMap<>();
        g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, NodeProto> out = new LinkedHashMap<>();
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("DequantizeLinear") || !isDefaultDomain(n.getDomain())
                    || n.getOutputCount() != 1 || n.getInputCount() < 2 || n.getInputCount() > 3) {
                continue;
            }
            boolean constant = n.getInputList().stream().allMatch(initializers::containsKey);
            TensorProto codes = initializers.get(n.getInput(0));
            if (constant && (codes.getDataType() == DataType.INT8.onnxCode()
                    || codes.getDataType() == DataType.UINT8.onnxCode()) && !out.containsKey(n.getInput(0))) {
                out.put(n.getInput(0), n);
            }
        }
        return out;
    }

    /** Initializers read only by folded DequantizeLinear nodes: they live on inside the folded weights only. */
    private static Set<String> foldedInitializers(GraphProto g, java.util.Collection<NodeProto> folded) {
        Set<String> candidates = new HashSet<>();
        folded.forEach(n -> candidates.addAll(n.getInputList()));
        for (NodeProto n : g.getNodeList()) {
            if (!folded.contains(n)) {
                n.getInputList().forEach(candidates::remove);
            }
        }
        g.getOutputList().forEach(o -> candidates.remove(o.getName()));
        return candidates;
    }

    private static int defaultOpsetOrZero(ModelProto proto) {
        int version = 0;
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            if (isDefaultDomain(id.getDomain())) {
                version = (int) id.getVersion();
            }
        }
        return version;
    }

    /**
     * Folds {@code y = DequantizeLinear(x, scale, zero_point)} over constants into an {@link AffineQuantized} weight
     * {@code y}, following ONNX: a scalar scale is per tensor, a 1-D one (opset 13+) per slice along {@code axis}
     * (default 1); the zero point defaults to 0. The bit width is the narrowest from 2 to 8 that holds every code
     * and zero point, so codes tamp wrote at under 8 bits come back at their width.
     */
    private static Weight foldDequantize(NodeProto n, Map<String, TensorProto> initializers, int opset, Path baseDir,
            String source, TensorCodec.Budget budget) {
        String where = "node " + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + " (DequantizeLinear)";
        long axis = 1;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("axis")) {
                axis = a.getI();
            } else if (!(a.getName().equals("block_size") && a.getI() == 0)) {
                throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "attribute " + a.getName());
            }
        }
        if (opset < 10) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "DequantizeLinear before opset 10");
        }
        TensorCodec.ByteCodes x = TensorCodec.decodeBytes(initializers.get(n.getInput(0)), baseDir, source, budget);
        Tensor scale = TensorCodec.decode(initializers.get(n.getInput(1)), baseDir, source, budget);
        if (scale.type() != DataType.FLOAT) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "scale of type " + scale.type());
        }
        int[] zeroPoints;
        if (n.getInputCount() == 3 && !n.getInput(2).isEmpty()) {
            TensorCodec.ByteCodes zp = TensorCodec.decodeBytes(initializers.get(n.getInput(2)), baseDir, source,
                    budget);
            if (zp.type() != x.type() || zp.dims().length != scale.rank() || zp.values().length != scale.size()) {
                throw ModelLoadException.of(Kind.INVALID_GRAPH, source, where,
                        "zero point must have the scale's shape and the data's type");
            }
            zeroPoints = zp.values();
        } else {
            zeroPoints = new int[scale.size()];
        }
        int rank = x.dims().length;
        int channelAxis = -1;
        if (scale.rank() == 1 && opset >= 13) {
            long a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank || x.dims()[(int) a] != scale.size()) {
                throw ModelLoadException.of(Kind.INVALID_GRAPH, source, where, "1-D scale of " + scale.size()
                        + " elements does not match axis " + axis + " of " + java.util.Arrays.toString(x.dims()));
            }
            channelAxis = (int) a;
        } else if (scale.size() != 1 || scale.rank() > 1) {
            throw ModelLoadException.of(Kind.INVALID_GRAPH, source, where, "scale must be a scalar"
                    + (opset >= 13 ? " or 1-D" : " before opset 13"));
        }
        boolean signed = x.type() == DataType.INT8;
        int lo = 0;
        int hi = 0;
        for (int[] values : new int[][] {x.values(), zeroPoints}) {
            for (int v : values) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        int bits = 2;
        while (bits < 8 && (signed ? lo < -(1 << (bits - 1)) || hi > (1 << (bits - 1)) - 1 : hi > (1 << bits) - 1)) {
            bits++;
        }
        try {
            return new Weight(n.getOutput(0), new AffineQuantized(x.dims(), bits, signed, channelAxis,
                    scale.floats(), zeroPoints, x.values()));
        } catch (IllegalArgumentException e) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, e.getMessage(), e);
        }
    }

    /** Node names as in the file, with unnamed or repeated ones replaced by a stable {@code OpType_index}. */
    private static List<String> nodeNames(GraphProto g) {
        Set<String> used = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (!n.getName().isEmpty()) {
                used.add(n.getName());
            }
        }
        Set<String> taken = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            String name = n.getName();
            if (name.isEmpty() || taken.contains(name)) {
                // Exporters may leave nodes unnamed; a stable generated name keeps them addressable.
                String base = n.getOpType() + "_" + i;
                name = base;
                for (int k = 1; used.contains(name) || taken.contains(name); k++) {
                    name = base + "_" + k;
                }
            }
            taken.add(name);
            names.add(name);
        }
        return names;
    }

    private static ValueInfo valueInfo(ValueInfoProto v, String source) {
        String where = "input " + v.getName();
        if (!v.hasType() || !v.getType().hasTensorType()) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "is not a tensor");
        }
        var tt = v.getType().getTensorType();
        DataType type = DataType.fromOnnxCode(tt.getElemType()).orElseThrow(() -> ModelLoadException.of(
                Kind.UNSUPPORTED, source, where, "unknown element type code " + tt.getElemType()));
        if (!tt.hasShape()) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "has no declared rank");
        }
        List<Dim> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            if (d.hasDimValue()) {
                if (d.getDimValue() < 0 || d.getDimValue() > Integer.MAX_VALUE) {
                    throw ModelLoadException.of(Kind.MALFORMED, source, where, "invalid dimension " + d.getDimValue());
                }
                dims.add(Dim.of(d.getDimValue()));
            } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                dims.add(Dim.symbolic(d.getDimParam()));
            } else {
                dims.add(Dim.unknown());
            }
        }
        return new ValueInfo(v.getName(), type, new Shape(dims));
    }

    private static Attributes attributes(NodeProto n, String where, String source, Path baseDir,
            TensorCodec.Budget budget) {
        Map<String, AttributeValue> values = new HashMap<>();
        for (AttributeProto a : n.getAttributeList()) {
            AttributeValue v = attribute(a, where, source, baseDir, budget);
            if (v != null) {
                values.put(a.getName(), v);
            }
        }
        return new Attributes(values);
    }

    private static AttributeValue attribute(AttributeProto a, String where, String source, Path baseDir,
            TensorCodec.Budget budget) {
        if (!a.getRefAttrName().isEmpty()) {
            throw ModelLoadException.of(Kind.UNSUPPORTED, source, where, "attribute references (functions)");
        }
        int type = a.getType();
        if (type == 0) {
            // Producers before ONNX 1.1 did not set the type; the field that is present says it.
            type = a.hasF() ? 1 : a.hasI() ? 2 : a.hasS() ? 3 : a.hasT() ? 4 : a.hasG() ? 5 : a.getFloatsCount() > 0 ? 6
                    : a.getIntsCount() > 0 ? 7 : a.getStringsCount() > 0 ? 8 : 0;
        }
        switch (type) {
            case 1:
                return new AttributeValue.Float(a.getF());
            case 2:
                return new AttributeValue.Int(a.getI());
            case 3:
                return new AttributeValue.Str(a.getS().toString(StandardCharsets.UTF_8));
            case 4:
                try {
                    Tensor t = TensorCodec.decode(a.getT(), baseDir, source, budget);
                    return new AttributeValue.TensorValue(t);
                } catch (ModelLoadException e) {
                    if (e.kind() == Kind.UNSUPPORTED) {
                        throw ModelLoadException.of(Kind.UNSUPPORTED, source, where,
                                "attribute " + a.getName() + ": " + e.problems().get(0).message());
                    }
                    throw e;
                }
            case 6:
                return new AttributeValue.Floats(a.getFloatsList());
            case 7:
                return new AttributeValue.Ints(a.getIntsList());
            case 8:
                return new AttributeValue.Strs(a.getStringsList().stream()
                        .map(s -> s.toString(StandardCharsets.UTF_8)).toList());
            default:
                throw ModelLoadException.of(Kind.UNSUPPORTED, source, where,
                        "attribute " + a.getName() + " of type " + type + " (graphs, sparse tensors, type protos)");
        }
    }

    /**
     * Orders nodes so that each runs after the nodes it reads from, keeping the file's order where it already is
     * valid; reports tensors nobody defines and cycles.
     */
    private static List<Node> topologicalOrder(List<Node> nodes, List<ValueInfo> inputs, Map<String, Weight> weights,
            String source) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (producer.put(out, i) != null || weights.containsKey(out)
                        || inputs.stream().anyMatch(v -> v.name().equals(out))) {
                    throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "node " + nodes.get(i).name(),
                            "defines tensor " + out + ", which is already defined");
                }
            }
        }
        Set<String> external = new HashSet<>(weights.keySet());
        inputs.forEach(v -> external.add(v.name()));
        List<Problem> dangling = new ArrayList<>();
        int[] pending = new int[nodes.size()];
        Map<Integer, List<Integer>> readers = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Set<Integer> deps = new HashSet<>();
            for (String in : nodes.get(i).inputs()) {
                if (in.isEmpty() || external.contains(in)) {
                    continue;
                }
                Integer p = producer.get(in);
                if (p == null) {
                    dangling.add(new Problem("node " + nodes.get(i).name(), "reads " + in + ", which nothing defines"));
                } else if (deps.add(p)) {
                    readers.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                }
            }
            pending[i] = deps.size();
        }
        if (!dangling.isEmpty()) {
            throw new ModelLoadException(Kind.INVALID_GRAPH, source, dangling, null);
        }
        // Kahn's algorithm with a queue ordered by file position: deterministic, and the identity on sorted input.
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> sorted = new ArrayList<>();
        while (!ready.isEmpty()) {
            int i = ready.poll();
            sorted.add(nodes.get(i));
            for (int r : readers.getOrDefault(i, List.of())) {
                if (--pending[r] == 0) {
                    ready.add(r);
                }
            }
        }
        if (sorted.size() < nodes.size()) {
            Deque<String> stuck = new ArrayDeque<>();
            for (int i = 0; i < nodes.size(); i++) {
                if (pending[i] > 0) {
                    stuck.add(nodes.get(i).name());
                }
            }
            throw ModelLoadException.of(Kind.INVALID_GRAPH, source, "nodes " + String.join(", ", stuck),
                    "form a cycle (or depend on one)");
        }
        return sorted;
    }
}
