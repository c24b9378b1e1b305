package dev.tamp.model.ops;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Types and shapes of every tensor in a graph. Shape functions work on concrete sizes, so symbolic dimensions are
 * handled by inferring twice with different stand-in sizes: a dimension that changes with the stand-in depends on
 * the symbol.
 */
public final class ShapeInference {
    /** A node whose checks or shape function failed, with the failure. */
    public static final class NodeFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Node node;

        NodeFailure(Node node, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.node = node;
        }

        public Node node() {
            return node;
        }
    }

    private ShapeInference() {}

    /** Stand-in sizes for the second pass; primes above any plausible small real size keep collisions unlikely. */
    private static final int[] STAND_INS = {997, 991, 983, 977, 971, 967, 953, 947};

    /** Constant tensors visible to shape functions: weights and the outputs of Constant nodes. */
    public static Map<String, Tensor> constants(Map<String, Weight> weights, List<Node> nodes, int opset) {
        Map<String, Tensor> constants = new HashMap<>();
        weights.forEach((name, w) -> constants.put(name, w.representation().materialize()));
        for (Node n : nodes) {
            if (n.opType().equals("Constant")) {
                constants.put(n.outputs().get(0), ShapeOps.value(NodeContext.of(n, opset)));
            }
        }
        return constants;
    }

    public static NodeContext context(Node node, int opset, Map<String, Tensor> constants) {
        List<Tensor> values = new ArrayList<>();
        for (String in : node.inputs()) {
            values.add(in.isEmpty() ? null : constants.get(in));
        }
        return new NodeContext(node, opset, values);
    }

    /**
     * Concrete types of every tensor when each graph input has the given dimensions.
     *
     * @throws NodeFailure naming the first node that cannot be typed
     */
    public static Map<String, TensorType> concrete(Map<String, TensorType> inputTypes, Map<String, Weight> weights,
            List<Node> nodes, int opset, Operators ops) {
        Map<String, TensorType> types = new LinkedHashMap<>(inputTypes);
        weights.forEach((name, w) -> types.put(name,
                new TensorType(w.representation().dataType(), w.representation().dims())));
        // Constants plus int64 values computed from shapes in this pass (Shape -> Gather -> ... -> Reshape).
        Map<String, Tensor> known = constants(weights, nodes, opset);
        for (Node node : nodes) {
            try {
                Operator op = ops.find(node.opType())
                        .orElseThrow(() -> new UnsupportedFeatureException("operator " + node.opType()));
                List<TensorType> in = new ArrayList<>();
                for (String name : node.inputs()) {
                    in.add(name.isEmpty() ? null : types.get(name));
                }
                NodeContext ctx = context(node, opset, known);
                List<TensorType> out = op.infer(ctx, in);
                for (int i = 0; i < node.outputs().size() && i < out.size(); i++) {
                    if (!node.outputs().get(i).isEmpty()) {
                        types.put(node.outputs().get(i), out.get(i));
                    }
                }
                evaluateShapeArithmetic(node, ctx, op, in, out, known);
            } catch (NodeFailure e) {
                throw e;
            } catch (RuntimeException e) {
                throw new NodeFailure(node, e);
            }
        }
        return types;
    }

    /** Largest int64 tensor evaluated during inference; shape arithmetic deals in vectors of a few elements. */
    private static final long MAX_EVALUATED_ELEMENTS = 1024;

    private static void evaluateShapeArithmetic(Node node, NodeContext ctx, Operator op, List<TensorType> in,
            List<TensorType> out, Map<String, Tensor> known) {
        if (out.size() != 1 || out.get(0).type() != DataType.INT64 || known.containsKey(node.output(0))
                || out.get(0).elementCount() > MAX_EVALUATED_ELEMENTS) {
            return;
        }
        if (node.opType().equals("Shape")) {
            known.put(node.output(0), ShapeArithmeticOps.of(ctx, in.get(0).dims()));
            return;
        }
        Tensor[] args = new Tensor[node.inputs().size()];
        for (int i = 0; i < args.length; i++) {
            String name = node.input(i);
            if (name.isEmpty()) {
                continue;
            }
            args[i] = known.get(name);
            if (args[i] == null) {
                return;
            }
        }
        known.put(node.output(0), op.prepare(ctx).run(args, Parallelism.sequential())[0]);
    }

    /** Symbolic types of every tensor; graph input dimensions that are not known keep their symbol. */
    public static Map<String, ValueInfo> symbolic(List<ValueInfo> inputs, Map<String, Weight> weights,
            List<Node> nodes, int opset, Operators ops) {
        // Each unknown input dimension gets a key: its symbol, or "?k" for the k-th anonymous one.
        Map<String, String[]> keys = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        int anonymous = 0;
        for (ValueInfo in : inputs) {
            if (weights.containsKey(in.name())) {
                continue;
            }
            String[] k = new String[in.shape().rank()];
            for (int i = 0; i < k.length; i++) {
                Dim d = in.shape().dims().get(i);
                if (!d.isKnown()) {
                    k[i] = d.symbol() != null ? d.symbol() : "?" + anonymous++;
                    if (!names.contains(k[i])) {
                        names.add(k[i]);
                    }
                }
            }
            keys.put(in.name(), k);
        }
        Map<String, TensorType> ones = concrete(bind(inputs, keys, names, false), weights, nodes, opset, ops);
        Map<String, TensorType> others = names.isEmpty() ? ones
                : concrete(bind(inputs, keys, names, true), weights, nodes, opset, ops);
        Map<String, ValueInfo> values = new LinkedHashMap<>();
        for (Map.Entry<String, TensorType> e : ones.entrySet()) {
            TensorType a = e.getValue();
            TensorType b = others.get(e.getKey());
            List<Dim> dims = new ArrayList<>();
            for (int i = 0; i < a.rank(); i++) {
                int da = a.dim(i);
                int db = b.rank() == a.rank() ? b.dim(i) : -1;
                dims.add(da == db ? Dim.of(da) : dependentDim(da, db, names));
            }
            values.put(e.getKey(), new ValueInfo(e.getKey(), a.type(), new Shape(dims)));
        }
        return values;
    }

    private static Dim dependentDim(int withOnes, int withStandIns, List<String> names) {
        for (int s = 0; s < names.size(); s++) {
            int standIn = STAND_INS[s % STAND_INS.length];
            if ((long) withOnes * standIn == withStandIns) {
                String name = names.get(s);
                if (name.startsWith("?")) {
                    return Dim.unknown();
                }
                return Dim.symbolic(withOnes == 1 ? name : name + "*" + withOnes);
            }
        }
        return Dim.unknown();
    }

    private static Map<String, TensorType> bind(List<ValueInfo> inputs, Map<String, String[]> keys,
            List<String> names, boolean standIns) {
        Map<String, TensorType> types = new LinkedHashMap<>();
        for (ValueInfo in : inputs) {
            String[] k = keys.get(in.name());
            if (k == null) {
                continue;
            }
            int[] dims = new int[k.length];
            for (int i = 0; i < dims.length; i++) {
                Dim d = in.shape().dims().get(i);
                if (d.isKnown()) {
                    dims[i] = Math.toIntExact(d.size());
                } else {
                    dims[i] = standIns ? STAND_INS[names.indexOf(k[i]) % STAND_INS.length] : 1;
                }
            }
            types.put(in.name(), new TensorType(in.type(), dims));
        }
        return types;
    }

    /** Concrete types of a typed graph with every symbolic dimension set to {@code size} (1 for per-image costs). */
    public static Map<String, TensorType> withSymbolsAs(Graph graph, int size, Operators ops) {
        Map<String, TensorType> inputs = new LinkedHashMap<>();
        for (ValueInfo in : graph.inputs()) {
            if (graph.isWeight(in.name())) {
                continue;
            }
            int[] dims = in.shape().dims().stream().mapToInt(d -> d.isKnown() ? Math.toIntExact(d.size()) : size)
                    .toArray();
            inputs.put(in.name(), new TensorType(in.type() == null ? DataType.FLOAT : in.type(), dims));
        }
        return concrete(inputs, graph.weights(), graph.nodes(), graph.opsetVersion(), ops);
    }
}
