package dev.tamp.optimizer.plan;

import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates models that differ from the original only from one layer on, without rerunning what comes before it:
 * the original model's tensors at the cut before the layer (its input, and any skip connection passing over it) are
 * computed once on the validation images, and each candidate runs only the nodes from the layer to the output. The
 * results are those of running the whole candidate model, since the nodes before the cut are the original's.
 */
final class SuffixProbe {
    /** Loss and accuracy on the probe's images. */
    record Score(double loss, double accuracy) {}

    private static final int BATCH = 100;

    private final String layer;
    private final List<String> cut;
    private final List<Map<String, Tensor>> batches;
    private final byte[] labels;

    private SuffixProbe(String layer, List<String> cut, List<Map<String, Tensor>> batches, byte[] labels) {
        this.layer = layer;
        this.cut = cut;
        this.batches = batches;
        this.labels = labels;
    }

    /** The cut before {@code layer} in {@code original}, computed on {@code images} (only the nodes before it run). */
    static SuffixProbe capture(Graph original, String layer, LabeledImages images, Preprocessing pre, int threads) {
        String input = original.inputs().get(0).name();
        List<Map<String, Tensor>> batches = new ArrayList<>();
        for (int from = 0; from < images.count(); from += BATCH) {
            batches.add(Map.of(input, pre.batch(images, from, Math.min(images.count(), from + BATCH))));
        }
        byte[] labels = new byte[images.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) images.label(i);
        }
        String first = original.nodes().get(0).name();
        SuffixProbe atInput = new SuffixProbe(first, cutBefore(original, 0), batches, labels);
        return layer.equals(first) ? atInput : atInput.advance(original, layer, threads);
    }

    /**
     * The cut before a later {@code layer}, computed from this one's tensors by running only the nodes between the two
     * cuts (what the later cut holds was computed before this cut, hence is in it, or is computed between them), so
     * that walking the layers in graph order runs the original network once in all.
     */
    SuffixProbe advance(Graph original, String layer, int threads) {
        int from = firstNodeOf(original, this.layer);
        int to = firstNodeOf(original, layer);
        if (to < from) {
            throw new IllegalArgumentException(layer + " comes before " + this.layer);
        }
        List<String> next = cutBefore(original, to);
        List<ValueInfo> inputs = new ArrayList<>();
        cut.forEach(name -> inputs.add(original.values().get(name)));
        List<ValueInfo> outputs = new ArrayList<>();
        next.forEach(name -> outputs.add(original.values().get(name)));
        List<Node> between = original.nodes().subList(from, to);
        Map<String, Weight> weights = new LinkedHashMap<>();
        for (Node n : between) {
            for (Weight w : original.weightsOf(n)) {
                weights.put(w.name(), w);
            }
        }
        Graph step = new Graph(original.name(), original.opsetVersion(), inputs, outputs, between, weights,
                original.values());
        List<Map<String, Tensor>> advanced = new ArrayList<>();
        try (Executor ex = Executor.create(step, threads)) {
            for (Map<String, Tensor> batch : batches) {
                Map<String, Tensor> out = ex.run(batch);
                Map<String, Tensor> kept = new LinkedHashMap<>();
                next.forEach(name -> kept.put(name, out.get(name)));
                advanced.add(kept);
            }
        }
        return new SuffixProbe(layer, next, advanced, labels);
    }

    /** The whole model's score on the images, for the baseline (a cut before the first node). */
    static SuffixProbe whole(Graph original, LabeledImages images, Preprocessing pre, int threads) {
        return capture(original, original.nodes().get(0).name(), images, pre, threads);
    }

    int images() {
        return labels.length;
    }

    /** The score of {@code model}, which must equal the original before this probe's layer, on one thread. */
    Score score(Model model) {
        return score(model, 1);
    }

    /** The score of {@code model} with the images of each batch split over {@code threads} (same result). */
    Score score(Model model, int threads) {
        Graph g = model.graph();
        int start = firstNodeOf(g, layer);
        List<Node> nodes = g.nodes().subList(start, g.nodes().size());
        Map<String, Weight> weights = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (Weight w : g.weightsOf(n)) {
                weights.put(w.name(), w);
            }
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (String name : cut) {
            inputs.add(g.values().get(name));
        }
        Graph suffix = new Graph(g.name(), g.opsetVersion(), inputs, g.outputs(), nodes, weights, g.values());
        double loss = 0;
        int correct = 0;
        int offset = 0;
        try (Executor ex = Executor.create(suffix, threads)) {
            for (Map<String, Tensor> batch : batches) {
                Tensor out = ex.run(batch).get(g.outputs().get(0).name());
                int n = out.dim(0);
                int classes = out.dim(1);
                float[] z = out.floats();
                for (int i = 0; i < n; i++) {
                    int label = labels[offset + i];
                    double max = Double.NEGATIVE_INFINITY;
                    int arg = 0;
                    for (int c = 0; c < classes; c++) {
                        if (z[i * classes + c] > max) {
                            max = z[i * classes + c];
                            arg = c;
                        }
                    }
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        sum += Math.exp(z[i * classes + c] - max);
                    }
                    loss += Math.log(sum) + max - z[i * classes + label];
                    correct += arg == label ? 1 : 0;
                }
                offset += n;
            }
        }
        return new Score(loss / labels.length, (double) correct / labels.length);
    }

    /** The position of the first node that is the layer or one of its parts ({@code L::x}). */
    private static int firstNodeOf(Graph g, String layer) {
        for (int i = 0; i < g.nodes().size(); i++) {
            String n = g.nodes().get(i).name();
            if (n.equals(layer) || n.startsWith(layer + "::")) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + layer);
    }

    /** Tensors computed before {@code start} (graph inputs included) that nodes from {@code start} on read. */
    private static List<String> cutBefore(Graph g, int start) {
        Set<String> produced = new HashSet<>();
        for (int i = start; i < g.nodes().size(); i++) {
            produced.addAll(g.nodes().get(i).outputs());
        }
        Set<String> cut = new LinkedHashSet<>();
        for (int i = start; i < g.nodes().size(); i++) {
            for (String in : g.nodes().get(i).inputs()) {
                if (!in.isEmpty() && !g.isWeight(in) && !produced.contains(in)) {
                    cut.add(in);
                }
            }
        }
        return new ArrayList<>(cut);
    }
}
