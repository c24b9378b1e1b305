package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.IrVerifier;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pass.PassInfo;
import dev.tamp.optimizer.train.Regularizer;
import dev.tamp.optimizer.train.TrainableGraph;
import dev.tamp.optimizer.train.TrainableWeight;
import dev.tamp.optimizer.train.Trainer;
import dev.tamp.optimizer.train.TrainingListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs the passes a recipe asks for, in one fixed order whatever the order of its statements (as Deep Compression
 * orders its stages): first the passes that change the graph (filters and neurons removed, layers replaced by compact
 * filters or factors), then those that change what a weight is (structure, unstructured pruning, hashing), then
 * quantization, and entropy coding last, since it codes what the others produced. A layer an earlier stage already
 * turned into a compressed representation is left alone by later weight passes, which count it as
 * {@code layers-skipped}; the IR verifier runs after every pass.
 */
public final class Pipeline {
    /** The stages, in order; a pass's stage is decided by its family and what it changes. */
    private static final List<PassKind> WEIGHT_STAGES = List.of(PassKind.STRUCTURE, PassKind.FACTORIZE,
            PassKind.PRUNE, PassKind.HASH, PassKind.QUANTIZE, PassKind.ENCODE);
    private static final List<PassKind> GRAPH_STAGES = List.of(PassKind.PRUNE, PassKind.COMPACT,
            PassKind.FACTORIZE);

    private Pipeline() {}

    /** One pass as it ran: its counters (only what this pass added) and its wall time. */
    public record PassRun(PassInfo info, Map<String, Long> statistics, long nanos) {
        public PassRun {
            statistics = Map.copyOf(statistics);
        }
    }

    /** The compressed model and how each pass ran, in order. */
    public record Result(Model model, List<PassRun> runs) {
        public Result {
            runs = List.copyOf(runs);
        }
    }

    /**
     * A pass refused what the recipe asked of a layer, for a reason only it can see (a shape, a residual connection).
     * Nothing was written; {@code layer} is the node the pass named, when it named one.
     */
    public static final class Refusal extends RuntimeException {
        private final transient PassInfo pass;
        private final String layer;

        Refusal(PassInfo pass, String layer, String message) {
            super(message);
            this.pass = pass;
            this.layer = layer;
        }

        public PassInfo pass() {
            return pass;
        }

        public java.util.Optional<String> layer() {
            return java.util.Optional.ofNullable(layer);
        }
    }

    /** Hears about each pass as it starts, for progress output. */
    public interface Listener {
        Listener NONE = info -> {};

        void starting(PassInfo info);
    }

    /** The passes some layer of the context asks for, in pipeline order. */
    public static List<Pass> plan(PassContext context) {
        List<Pass> passes = new ArrayList<>();
        for (Pass pass : CorePasses.all()) {
            if (isRequested(pass.info(), context)) {
                passes.add(pass);
            }
        }
        passes.sort(Comparator.comparingInt(p -> stage(p.info())));
        return passes;
    }

    /** Whether some layer's options for the pass's family name its method (a family without methods: any layer). */
    static boolean isRequested(PassInfo info, PassContext context) {
        for (Settings s : context.layers(info.family()).values()) {
            if (s.get("method").isEmpty() || s.word("method").equals(info.method())) {
                return true;
            }
        }
        return false;
    }

    static int stage(PassInfo info) {
        if (info.effect() == PassInfo.Effect.GRAPH) {
            int i = GRAPH_STAGES.indexOf(info.family());
            return i < 0 ? GRAPH_STAGES.size() : i;
        }
        int i = WEIGHT_STAGES.indexOf(info.family());
        return GRAPH_STAGES.size() + 1 + (i < 0 ? WEIGHT_STAGES.size() : i);
    }

    /** The longest node name the message starts with (passes name the layer first: {@code "/fc1/Gemm: ..."}). */
    private static String layerNamed(Model model, String message) {
        String best = null;
        for (var node : model.graph().nodes()) {
            String n = node.name();
            if (message.startsWith(n + ":") && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        return best;
    }

    /** Runs the planned passes on the model; a pass's refusal of a layer ends the run as a {@link Refusal}. */
    public static Result run(Model model, PassContext context, Listener listener) {
        return run(model, context, Optional.empty(), listener);
    }

    /**
     * Runs the planned passes and, with {@code finetuning}, retrains after each stage that loses accuracy (see {@link
     * Finetuning}): after the last structural, structure, factorization, pruning or hashing pass, and after the last
     * quantization pass; if no such pass runs, once before entropy coding. A run that cannot train a layer ends as
     * a {@link Refusal} of the {@code finetune} step.
     */
    public static Result run(Model model, PassContext requested, Optional<Finetuning> finetuning, Listener listener) {
        // Without retraining, a gradual or iterative pruning schedule prunes once, to its final sparsity.
        PassContext context = finetuning.isPresent() ? requested : PruningSchedule.oneShot(requested);
        List<PassRun> runs = new ArrayList<>();
        Model current = model;
        List<Pass> passes = plan(context);
        Map<String, Settings> scheduled = finetuning.isPresent() ? PruningSchedule.scheduled(context) : Map.of();
        boolean retrained = false;
        boolean ramped = false;
        // The weights as the quantization stage found them: its retraining starts integer codes' shadows there.
        Model beforeQuantization = null;
        Map<String, Settings> regularized = context.layers(PassKind.REGULARIZE);
        if (finetuning.isPresent() && !regularized.isEmpty()) {
            current = regularize(current, regularized, finetuning.get(), listener, runs);
        }
        for (int i = 0; i < passes.size(); i++) {
            Pass pass = passes.get(i);
            if (!scheduled.isEmpty() && isWeightPruning(pass.info())) {
                // The pruning stage becomes rounds of pruning and retraining, which end the reducing stage's
                // retraining too (hashing, which could follow, cannot be retrained).
                if (!ramped) {
                    current = ramp(current, passes.stream().filter(p -> isWeightPruning(p.info())).toList(), context,
                            scheduled, finetuning.get(), listener, runs);
                    ramped = true;
                    retrained = true;
                }
                continue;
            }
            if (finetuning.isPresent() && !retrained && phase(pass.info()) == Phase.LOSSLESS) {
                current = finetune(current, finetuning.get(), listener, runs);
                retrained = true;
            }
            Phase here = phase(pass.info());
            if (here == Phase.QUANTIZE && beforeQuantization == null) {
                beforeQuantization = current;
            }
            current = runPass(pass, current, context, listener, runs);
            Phase next = i + 1 < passes.size() ? phase(passes.get(i + 1).info()) : Phase.LOSSLESS;
            if (finetuning.isPresent() && here != Phase.LOSSLESS && next != here) {
                current = finetune(current, finetuning.get(), listener, runs, floatsBefore(beforeQuantization,
                        current));
                retrained = true;
            }
        }
        if (finetuning.isPresent() && !retrained) {
            current = finetune(current, finetuning.get(), listener, runs);
        }
        return new Result(current, runs);
    }

    private static boolean isWeightPruning(PassInfo info) {
        return info.family() == PassKind.PRUNE && info.effect() == PassInfo.Effect.WEIGHTS;
    }

    /** Gradual or iterative pruning: the pruning passes in rounds at rising sparsity, retraining after each. */
    private static Model ramp(Model current, List<Pass> prunes, PassContext context, Map<String, Settings> scheduled,
            Finetuning f, Listener listener, List<PassRun> runs) {
        boolean first = true;
        for (PruningSchedule.Round round : PruningSchedule.rounds(scheduled, f.options().epochs())) {
            PassContext roundContext = PruningSchedule.roundContext(context, round, first);
            if (!first) {
                current = densify(current, scheduled.keySet());
            }
            for (Pass p : prunes) {
                current = runPass(p, current, roundContext, listener, runs);
            }
            current = finetune(current, new Finetuning(f.options().withEpochs(round.epochs()), f.images(), f.pre(),
                    f.listener()), listener, runs);
            first = false;
        }
        return current;
    }

    /**
     * The weights of these layers as dense tensors again (pruned positions hold zeros), so that the next round's
     * pass prunes them anew rather than leaving an already compressed weight alone.
     */
    private static Model densify(Model model, java.util.Set<String> layers) {
        Graph g = model.graph();
        Map<String, dev.tamp.model.ir.Weight> weights = new java.util.LinkedHashMap<>(g.weights());
        for (String layer : layers) {
            g.node(layer).filter(n -> n.inputs().size() > 1 && g.isWeight(n.input(1))).ifPresent(n -> {
                var w = weights.get(n.input(1));
                weights.put(w.name(), dev.tamp.model.ir.Weight.dense(w.name(), w.representation().materialize()));
            });
        }
        return new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), model.producerName(), model.producerVersion(), model.irVersion());
    }

    /** Where a pass sits with respect to retraining: before the first fine-tuning, before the second, or after. */
    private enum Phase { REDUCE, QUANTIZE, LOSSLESS }

    private static Phase phase(PassInfo info) {
        if (info.family() == PassKind.ENCODE) {
            return Phase.LOSSLESS;
        }
        return info.family() == PassKind.QUANTIZE && info.effect() == PassInfo.Effect.WEIGHTS ? Phase.QUANTIZE
                : Phase.REDUCE;
    }

    private static Model runPass(Pass pass, Model current, PassContext context, Listener listener,
            List<PassRun> runs) {
        listener.starting(pass.info());
        Map<String, Long> before = new TreeMap<>(context.statistics());
        long t0 = System.nanoTime();
        Model next;
        try {
            next = pass.apply(current, context);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            throw new Refusal(pass.info(), layerNamed(current, message), message);
        }
        long nanos = System.nanoTime() - t0;
        if (pass.info().effect() == PassInfo.Effect.GRAPH) {
            IrVerifier.verifyRewrite(pass.info().name(), current, next);
        } else {
            IrVerifier.verify(pass.info().name(), current, next);
        }
        Map<String, Long> added = new TreeMap<>();
        context.statistics().forEach((name, value) -> {
            long delta = value - before.getOrDefault(name, 0L);
            if (delta != 0) {
                added.put(name, delta);
            }
        });
        runs.add(new PassRun(pass.info(), added, nanos));
        return next;
    }

    /**
     * The float weights that quantization replaced, by name: where a weight of {@code now} is no longer the dense
     * float tensor it was in {@code before}.
     */
    private static Map<String, float[]> floatsBefore(Model before, Model now) {
        Map<String, float[]> floats = new java.util.LinkedHashMap<>();
        if (before != null) {
            now.graph().weights().forEach((name, w) -> {
                var was = before.graph().weights().get(name);
                if (was != null && was.representation() instanceof dev.tamp.model.ir.Dense d
                        && d.dataType() == dev.tamp.model.ir.DataType.FLOAT && !(w.representation() instanceof
                        dev.tamp.model.ir.Dense)) {
                    floats.put(name, d.tensor().floats());
                }
            });
        }
        return floats;
    }

    private static Model finetune(Model current, Finetuning f, Listener listener, List<PassRun> runs) {
        return finetune(current, f, listener, runs, Map.of());
    }

    /** Retrains; integer codes' straight-through shadows start at {@code floats} where given (see QuantizedWeight). */
    private static Model finetune(Model current, Finetuning f, Listener listener, List<PassRun> runs,
            Map<String, float[]> floats) {
        PassInfo info = Finetuning.info(f.options());
        listener.starting(info);
        long t0 = System.nanoTime();
        Trained t = train(current, f, info, TrainableWeight.withFloats(floats), model -> List.of());
        runs.add(new PassRun(info, t.statistics(), System.nanoTime() - t0));
        return t.model();
    }

    /**
     * The regularized training before any pass ({@link Regularization}): the recipe's terms in the objective, then
     * the soft-shared layers snapped to their priors.
     */
    private static Model regularize(Model current, Map<String, Settings> layers, Finetuning f, Listener listener,
            List<PassRun> runs) {
        listener.starting(Regularization.INFO);
        long t0 = System.nanoTime();
        List<Regularizer> terms = new ArrayList<>();
        Trained t = train(current, f, Regularization.INFO, TrainableWeight::of, model -> {
            terms.addAll(Regularization.terms(model, current.graph(), layers));
            return terms;
        });
        Map<String, Long> stats = new TreeMap<>(t.statistics());
        Model next = Regularization.snap(t.model(), terms, stats);
        IrVerifier.verify(Regularization.INFO.name(), t.model(), next);
        runs.add(new PassRun(Regularization.INFO, stats, System.nanoTime() - t0));
        return next;
    }

    /** A training run's result: the model, and the steps and images it took. */
    private record Trained(Model model, Map<String, Long> statistics) {}

    /**
     * One training run of the pipeline, shown as {@code info}: the weights made trainable by {@code factory}, the terms
     * {@code terms} builds over them added to the objective. A layer that cannot be trained ends the run as a
     * {@link Refusal}; afterwards the IR verifier runs, and every weight must have kept its kind and stored size.
     */
    private static Trained train(Model current, Finetuning f, PassInfo info,
            BiFunction<Node, Weight, TrainableWeight> factory, Function<TrainableGraph, List<Regularizer>> terms) {
        long[] steps = new long[1];
        TrainableGraph[] training = new TrainableGraph[1];
        TrainingListener counting = new TrainingListener() {
            @Override
            public void onStep(Step step) {
                steps[0]++;
                f.listener().onStep(step);
            }

            @Override
            public void onEpoch(Epoch epoch) {
                f.listener().onEpoch(epoch, training[0]::toGraph);
            }

            @Override
            public boolean stopRequested() {
                return f.listener().stopRequested();
            }
        };
        Graph trained;
        try {
            TrainableGraph model = TrainableGraph.of(current.graph(), factory);
            training[0] = model;
            trained = Trainer.train(model, terms.apply(model), f.images(), f.pre(), f.options(), counting);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            throw new Refusal(info, layerNamed(current, message), message);
        }
        Model next = new Model(trained, current.producerName(), current.producerVersion(), current.irVersion());
        IrVerifier.verify(info.name(), current, next);
        // Retraining moves values only: every weight keeps its representation and its stored structure (masks,
        // indices, rank), hence its kind and its stored size.
        current.graph().weights().forEach((name, w) -> {
            var now = next.graph().weights().get(name).representation();
            if (!now.kind().equals(w.representation().kind())
                    || now.storedBytes() != w.representation().storedBytes()) {
                throw new IllegalStateException("IR verifier after " + info.name() + ": " + name + " was "
                        + w.representation().kind() + " of " + w.representation().storedBytes() + " bytes, became "
                        + now.kind() + " of " + now.storedBytes());
            }
        });
        long images = Math.min(steps[0] * f.options().batch(), Math.round(f.options().epochs() * f.images().count()));
        Map<String, Long> stats = new TreeMap<>();
        stats.put("steps", steps[0]);
        stats.put("images-seen", images);
        return new Trained(next, stats);
    }
}
