package dev.tamp.optimizer.plan;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pass.PassInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The choices the planner weighs for each layer, from the recipe: every {@code auto} option the planner can choose
 * is expanded to a grid (its range's points, its set, or a default grid), the families of a layer are combined
 * (prune x quantize x factorize ...), and each family with an {@code auto} option may also be left off the layer.
 * The candidate with every such family off is "as is" (families the recipe fixed still apply).
 *
 * <p>What can be planned: {@code sparsity}, {@code bits} and {@code rank} of passes that change weights only
 * ({@link PassInfo.Effect#WEIGHTS}), whose effect stays inside the layer, so a layer's cost and sensitivity can be
 * measured alone and added up. An {@code auto} of a pass that rewrites the graph (filter pruning, Tucker, compact
 * filters) changes its neighbours too and stays refused by the preflight.
 */
public final class CandidateSpace {
    /** Points of a range grid for fractions and ranks. */
    static final int RANGE_POINTS = 5;
    static final List<Double> DEFAULT_SPARSITY = List.of(0.5, 0.7, 0.8, 0.9, 0.95);
    static final List<Double> DEFAULT_BITS = List.of(4.0, 5.0, 6.0, 8.0);
    static final List<Double> DEFAULT_RANK_FRACTIONS = List.of(1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2);

    private CandidateSpace() {}

    /**
     * One way to compress one layer: the settings of each family applied to it (a family absent: not applied),
     * {@code auto} values replaced by the chosen ones, and a label such as {@code prune 85 % + quantize 5 bits}.
     */
    public record Candidate(String label, Map<PassKind, Settings> families, Map<String, Double> chosen) {
        public Candidate {
            Map<PassKind, Settings> copy = new EnumMap<>(PassKind.class);
            copy.putAll(families);
            families = java.util.Collections.unmodifiableMap(copy);
            chosen = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(chosen));
        }
    }

    /** A layer and its candidates, "as is" (or the recipe's fixed settings) first. */
    public record LayerChoices(String layer, List<Candidate> candidates) {
        public LayerChoices {
            candidates = List.copyOf(candidates);
        }

        /** Whether the planner has a choice here (one candidate: the recipe fixed everything). */
        public boolean planned() {
            return candidates.size() > 1;
        }
    }

    /** Whether the planner can choose this option of a family's settings (it is {@code auto} and means a choice). */
    public static boolean plannable(PassKind family, Settings settings, String option) {
        if (!(settings.get(option).orElse(null) instanceof Setting.Auto) || !isChoice(family, settings, option)) {
            return false;
        }
        Optional<PassInfo> pass = pass(family, settings);
        return pass.isPresent() && pass.get().effect() == PassInfo.Effect.WEIGHTS
                && List.of("sparsity", "bits", "rank").contains(option);
    }

    /**
     * Whether an {@code auto} asks anything: an N:M pattern fixes the sparsity, and {@code energy} fixes the rank
     * (both defaults are {@code auto}).
     */
    public static boolean isChoice(PassKind family, Settings settings, String option) {
        if (family == PassKind.PRUNE && option.equals("sparsity")
                && settings.get("pattern").orElse(null) instanceof Setting.Ratio) {
            return false;
        }
        return !(family == PassKind.FACTORIZE && option.equals("rank") && settings.get("energy").isPresent());
    }

    /** The choices for every layer that some family selects, in graph order. */
    public static List<LayerChoices> of(PassContext context, Graph graph) {
        List<LayerChoices> result = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Map<PassKind, Settings> families = new EnumMap<>(PassKind.class);
            for (PassKind family : PassKind.values()) {
                context.settings(family, node.name()).filter(s -> pass(family, s).isPresent())
                        .ifPresent(s -> families.put(family, s));
            }
            if (!families.isEmpty()) {
                result.add(new LayerChoices(node.name(), candidates(graph, node, families)));
            }
        }
        return result;
    }

    private static List<Candidate> candidates(Graph graph, Node node, Map<PassKind, Settings> families) {
        // Per family: its options (off first when the family has a choice), as partial candidates to combine.
        List<Candidate> partial = List.of(new Candidate("", Map.of(), Map.of()));
        for (Map.Entry<PassKind, Settings> e : families.entrySet()) {
            PassKind family = e.getKey();
            Settings settings = e.getValue();
            List<String> options = new ArrayList<>();
            settings.values().keySet().forEach(o -> {
                if (plannable(family, settings, o)) {
                    options.add(o);
                }
            });
            List<Map<String, Double>> grid = new ArrayList<>();
            grid.add(new LinkedHashMap<>());
            for (String option : options) {
                List<Map<String, Double>> next = new ArrayList<>();
                for (Map<String, Double> g : grid) {
                    for (double v : values(option, (Setting.Auto) settings.get(option).orElseThrow(), graph, node)) {
                        Map<String, Double> m = new LinkedHashMap<>(g);
                        m.put(option, v);
                        next.add(m);
                    }
                }
                grid = next;
            }
            List<Candidate> combined = new ArrayList<>();
            for (Candidate c : partial) {
                if (!options.isEmpty()) {
                    combined.add(c); // the family left off this layer
                }
                for (Map<String, Double> g : grid) {
                    Map<PassKind, Settings> fams = new EnumMap<>(PassKind.class);
                    fams.putAll(c.families());
                    fams.put(family, resolve(settings, g));
                    Map<String, Double> chosen = new LinkedHashMap<>(c.chosen());
                    g.forEach((o, v) -> chosen.put(family.keyword() + "." + o, v));
                    String part = options.isEmpty() ? "" : family.keyword() + " " + describe(g);
                    String label = c.label().isEmpty() ? part : part.isEmpty() ? c.label() : c.label() + " + " + part;
                    combined.add(new Candidate(label, fams, chosen));
                }
            }
            partial = combined;
        }
        List<Candidate> result = new ArrayList<>();
        for (Candidate c : partial) {
            result.add(c.label().isEmpty() ? new Candidate("as is",
                    c.families(), c.chosen()) : c);
        }
        return result;
    }

    private static Settings resolve(Settings settings, Map<String, Double> values) {
        Map<String, Setting> m = new LinkedHashMap<>(settings.values());
        values.forEach((option, v) -> {
            Optional<dev.tamp.compiler.source.SourceSpan> origin = settings.get(option).flatMap(Setting::origin);
            m.put(option, new Setting.Num(v, origin, option.equals("sparsity")));
        });
        return new Settings(m);
    }

    private static String describe(Map<String, Double> values) {
        List<String> parts = new ArrayList<>();
        values.forEach((option, v) -> parts.add(switch (option) {
            case "sparsity" -> String.format(Locale.ROOT, "%s %%", trim(100 * v));
            case "bits" -> String.format(Locale.ROOT, "%d bits", Math.round(v));
            default -> option + " " + trim(v);
        }));
        return String.join(" ", parts);
    }

    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** The grid of one {@code auto} option: its set, points over its range, or a default grid. */
    static List<Double> values(String option, Setting.Auto auto, Graph graph, Node node) {
        TreeSet<Double> out = new TreeSet<>();
        if (!auto.choices().isEmpty()) {
            out.addAll(auto.choices());
        } else if (option.equals("bits")) {
            if (auto.low().isPresent() || auto.high().isPresent()) {
                long lo = Math.round(auto.low().orElse(1));
                long hi = Math.round(auto.high().orElse(8));
                for (long b = lo; b <= hi; b++) {
                    out.add((double) b);
                }
            } else {
                out.addAll(DEFAULT_BITS);
            }
        } else if (option.equals("sparsity")) {
            if (auto.low().isPresent() || auto.high().isPresent()) {
                double lo = auto.low().orElse(0.5);
                double hi = auto.high().orElse(0.95);
                for (int i = 0; i < RANGE_POINTS; i++) {
                    double v = lo + (hi - lo) * i / (RANGE_POINTS - 1);
                    out.add(Math.round(v * 1000) / 1000.0); // 0.1 % steps keep labels short and stable
                }
            } else {
                out.addAll(DEFAULT_SPARSITY);
            }
        } else if (option.equals("rank")) {
            int full = smallerSide(graph, node);
            if (auto.low().isPresent() || auto.high().isPresent()) {
                double lo = Math.max(1, auto.low().orElse(1));
                double hi = Math.min(full, auto.high().orElse(full));
                for (int i = 0; i < RANGE_POINTS; i++) {
                    out.add((double) Math.round(lo * Math.pow(hi / lo, (double) i / (RANGE_POINTS - 1))));
                }
            } else {
                for (double f : DEFAULT_RANK_FRACTIONS) {
                    out.add((double) Math.max(1, Math.round(full * f)));
                }
            }
        }
        return List.copyOf(out);
    }

    private static int smallerSide(Graph graph, Node node) {
        List<Weight> weights = graph.weightsOf(node);
        for (Weight w : weights) {
            if (node.inputs().size() > 1 && w.name().equals(node.input(1))) {
                int[] d = w.representation().dims();
                long cols = 1;
                for (int i = 1; i < d.length; i++) {
                    cols *= d[i];
                }
                return (int) Math.min(d[0], cols);
            }
        }
        return 1;
    }

    private static Optional<PassInfo> pass(PassKind family, Settings settings) {
        return CorePasses.all().stream().map(p -> p.info()).filter(i -> i.family() == family
                && (settings.get("method").isEmpty() || settings.word("method").equals(i.method()))).findFirst();
    }
}
