package dev.tamp.model.exec;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ops.Kernel;
import dev.tamp.model.ops.Operator;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.model.ops.ShapeInference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The reference executor: runs a graph on float32 batches, node by node in topological order. It is the semantic
 * ground truth that optimized and generated code is checked against, so it favours plain, exact kernels; speed comes
 * from a blocked GEMM and from splitting a batch's images across threads (which never changes results).
 */
public final class Executor implements AutoCloseable {
    private final Graph graph;
    private final List<Kernel> kernels;
    private final Map<String, Tensor> constants;
    /** For each node position, the tensors whose last reader it is, freed after it runs to bound memory. */
    private final List<List<String>> releaseAfter;
    private final ExecutorService pool;
    private final Parallelism parallelism;

    private Executor(Graph graph, Operators ops, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.graph = graph;
        this.constants = ShapeInference.constants(graph.weights(), graph.nodes(), graph.opsetVersion());
        List<Kernel> ks = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Operator op = ops.find(node.opType()).orElseThrow(
                    () -> new IllegalArgumentException("operator " + node.opType() + " is not supported"));
            ks.add(op.prepare(ShapeInference.context(node, graph.opsetVersion(), constants)));
        }
        this.kernels = List.copyOf(ks);
        Map<String, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            for (String in : graph.nodes().get(i).inputs()) {
                if (!in.isEmpty()) {
                    lastUse.put(in, i);
                }
            }
        }
        for (ValueInfo out : graph.outputs()) {
            lastUse.remove(out.name());
        }
        List<List<String>> release = new ArrayList<>();
        for (int i = 0; i < graph.nodes().size(); i++) {
            release.add(new ArrayList<>());
        }
        lastUse.forEach((name, i) -> {
            if (!constants.containsKey(name)) {
                release.get(i).add(name);
            }
        });
        this.releaseAfter = release;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "tamp-executor");
            t.setDaemon(true);
            return t;
        }) : null;
        this.parallelism = new Parallelism(pool, threads);
    }

    /** An executor using {@code threads} threads (1 runs everything on the caller's thread). */
    public static Executor create(Graph graph, int threads) {
        return new Executor(graph, Operators.standard(), threads);
    }

    public static Executor create(Graph graph, Operators ops, int threads) {
        return new Executor(graph, ops, threads);
    }

    public Graph graph() {
        return graph;
    }

    /** Runs the graph; {@code inputs} maps every graph input's name to its value. Returns outputs by name. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<String, Tensor> env = new HashMap<>(constants);
        for (ValueInfo in : graph.inputs()) {
            Tensor t = inputs.get(in.name());
            if (t == null) {
                throw new IllegalArgumentException("missing input " + in.name());
            }
            check(in, t);
            env.put(in.name(), t);
        }
        for (int i = 0; i < kernels.size(); i++) {
            Node node = graph.nodes().get(i);
            Tensor[] args = new Tensor[node.inputs().size()];
            for (int k = 0; k < args.length; k++) {
                String name = node.inputs().get(k);
                args[k] = name.isEmpty() ? null : env.get(name);
            }
            Tensor[] out;
            try {
                out = kernels.get(i).run(args, parallelism);
            } catch (RuntimeException e) {
                throw new IllegalStateException("node " + node.name() + " (" + node.opType() + "): " + e.getMessage(), e);
            }
            for (int k = 0; k < out.length && k < node.outputs().size(); k++) {
                if (!node.outputs().get(k).isEmpty()) {
                    env.put(node.outputs().get(k), out[k]);
                }
            }
            for (String dead : releaseAfter.get(i)) {
                env.remove(dead);
            }
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (ValueInfo out : graph.outputs()) {
            result.put(out.name(), env.get(out.name()));
        }
        return result;
    }

    /** Runs a graph with one input and one output. */
    public Tensor run(Tensor input) {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new IllegalStateException("graph has " + graph.inputs().size() + " inputs and "
                    + graph.outputs().size() + " outputs, not one each");
        }
        return run(Map.of(graph.inputs().get(0).name(), input)).get(graph.outputs().get(0).name());
    }

    private static void check(ValueInfo declared, Tensor actual) {
        if (declared.type() != actual.type() && !(declared.type() == DataType.INT32 && actual.type() == DataType.INT64)) {
            throw new IllegalArgumentException("input " + declared.name() + " must be " + declared.type() + ", got "
                    + actual.type());
        }
        List<Dim> dims = declared.shape().dims();
        int[] shape = actual.shape();
        boolean ok = dims.size() == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = !dims.get(i).isKnown() || dims.get(i).size() == shape[i];
        }
        if (!ok) {
            throw new IllegalArgumentException("input " + declared.name() + " must have shape " + declared.shape()
                    + ", got " + Arrays.toString(shape));
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
