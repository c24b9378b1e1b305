package dev.tamp.model.transform;

import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds inference-mode BatchNormalization into the Conv or Gemm that feeds it: the BN's per-channel affine map
 * y = x * a + b is absorbed into the weights (rows scaled by a) and the bias. Applied only where that is exact: the
 * producer's output feeds nothing but the BN, all parameters are weights read by no other node, and a Gemm has
 * alpha = beta = 1 and a per-column (or no) bias. Every other BN is kept.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    public static Graph fold(Graph graph) {
        Graph current = graph;
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node bn : current.nodesOfType("BatchNormalization")) {
                Graph next = tryFold(current, bn);
                if (next != null) {
                    current = next;
                    changed = true;
                    break;
                }
            }
        }
        return current;
    }

    private static boolean soleReader(Graph g, String tensor, Node reader) {
        return g.consumersOf(tensor).equals(List.of(reader))
                && g.outputs().stream().noneMatch(o -> o.name().equals(tensor));
    }

    private static Graph tryFold(Graph g, Node bn) {
        if (bn.outputs().stream().skip(1).anyMatch(s -> !s.isEmpty())
                || bn.attributes().getInt("training_mode", 0) != 0) {
            return null;
        }
        String x = bn.input(0);
        Node producer = g.producerOf(x).orElse(null);
        if (producer == null || !soleReader(g, x, bn)) {
            return null;
        }
        for (int i = 1; i <= 4; i++) {
            if (!g.isWeight(bn.input(i))) {
                return null;
            }
        }
        boolean conv = producer.opType().equals("Conv");
        boolean gemm = producer.opType().equals("Gemm");
        if (!conv && !gemm) {
            return null;
        }
        String wName = producer.input(1);
        String biasName = producer.input(2);
        if (!g.isWeight(wName) || !soleReader(g, wName, producer)
                || !biasName.isEmpty() && (!g.isWeight(biasName) || !soleReader(g, biasName, producer))) {
            return null;
        }
        Tensor w = g.weights().get(wName).representation().materialize();
        boolean transB = producer.attributes().getInt("transB", 0) != 0;
        int channels = conv ? w.dim(0) : transB ? w.dim(0) : w.dim(1);
        if (gemm && (producer.attributes().getFloat("alpha", 1f) != 1f
                || !biasName.isEmpty() && producer.attributes().getFloat("beta", 1f) != 1f)) {
            return null;
        }
        float[] bias = new float[channels];
        if (!biasName.isEmpty()) {
            Tensor b = g.weights().get(biasName).representation().materialize();
            if (b.size() != channels || b.rank() != 1) {
                return null;
            }
            bias = b.floats().clone();
        }
        float[] scale = g.weights().get(bn.input(1)).representation().materialize().floats();
        float[] shift = g.weights().get(bn.input(2)).representation().materialize().floats();
        float[] mean = g.weights().get(bn.input(3)).representation().materialize().floats();
        float[] var = g.weights().get(bn.input(4)).representation().materialize().floats();
        if (scale.length != channels) {
            return null;
        }
        float epsilon = bn.attributes().getFloat("epsilon", 1e-5f);
        float[] wf = w.floats().clone();
        float[] newBias = new float[channels];
        for (int c = 0; c < channels; c++) {
            float a = (float) (scale[c] / Math.sqrt((double) var[c] + epsilon));
            newBias[c] = (bias[c] - mean[c]) * a + shift[c];
            if (conv || transB) {
                int per = wf.length / channels;
                for (int i = c * per; i < (c + 1) * per; i++) {
                    wf[i] *= a;
                }
            } else {
                for (int r = 0; r < w.dim(0); r++) {
                    wf[r * channels + c] *= a;
                }
            }
        }
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.put(wName, Weight.dense(wName, Tensor.ofFloats(w.shape(), wf)));
        String newBiasName = biasName;
        if (newBiasName.isEmpty()) {
            newBiasName = producer.name() + ".folded_bias";
            for (int k = 1; weights.containsKey(newBiasName); k++) {
                newBiasName = producer.name() + ".folded_bias_" + k;
            }
        }
        weights.put(newBiasName, Weight.dense(newBiasName, Tensor.ofFloats(new int[] {channels}, newBias)));
        for (int i = 1; i <= 4; i++) {
            String p = bn.input(i);
            if (g.consumersOf(p).equals(List.of(bn))) {
                weights.remove(p);
            }
        }
        List<String> inputs = new ArrayList<>(producer.inputs());
        while (inputs.size() < 3) {
            inputs.add("");
        }
        inputs.set(2, newBiasName);
        Node folded = new Node(producer.name(), producer.opType(), inputs, List.of(bn.output(0)),
                producer.attributes());
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n == producer) {
                nodes.add(folded);
            } else if (n != bn) {
                nodes.add(n);
            }
        }
        Map<String, ValueInfo> values = new LinkedHashMap<>(g.values());
        values.remove(x);
        for (int i = 1; i <= 4; i++) {
            if (!weights.containsKey(bn.input(i))) {
                values.remove(bn.input(i));
            }
        }
        values.put(newBiasName, new ValueInfo(newBiasName, dev.tamp.model.ir.DataType.FLOAT,
                dev.tamp.model.ir.Shape.of(channels)));
        return new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), nodes, weights, values);
    }
}
