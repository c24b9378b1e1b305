package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.optimizer.pass.PassContext;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code prune ... { schedule gradual }} and {@code schedule iterative}: pruning interleaved with retraining. The
 * pruning pass itself always prunes once; the pipeline calls it in rounds at rising sparsity, retraining between
 * rounds, and each round prunes the retrained weights by the pass's own criterion (magnitude, OBD, OBS), so what
 * earlier rounds removed (now the smallest) stays removed.
 *
 * <ul>
 *   <li>{@code gradual} (Zhu &amp; Gupta 2017): {@value #GRADUAL_ROUNDS} rounds over the {@code span} (by default the
 *       fine-tuning run's epochs), round r of R at s_f + (s_i − s_f)(1 − r/R)³, then the rest of the epochs at s_f.
 *   <li>{@code iterative} (Han et al. 2015): {@code steps} rounds at s_i + (s_f − s_i)·r/R, each followed by the whole
 *       fine-tuning run.
 * </ul>
 * Layers pruned {@code oneshot} in the same recipe are pruned in the first round, to their sparsity.
 */
final class PruningSchedule {
    /** Pruning steps of a gradual ramp: AGP's cubic ramp is smooth by ten steps, and each step costs one retraining. */
    static final int GRADUAL_ROUNDS = 10;

    /** One round: the sparsity of each scheduled layer, and the epochs retrained after it. */
    record Round(Map<String, Double> sparsity, double epochs) {}

    private PruningSchedule() {}

    /** The layers whose pruning is scheduled, with their settings. */
    static Map<String, Settings> scheduled(PassContext context) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        context.layers(PassKind.PRUNE).forEach((layer, s) -> {
            if (s.get("schedule").isPresent() && !s.word("schedule").equals("oneshot")) {
                layers.put(layer, s);
            }
        });
        return layers;
    }

    /** The rounds for {@code epochs} of retraining; the last round reaches every layer's final sparsity. */
    static List<Round> rounds(Map<String, Settings> scheduled, double epochs) {
        boolean iterative = scheduled.values().stream().anyMatch(s -> s.word("schedule").equals("iterative"));
        int count = iterative
                ? scheduled.values().stream().mapToInt(s -> (int) s.number("steps")).max().orElse(1)
                : GRADUAL_ROUNDS;
        double span = scheduled.values().stream().mapToDouble(s -> s.get("span").isPresent() ? s.number("span")
                : epochs).max().orElse(epochs);
        span = Math.min(span, epochs);
        List<Round> rounds = new ArrayList<>();
        for (int r = 1; r <= count; r++) {
            Map<String, Double> sparsity = new LinkedHashMap<>();
            for (var e : scheduled.entrySet()) {
                double initial = e.getValue().number("initial");
                double target = e.getValue().number("sparsity");
                double t = (double) r / count;
                sparsity.put(e.getKey(), e.getValue().word("schedule").equals("iterative")
                        ? initial + (target - initial) * t
                        : target + (initial - target) * Math.pow(1 - t, 3));
            }
            double train = iterative ? epochs : span / count + (r == count ? epochs - span : 0);
            rounds.add(new Round(sparsity, train));
        }
        return rounds;
    }

    /**
     * The context without retraining (the planner scoring a candidate, {@code tamp plan}'s dry run): a schedule has no
     * retraining to spread its rounds over, so each scheduled layer is pruned once, to its final sparsity.
     */
    static PassContext oneShot(PassContext context) {
        Map<String, Settings> scheduled = scheduled(context);
        if (scheduled.isEmpty()) {
            return context;
        }
        Map<String, Double> sparsity = new LinkedHashMap<>();
        scheduled.forEach((layer, s) -> sparsity.put(layer, s.number("sparsity")));
        return roundContext(context, new Round(sparsity, 0), true);
    }

    /**
     * The context of one round: the scheduled layers at the round's sparsity, pruned once; with {@code
     * includeOneShot}, the other pruned layers as the recipe has them (the first round), else none of them.
     */
    static PassContext roundContext(PassContext base, Round round, boolean includeOneShot) {
        Map<String, Settings> prune = new LinkedHashMap<>();
        base.layers(PassKind.PRUNE).forEach((layer, s) -> {
            Double sparsity = round.sparsity().get(layer);
            if (sparsity != null) {
                Map<String, Setting> values = new LinkedHashMap<>(s.values());
                Optional<dev.tamp.compiler.source.SourceSpan> at = s.get("sparsity").flatMap(Setting::origin);
                values.put("sparsity", new Setting.Num(sparsity, at, true));
                values.put("schedule", new Setting.Word("oneshot", s.get("schedule").flatMap(Setting::origin)));
                prune.put(layer, new Settings(values));
            } else if (includeOneShot) {
                prune.put(layer, s);
            }
        });
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        for (PassKind kind : PassKind.values()) {
            layers.put(kind, kind == PassKind.PRUNE ? prune : base.layers(kind));
        }
        return new PassContext(base.seed(), layers, base.data(), base.threads());
    }
}
