package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.LayerFacts;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.pass.PassInfo;
import dev.tamp.optimizer.train.GroupLassoPenalty;
import dev.tamp.optimizer.train.L1Penalty;
import dev.tamp.optimizer.train.MixturePrior;
import dev.tamp.optimizer.train.Regularizer;
import dev.tamp.optimizer.train.TrainableGraph;
import dev.tamp.optimizer.train.TrainableWeight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The recipe's {@code regularize} statements as the pipeline runs them. Before any compression pass, the model is
 * trained for the {@code finetune} statement's epochs (with its optimizer, schedule and distillation) with each
 * regularized layer's term in the objective: L1 ({@link L1Penalty}), the group lasso over filters, channels or filter
 * shapes ({@link GroupLassoPenalty}) or the soft weight-sharing prior ({@link MixturePrior}). Then each soft-shared
 * layer is snapped to its prior (a sparse codebook of the learned means, its zero component pruned), and the passes
 * run on the result, so that pruning cuts what the terms drove to zero (magnitude pruning the small weights L1 left,
 * {@code l1-filter} the filters the group lasso emptied); a soft-shared layer is compressed already, so later weight
 * passes leave it alone, and the retraining after quantization trains its centroids. The retraining after later
 * stages runs without the terms.
 */
final class Regularization {
    static final PassInfo INFO = new PassInfo("regularize",
            "Train with sparsity-inducing terms in the objective; snap soft-shared layers to their learned prior.",
            PassKind.REGULARIZE, "", List.of("method", "strength", "groups", "components"),
            List.of("images-seen", "steps", "layers-regularized", "layers-shared", "weights-pruned"));

    private Regularization() {}

    /** One term per regularized layer, over the weight it multiplies by, as its statement's options say. */
    static List<Regularizer> terms(TrainableGraph model, Graph graph, Map<String, Settings> layers) {
        Map<String, TrainableWeight> weights = new LinkedHashMap<>();
        model.weights().forEach(w -> weights.put(w.name(), w));
        List<Regularizer> terms = new ArrayList<>();
        layers.forEach((layer, s) -> {
            Node node = graph.node(layer).orElseThrow(() -> new IllegalArgumentException(layer + ": no such node"));
            int axis = LayerFacts.outputAxis(graph, node);
            TrainableWeight w = axis < 0 ? null : weights.get(node.input(1));
            if (w == null) {
                throw new IllegalArgumentException(layer + ": `regularize` applies to the weights of Conv, Gemm and "
                        + "MatMul layers, not to a " + node.opType());
            }
            double strength = s.number("strength");
            terms.add(switch (s.word("method")) {
                case "l1" -> new L1Penalty(w, strength);
                case "group-lasso" -> GroupLassoPenalty.of(w, node.hasInput(2) ? weights.get(node.input(2)) : null,
                        strength, GroupLassoPenalty.Groups.valueOf(s.word("groups").toUpperCase(Locale.ROOT)), axis);
                case "soft-sharing" -> new MixturePrior(w, strength, (int) s.number("components"));
                default -> throw new IllegalArgumentException(layer + ": unknown regularizer " + s.word("method"));
            });
        });
        return terms;
    }

    /**
     * The trained model with each soft-shared weight snapped to its prior; counts {@code layers-regularized}, {@code
     * layers-shared} and {@code weights-pruned} (elements the zero component took).
     */
    static Model snap(Model trained, List<Regularizer> terms, Map<String, Long> statistics) {
        Graph g = trained.graph();
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        long shared = 0;
        long pruned = 0;
        for (Regularizer r : terms) {
            if (r instanceof MixturePrior prior) {
                SparseCodebook snapped = prior.snap();
                weights.put(r.weight().name(), new Weight(r.weight().name(), snapped));
                shared++;
                pruned += r.weight().dense().length - snapped.positions().length;
            }
        }
        statistics.put("layers-regularized", (long) terms.size());
        statistics.put("layers-shared", shared);
        statistics.put("weights-pruned", pruned);
        return new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), trained.producerName(), trained.producerVersion(), trained.irVersion());
    }
}
