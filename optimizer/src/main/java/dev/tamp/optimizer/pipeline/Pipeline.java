package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Model;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.IrVerifier;
import dev.tamp.optimizer.pass.Pass;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pass.PassInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
        List<PassRun> runs = new ArrayList<>();
        Model current = model;
        for (Pass pass : plan(context)) {
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
            current = next;
        }
        return new Result(current, runs);
    }
}
