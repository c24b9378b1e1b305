package dev.tamp.optimizer.plan;

import dev.tamp.compiler.ast.BudgetEntry;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.ir.Budget;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Weight;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.Costs;
import dev.tamp.optimizer.pipeline.Finetuning;
import dev.tamp.optimizer.pipeline.Pipeline;
import dev.tamp.optimizer.plan.CandidateSpace.Candidate;
import dev.tamp.optimizer.plan.CandidateSpace.LayerChoices;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The budgeted planner: candidates per layer from the recipe, the cost and the sensitivity of each (the real passes
 * run on a model where only that layer takes the candidate, scored on validation images), a joint choice by a
 * multiple-choice knapsack ({@link Mckp}) minimizing total sensitivity under the size, latency and memory budgets,
 * then the loop "apply, fine-tune, measure; tighten and repeat": the choices are applied together with the real
 * pipeline, retraining after each stage when the recipe has {@code finetune} ({@link Finetuning}), size and
 * validation accuracy are measured, and a missed budget tightens the problem for the next round. Sensitivities are
 * measured without retraining: they rank the candidates, the measured round decides.
 */
public final class Planner {
    /** Hears about progress: {@code done} of {@code total} steps of a phase. */
    public interface Progress {
        Progress NONE = (phase, done, total) -> {};

        void update(String phase, int done, int total);
    }

    /** What the size budget measures: by default the weights' stored bytes; the CLI passes the weights file's. */
    public interface SizeMeter {
        SizeMeter REPRESENTATIONS = g -> g.weights().values().stream()
                .mapToLong(w -> w.representation().storedBytes()).sum();

        long bytes(Graph graph);
    }

    /**
     * Times the generated code of a model on this machine, batch 1: what a latency budget is held to when the target
     * is this machine; empty when it cannot be timed.
     */
    public interface LatencyMeter {
        LatencyMeter NONE = m -> OptionalDouble.empty();

        OptionalDouble seconds(Model model);
    }

    /**
     * @param images validation images scoring each candidate (the first ones of the recipe's validation split)
     * @param threads workers over candidates; results never depend on it
     * @param rounds most apply-measure-tighten rounds
     * @param summed whether a candidate combining several planned families (prune and quantize) takes the sum of its
     *     parts' sensitivities rather than being scored itself (see {@link #score})
     */
    public record Options(int images, int threads, int rounds, boolean summed) {
        /** Scoring images by default: the loss change is continuous and ranks candidates well on a few hundred. */
        public static final int IMAGES = 256;
        public static final Options DEFAULT = new Options(IMAGES, Runtime.getRuntime().availableProcessors(), 4);

        public Options(int images, int threads, int rounds) {
            this(images, threads, rounds, true);
        }
    }

    /** A candidate with what it costs and how much it hurts alone. */
    record Scored(Candidate candidate, CostModel.Estimate cost, long sizeDelta, double sensitivity,
            double accuracyChange) {}

    private static final int FRONTIER_POINTS = 12;
    private static final int DP_BUCKETS = 8192;

    private final Recipe recipe;
    private final Model model;
    private final RecipeData data;
    private final Options options;
    private final SizeMeter meter;
    private final Optional<Finetuning> finetuning;
    private final Progress progress;
    private final CostModel costs;
    private final List<String> log = new ArrayList<>();
    private LatencyMeter latencyMeter = LatencyMeter.NONE;
    /** How much below the latency budget the predicted latency must stay, after measured rounds missed it. */
    private double latencySlack;

    /** @param finetuning retraining after each stage of every applied round ({@code tamp compile}); none in a dry run */
    public Planner(Recipe recipe, Model model, RecipeData data, Options options, SizeMeter meter,
            Optional<Finetuning> finetuning, Progress progress) {
        this.recipe = recipe;
        this.model = model;
        this.data = data;
        this.options = options;
        this.meter = meter;
        this.finetuning = finetuning;
        this.progress = progress;
        boolean simd = recipe.emit().map(e -> e.settings().get("simd")
                .map(s -> !(s instanceof dev.tamp.compiler.ir.Setting.Word w && w.word().equals("off")))
                .orElse(true)).orElse(true);
        // Kernels that skip zero inputs run as fast as the activations are sparse: measured on validation images.
        this.costs = new CostModel(recipe.target(), simd).withDensities(recipe.target().isEmpty()
                || data.validation().count() == 0 ? Map.of() : CostModel.densities(model.graph(), data.pre().batch(
                        data.validation(), 0, Math.min(64, data.validation().count())), 1));
    }

    /**
     * Holds the latency budget to {@code meter}'s measurement of the generated code, round by round (the budget is
     * otherwise held to the cost model's prediction).
     */
    public Planner measuringLatency(LatencyMeter meter) {
        this.latencyMeter = meter;
        return this;
    }

    /** Whether the recipe leaves something to the planner. */
    public static boolean needed(Recipe recipe, Graph graph) {
        return CandidateSpace.of(PassContext.forRecipe(recipe, graph), graph).stream()
                .anyMatch(LayerChoices::planned);
    }

    /** Plans, applies and measures; budgets that cannot be met are {@link Plan#problems()}. */
    public Plan plan() {
        Graph graph = model.graph();
        PassContext recipeContext = PassContext.forRecipe(recipe, graph, Optional.of(data), 1);
        List<LayerChoices> space = CandidateSpace.of(recipeContext, graph);
        LabeledImages probeImages = data.validation().slice(0, Math.min(options.images(), data.validation().count()));
        long baseSize = meter.bytes(graph);

        List<List<Scored>> groups = score(space, probeImages, baseSize);
        int evaluated = groups.stream().mapToInt(List::size).sum();

        // What the layers the recipe leaves alone cost, so budgets can be split among the planned ones.
        Set<String> planned = new HashSet<>();
        space.forEach(l -> planned.add(l.layer()));
        double fixedSeconds = costs.callSeconds();
        long fixedResident = CostModel.peakActivationBytes(graph);
        for (Node n : graph.nodes()) {
            if (!planned.contains(n.name())) {
                CostModel.Estimate e = costs.layer(model, n.name());
                fixedSeconds += e.seconds();
                fixedResident += e.residentBytes();
            }
        }
        Budgets budgets = Budgets.of(recipe.budgets());
        double baselineAccuracy = accuracy(model);
        List<Diagnostic> problems = new ArrayList<>(unreachable(groups, budgets, baseSize, fixedSeconds,
                fixedResident));
        if (budgets.latency.isPresent() && latencyMeter == LatencyMeter.NONE) {
            log.add("latency is predicted by the cost model for " + targetName() + ", not measured: the generated "
                    + "code can only be timed when the target is this machine (`tamp target probe`) and the recipe "
                    + "has `emit java`");
        }
        if (!problems.isEmpty()) {
            return new Plan(recipe.name(), recipe.model().getFileName().toString(), targetName(),
                    probeImages.count(), evaluated, List.of(), List.of(), List.of(), baselineAccuracy, Double.NaN,
                    baseSize, 0, log, problems, Map.of());
        }

        long unit = Math.max(1, groups.stream().mapToLong(g -> span(g)).sum() / DP_BUCKETS);
        Set<Long> banned = new HashSet<>();
        long sizeSlack = 0;
        Attempt best = null;
        Attempt last = null;
        int round = 0;
        for (round = 1; round <= options.rounds(); round++) {
            Optional<int[]> choice = solve(groups, budgets, baseSize, fixedSeconds, fixedResident, unit, banned,
                    sizeSlack, Double.NaN);
            if (choice.isEmpty()) {
                log.add("round " + round + ": no choice left within the budgets");
                break;
            }
            last = apply(groups, space, choice.get(), baselineAccuracy, budgets);
            log.add(String.format(Locale.ROOT, "round %d: size %,d B, validation accuracy %.2f %%", round,
                    last.size, 100 * last.accuracy));
            if (best == null || better(last, best, budgets, baselineAccuracy)) {
                best = last;
            }
            if (!Double.isNaN(last.seconds)) {
                log.add(String.format(Locale.ROOT, "  generated code on this machine: %s per image (predicted %s)",
                        Plan.time(last.seconds), Plan.time(predicted(groups, last.choice, baseSize, fixedSeconds,
                                fixedResident).seconds)));
            }
            boolean sizeHolds = budgets.size.isEmpty() || last.size <= budgets.size.get().value();
            boolean accuracyHolds = budgets.accuracy.isEmpty()
                    || last.accuracy >= accuracyBound(budgets.accuracy.get(), baselineAccuracy);
            if (!sizeHolds) {
                sizeSlack += last.size - (long) budgets.size.get().value();
                log.add("  measured size above the budget: capacity lowered by " + (last.size
                        - (long) budgets.size.get().value()) + " B");
                continue;
            }
            if (budgets.latency.isPresent() && last.seconds > budgets.latency.get().value()) {
                // Measured slower than the budget: the next round must predict faster by the measured ratio.
                double bound = budgets.latency.get().value();
                double predictedSeconds = predicted(groups, last.choice, baseSize, fixedSeconds, fixedResident).seconds;
                double allowed = bound * predictedSeconds / last.seconds;
                latencySlack = Math.max(latencySlack + 0.02 * bound, bound - allowed);
                log.add("  measured latency above the budget: predicted latency must stay below "
                        + Plan.time(bound - latencySlack));
                continue;
            }
            if (!accuracyHolds) {
                // The chosen candidate that hurts most alone is ruled out; the next round chooses around it.
                int worst = -1;
                for (int g = 0; g < groups.size(); g++) {
                    Scored s = groups.get(g).get(choice.get()[g]);
                    if (!s.candidate().families().isEmpty() && (worst < 0 || s.sensitivity()
                            > groups.get(worst).get(choice.get()[worst]).sensitivity())) {
                        worst = g;
                    }
                }
                if (worst < 0) {
                    break;
                }
                banned.add(key(worst, choice.get()[worst]));
                log.add("  accuracy below the budget: ruled out " + space.get(worst).layer() + " "
                        + groups.get(worst).get(choice.get()[worst]).candidate().label());
                continue;
            }
            break;
        }
        if (best == null) {
            problems.add(budgetProblem(budgets.size.or(() -> budgets.accuracy).orElse(null),
                    "the budgets cannot be met together by the candidates left"));
            return new Plan(recipe.name(), recipe.model().getFileName().toString(), targetName(),
                    probeImages.count(), evaluated, List.of(), List.of(), List.of(), baselineAccuracy, Double.NaN,
                    baseSize, round, log, problems, Map.of());
        }
        List<Plan.Total> totals = totals(best, budgets, baselineAccuracy, groups, baseSize, fixedSeconds,
                fixedResident);
        for (Plan.Total t : totals) {
            if (!t.holds()) {
                Budget b = budgets.all.stream().filter(x -> x.metric().equals(t.metric())).findFirst().orElseThrow();
                problems.add(budgetProblem(b, String.format(Locale.ROOT, "`%s %s %s` is not met after %d rounds: "
                        + "the best plan measures %s", t.metric(), t.comparison(), Plan.value(t.metric(), t.bound()),
                        Math.min(round, options.rounds()), Plan.value(t.metric(), t.measured()))));
            }
        }
        List<Plan.Row> rows = rows(groups, space, best.choice, budgets, baseSize, fixedSeconds, fixedResident,
                baselineAccuracy);
        List<Plan.FrontierPoint> frontier = frontier(groups, budgets, baseSize, unit, best, baselineAccuracy);
        return new Plan(recipe.name(), recipe.model().getFileName().toString(), targetName(), probeImages.count(),
                evaluated, rows, totals, frontier, baselineAccuracy, best.accuracy, best.size,
                Math.min(round, options.rounds()), log, problems, best.layers);
    }

    /** Every layer's candidates with their costs and sensitivities, as {@link #plan} weighs them. */
    List<List<Scored>> candidates() {
        Graph graph = model.graph();
        List<LayerChoices> space = CandidateSpace.of(PassContext.forRecipe(recipe, graph, Optional.of(data), 1), graph);
        return score(space, data.validation().slice(0, Math.min(options.images(), data.validation().count())),
                meter.bytes(graph));
    }

    private String targetName() {
        return recipe.target().map(t -> t.name()).orElse("(none)");
    }

    // ---- scoring -------------------------------------------------------------------------------------------------

    /**
     * Every candidate of every layer, with its cost and sensitivity; candidates a pass refuses are dropped (and
     * logged). Each candidate's compressed layer is made by the real passes, exactly, so its size and cost are exact;
     * passes run once per distinct prefix of settings (a layer pruned to 80 % is pruned once for all its bit widths).
     * The sensitivity of a candidate that leaves the layer's weights as they were (lossless coding only) is 0 without
     * scoring. With {@link Options#summed}, only the candidates with at most one planned family are scored on the
     * images ("parts"); a candidate combining several (prune 80 % + quantize 4 bits) takes the layer's base
     * sensitivity plus the change each of its parts brings, the loss change being close to additive for small
     * perturbations of different kinds; the measured rounds of {@link #plan} catch what the sum misses.
     */
    private List<List<Scored>> score(List<LayerChoices> space, LabeledImages images, long baseSize) {
        int total = 0;
        List<List<Candidate>> partsOf = new ArrayList<>();
        for (LayerChoices layer : space) {
            List<Candidate> scored = layer.candidates().stream().filter(c -> !options.summed()
                    || plannedFamilies(c).size() <= 1).toList();
            partsOf.add(scored);
            total += scored.size();
        }
        int shownTotal = total;
        AtomicInteger done = new AtomicInteger();
        List<List<Scored>> groups = new ArrayList<>();
        SuffixProbe probe = SuffixProbe.whole(model.graph(), images, data.pre(), options.threads());
        SuffixProbe.Score base = probe.score(model, options.threads());
        int scoredRuns = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, options.threads()), r -> {
            Thread t = new Thread(r, "tamp-planner");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int l = 0; l < space.size(); l++) {
                LayerChoices layer = space.get(l);
                Set<Candidate> parts = new HashSet<>(partsOf.get(l));
                // Layers come in graph order: each cut follows from the one before.
                probe = probe.advance(model.graph(), layer.layer(), options.threads());
                SuffixProbe cut = probe;
                Compressions compressions = new Compressions(layer.layer());
                List<Future<Optional<Measured>>> futures = new ArrayList<>();
                for (Candidate c : layer.candidates()) {
                    boolean scoreIt = parts.contains(c);
                    futures.add(pool.submit(() -> {
                        Optional<Measured> m = measure(layer.layer(), c, compressions, scoreIt ? cut : null, base,
                                baseSize);
                        if (scoreIt) {
                            progress.update("sensitivity", done.incrementAndGet(), shownTotal);
                        }
                        return m;
                    }));
                }
                List<Measured> measured = new ArrayList<>();
                for (int i = 0; i < futures.size(); i++) {
                    Optional<Measured> m = futures.get(i).get();
                    if (m.isPresent()) {
                        measured.add(m.get());
                        scoredRuns += m.get().ran() ? 1 : 0;
                    } else {
                        log.add(layer.layer() + ": " + layer.candidates().get(i).label() + " refused by its pass");
                    }
                }
                List<Scored> scored = summed(measured, line -> log.add(layer.layer() + ": " + line));
                if (scored.isEmpty()) {
                    throw new IllegalStateException(layer.layer() + ": every candidate was refused");
                }
                groups.add(scored);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        int candidates = groups.stream().mapToInt(List::size).sum();
        log.add(String.format(Locale.ROOT, "sensitivity: %d of %d candidates scored on the images%s", scoredRuns,
                candidates, options.summed() ? ", the others from their parts or unchanged weights" : ""));
        return groups;
    }

    /** The families of a candidate whose options the planner chose (the recipe's fixed families aside). */
    static Set<PassKind> plannedFamilies(Candidate c) {
        Set<PassKind> planned = new java.util.TreeSet<>();
        for (String key : c.chosen().keySet()) {
            planned.add(PassKind.ofKeyword(key.substring(0, key.indexOf('.'))));
        }
        return planned;
    }

    /**
     * A candidate as measured: its cost and size, and, when it was scored (or left the weights unchanged), its
     * sensitivity; {@code ran} says whether the images were run.
     */
    record Measured(Candidate candidate, CostModel.Estimate cost, long sizeDelta, Optional<double[]> sensitivity,
            boolean ran) {}

    private Optional<Measured> measure(String layer, Candidate c, Compressions compressions, SuffixProbe probe,
            SuffixProbe.Score base, long baseSize) {
        if (c.families().isEmpty()) {
            return Optional.of(new Measured(c, costs.layer(model, layer), 0, Optional.of(new double[] {0, 0}), false));
        }
        Optional<Model> compressed = compressions.of(c);
        if (compressed.isEmpty()) {
            return Optional.empty();
        }
        Model m = compressed.get();
        CostModel.Estimate cost = costs.layer(m, layer);
        long sizeDelta = meter.bytes(m.graph()) - baseSize;
        if (sameWeights(m, layer)) {
            // Lossless coding only: the layer computes exactly what it did, so its outputs are the original's.
            return Optional.of(new Measured(c, cost, sizeDelta, Optional.of(new double[] {0, 0}), false));
        }
        if (probe == null) {
            return Optional.of(new Measured(c, cost, sizeDelta, Optional.empty(), false));
        }
        SuffixProbe.Score score = probe.score(m);
        return Optional.of(new Measured(c, cost, sizeDelta, Optional.of(new double[] {score.loss() - base.loss(),
                score.accuracy() - base.accuracy()}), true));
    }

    /** Whether every weight of the layer (and of its parts) materializes to the original's exact values. */
    private boolean sameWeights(Model compressed, String layer) {
        Graph now = compressed.graph();
        Graph was = model.graph();
        if (now.nodes().size() != was.nodes().size()) {
            return false;
        }
        for (Node n : now.nodes()) {
            if (!n.name().equals(layer) && !n.name().startsWith(layer + "::")) {
                continue;
            }
            for (Weight w : now.weightsOf(n)) {
                Weight before = was.weights().get(w.name());
                if (before == null || !java.util.Arrays.equals(w.representation().materialize().floats(),
                        before.representation().materialize().floats())) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The layer's candidates with their sensitivities: measured ones as measured; a combination of planned families
     * as the base candidate's (every planned family off) plus, per family, the change its part brings (the
     * candidate with that family alone at the same settings). A combination whose part a pass refused is left out.
     */
    static List<Scored> summed(List<Measured> measured, java.util.function.Consumer<String> log) {
        Measured baseline = null;
        for (Measured m : measured) {
            if (plannedFamilies(m.candidate()).isEmpty()) {
                baseline = m;
            }
        }
        List<Scored> out = new ArrayList<>();
        for (Measured m : measured) {
            double[] s;
            if (m.sensitivity().isPresent()) {
                s = m.sensitivity().get();
            } else {
                double[] base = baseline == null ? new double[] {0, 0} : baseline.sensitivity().orElseThrow();
                s = base.clone();
                for (PassKind family : plannedFamilies(m.candidate())) {
                    Optional<Measured> part = partOf(measured, m.candidate(), family);
                    if (part.isEmpty()) {
                        s = null;
                        break;
                    }
                    s[0] += part.get().sensitivity().orElseThrow()[0] - base[0];
                    s[1] += part.get().sensitivity().orElseThrow()[1] - base[1];
                }
                if (s == null) {
                    log.accept(m.candidate().label() + " left out: a part of it was refused by its pass");
                    continue;
                }
            }
            out.add(new Scored(m.candidate(), m.cost(), m.sizeDelta(), s[0], s[1]));
        }
        return out;
    }

    /** The measured candidate with only {@code family} planned, at the settings {@code c} gives it. */
    private static Optional<Measured> partOf(List<Measured> measured, Candidate c, PassKind family) {
        String prefix = family.keyword() + ".";
        for (Measured m : measured) {
            Candidate d = m.candidate();
            if (plannedFamilies(d).equals(Set.of(family)) && d.families().get(family).equals(c.families().get(family))
                    && d.chosen().entrySet().stream().allMatch(e -> e.getKey().startsWith(prefix)
                            && e.getValue().equals(c.chosen().get(e.getKey())))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * The model with one layer compressed as a candidate says, made by the real passes in pipeline order, each pass
     * run once per distinct settings of the passes before it and itself: candidates sharing a prefix (the same
     * pruning, other bit widths) share its result. Equal to one pipeline run with the candidate's families, since a
     * pass reads only the model and its own family's settings. Safe for the planner's workers.
     */
    private final class Compressions {
        private final String layer;
        private final Map<String, java.util.concurrent.CompletableFuture<Optional<Model>>> done =
                new java.util.concurrent.ConcurrentHashMap<>();

        Compressions(String layer) {
            this.layer = layer;
        }

        Optional<Model> of(Candidate c) {
            Map<PassKind, Map<String, Settings>> only = new EnumMap<>(PassKind.class);
            c.families().forEach((family, settings) -> only.put(family, Map.of(layer, settings)));
            Optional<Model> current = Optional.of(model);
            StringBuilder key = new StringBuilder();
            for (dev.tamp.optimizer.pass.Pass pass : Pipeline.plan(new PassContext(recipe.seed(), only))) {
                PassKind family = pass.info().family();
                key.append(pass.info().name()).append(c.families().get(family)).append(';');
                Optional<Model> before = current;
                var mine = new java.util.concurrent.CompletableFuture<Optional<Model>>();
                var existing = done.putIfAbsent(key.toString(), mine);
                if (existing == null) {
                    try {
                        mine.complete(before.map(m -> Pipeline.run(m, new PassContext(recipe.seed(),
                                Map.of(family, Map.of(layer, c.families().get(family))), Optional.of(data), 1),
                                Pipeline.Listener.NONE).model()));
                    } catch (Pipeline.Refusal e) {
                        mine.complete(Optional.empty());
                    } catch (RuntimeException e) {
                        mine.completeExceptionally(e);
                        throw e;
                    }
                    current = mine.join();
                } else {
                    current = existing.join();
                }
                if (current.isEmpty()) {
                    return current;
                }
            }
            return current;
        }
    }

    // ---- solving -------------------------------------------------------------------------------------------------

    /** The recipe's budgets by metric. */
    record Budgets(List<Budget> all, Optional<Budget> size, Optional<Budget> latency, Optional<Budget> memory,
            Optional<Budget> accuracy) {
        static Budgets of(List<Budget> budgets) {
            Map<String, Budget> by = new LinkedHashMap<>();
            budgets.forEach(b -> by.put(b.metric(), b));
            return new Budgets(budgets, Optional.ofNullable(by.get("size")), Optional.ofNullable(by.get("latency")),
                    Optional.ofNullable(by.get("memory")), Optional.ofNullable(by.get("accuracy")));
        }
    }

    private Optional<int[]> solve(List<List<Scored>> groups, Budgets budgets, long baseSize, double fixedSeconds,
            long fixedResident, long unit, Set<Long> banned, long sizeSlack, double sizeCap) {
        List<List<Mckp.Item>> items = new ArrayList<>();
        List<List<Integer>> index = new ArrayList<>();
        long minTotal = 0;
        long maxTotal = 0;
        for (int g = 0; g < groups.size(); g++) {
            long min = Long.MAX_VALUE;
            for (int j = 0; j < groups.get(g).size(); j++) {
                if (!banned.contains(key(g, j))) {
                    min = Math.min(min, groups.get(g).get(j).sizeDelta());
                }
            }
            List<Mckp.Item> its = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            long max = 0;
            for (int j = 0; j < groups.get(g).size(); j++) {
                if (banned.contains(key(g, j))) {
                    continue;
                }
                Scored s = groups.get(g).get(j);
                its.add(new Mckp.Item(s.sensitivity(), s.sizeDelta() - min,
                        new double[] {s.cost().seconds(), s.cost().residentBytes()}));
                idx.add(j);
                max = Math.max(max, s.sizeDelta() - min);
            }
            if (its.isEmpty()) {
                return Optional.empty();
            }
            items.add(its);
            index.add(idx);
            minTotal += min;
            maxTotal += max;
        }
        long capacity = maxTotal;
        if (budgets.size.isPresent()) {
            capacity = Math.min(capacity, (long) Math.floor(budgets.size.get().value()) - sizeSlack - baseSize
                    - minTotal);
        }
        if (!Double.isNaN(sizeCap)) {
            capacity = Math.min(capacity, (long) sizeCap - baseSize - minTotal);
        }
        double[] extra = {
            budgets.latency.map(b -> b.value() - latencySlack - fixedSeconds).orElse(Double.POSITIVE_INFINITY),
            budgets.memory.map(b -> b.value() - fixedResident).orElse(Double.POSITIVE_INFINITY)};
        return Mckp.solve(items, capacity, extra, unit).map(s -> {
            int[] choice = new int[groups.size()];
            for (int g = 0; g < choice.length; g++) {
                choice[g] = index.get(g).get(s.choice()[g]);
            }
            return choice;
        });
    }

    private static long key(int group, int item) {
        return ((long) group << 32) | item;
    }

    private static long span(List<Scored> g) {
        long min = g.stream().mapToLong(Scored::sizeDelta).min().orElse(0);
        long max = g.stream().mapToLong(Scored::sizeDelta).max().orElse(0);
        return max - min;
    }

    /** Each budget alone against the best any choice reaches; one E3005 per budget out of reach. */
    private List<Diagnostic> unreachable(List<List<Scored>> groups, Budgets budgets, long baseSize,
            double fixedSeconds, long fixedResident) {
        List<Diagnostic> out = new ArrayList<>();
        long minSize = baseSize;
        double minSeconds = fixedSeconds;
        long minResident = fixedResident;
        for (List<Scored> g : groups) {
            minSize += g.stream().mapToLong(Scored::sizeDelta).min().orElseThrow();
            minSeconds += g.stream().mapToDouble(s -> s.cost().seconds()).min().orElseThrow();
            minResident += g.stream().mapToLong(s -> s.cost().residentBytes()).min().orElseThrow();
        }
        check(out, budgets.size, minSize, "the smallest this recipe's choices reach is " + Plan.value("size",
                minSize) + " (weights file)");
        check(out, budgets.latency, minSeconds, "the fastest this recipe's choices reach is "
                + Plan.time(minSeconds) + " (predicted on " + targetName() + ")");
        check(out, budgets.memory, minResident, "the least memory this recipe's choices reach is "
                + Plan.value("memory", minResident) + " (resident weights and peak activations)");
        return out;
    }

    private void check(List<Diagnostic> out, Optional<Budget> budget, double best, String message) {
        if (budget.isPresent() && best > budget.get().value()) {
            out.add(budgetProblem(budget.get(), "`" + budget.get().metric() + " <= " + Plan.value(
                    budget.get().metric(), budget.get().value()) + "` cannot be met: " + message));
        }
    }

    private Diagnostic budgetProblem(Budget budget, String message) {
        return Diagnostic.of(DiagnosticCode.BUDGET_UNREACHABLE, recipe.file(),
                budget == null ? recipe.span() : budget.span(), message)
                .withHint("loosen the budget, or widen the ranges the planner may choose from");
    }

    // ---- applying and measuring ----------------------------------------------------------------------------------

    /** The choices applied together, refined and measured. */
    record Attempt(int[] choice, Model model, long size, double accuracy, double seconds,
            Map<PassKind, Map<String, Settings>> layers) {}

    private Attempt apply(List<List<Scored>> groups, List<LayerChoices> space, int[] choice, double baseline,
            Budgets budgets) {
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        for (int g = 0; g < groups.size(); g++) {
            String layer = space.get(g).layer();
            groups.get(g).get(choice[g]).candidate().families().forEach((family, settings) ->
                    layers.computeIfAbsent(family, f -> new LinkedHashMap<>()).put(layer, settings));
        }
        PassContext context = new PassContext(recipe.seed(), layers, Optional.of(data), options.threads());
        progress.update("applying", 0, 1);
        Model applied = Pipeline.run(model, context, finetuning, Pipeline.Listener.NONE).model();
        progress.update("applying", 1, 1);
        double seconds = budgets.latency.isEmpty() ? Double.NaN
                : latencyMeter.seconds(applied).orElse(Double.NaN);
        return new Attempt(choice.clone(), applied, meter.bytes(applied.graph()), accuracy(applied), seconds,
                layers);
    }

    private double accuracy(Model m) {
        return SuffixProbe.whole(m.graph(), data.validation(), data.pre(), options.threads())
                .score(m, options.threads()).accuracy();
    }

    private static double accuracyBound(Budget b, double baseline) {
        return b.relativeToBaseline() ? baseline + b.value() : b.value();
    }

    /** Meets the size budget, then higher accuracy. */
    private static boolean better(Attempt a, Attempt b, Budgets budgets, double baseline) {
        boolean aFits = (budgets.size.isEmpty() || a.size <= budgets.size.get().value())
                && (budgets.latency.isEmpty() || !(a.seconds > budgets.latency.get().value()));
        boolean bFits = (budgets.size.isEmpty() || b.size <= budgets.size.get().value())
                && (budgets.latency.isEmpty() || !(b.seconds > budgets.latency.get().value()));
        if (aFits != bFits) {
            return aFits;
        }
        return a.accuracy > b.accuracy;
    }

    private List<Plan.Total> totals(Attempt best, Budgets budgets, double baseline, List<List<Scored>> groups,
            long baseSize, double fixedSeconds, long fixedResident) {
        List<Plan.Total> out = new ArrayList<>();
        Predicted p = predicted(groups, best.choice, baseSize, fixedSeconds, fixedResident);
        Graph applied = best.model.graph();
        // The generated code's time when it could be measured, else the cost model's on the applied model.
        double measuredSeconds = Double.isNaN(best.seconds) ? costs.seconds(best.model) : best.seconds;
        long measuredResident = CostModel.peakActivationBytes(applied);
        for (Weight w : applied.weights().values()) {
            measuredResident += Costs.residentBytes(w.representation());
        }
        for (Budget b : budgets.all) {
            String cmp = b.comparison() == BudgetEntry.Comparison.LE || b.comparison() == BudgetEntry.Comparison.LT ? "<=" : ">=";
            double bound = b.metric().equals("accuracy") ? accuracyBound(b, baseline) : b.value();
            double predicted;
            double measured;
            switch (b.metric()) {
                case "size" -> {
                    predicted = p.size;
                    measured = best.size;
                }
                case "latency" -> {
                    predicted = p.seconds;
                    measured = measuredSeconds;
                }
                case "memory" -> {
                    predicted = p.resident;
                    measured = measuredResident;
                }
                default -> {
                    predicted = baseline + p.accuracyChange;
                    measured = best.accuracy;
                }
            }
            boolean holds = cmp.equals("<=") ? measured <= bound : measured >= bound;
            out.add(new Plan.Total(b.metric(), cmp, bound, predicted, measured, holds, b.span().line()));
        }
        return out;
    }

    record Predicted(long size, double seconds, long resident, double sensitivity, double accuracyChange) {}

    private static Predicted predicted(List<List<Scored>> groups, int[] choice, long baseSize, double fixedSeconds,
            long fixedResident) {
        long size = baseSize;
        double seconds = fixedSeconds;
        long resident = fixedResident;
        double sens = 0;
        double acc = 0;
        for (int g = 0; g < groups.size(); g++) {
            Scored s = groups.get(g).get(choice[g]);
            size += s.sizeDelta();
            seconds += s.cost().seconds();
            resident += s.cost().residentBytes();
            sens += s.sensitivity();
            acc += s.accuracyChange();
        }
        return new Predicted(size, seconds, resident, sens, acc);
    }

    /** Per layer, the choice and the runner-up: the least sensitive other candidate, and the budget it breaks. */
    private List<Plan.Row> rows(List<List<Scored>> groups, List<LayerChoices> space, int[] choice, Budgets budgets,
            long baseSize, double fixedSeconds, long fixedResident, double baseline) {
        List<Plan.Row> rows = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Scored s = groups.get(g).get(choice[g]);
            Scored runner = null;
            int runnerIndex = -1;
            for (int j = 0; j < groups.get(g).size(); j++) {
                Scored o = groups.get(g).get(j);
                if (j != choice[g] && (runner == null || o.sensitivity() < runner.sensitivity()
                        || (o.sensitivity() == runner.sensitivity() && o.sizeDelta() < runner.sizeDelta()))) {
                    runner = o;
                    runnerIndex = j;
                }
            }
            String why = "";
            if (runner != null) {
                int[] swapped = choice.clone();
                swapped[g] = runnerIndex;
                Predicted p = predicted(groups, swapped, baseSize, fixedSeconds, fixedResident);
                if (budgets.size.isPresent() && p.size > budgets.size.get().value()) {
                    why = String.format(Locale.ROOT, "size over by %,d B", p.size - (long) budgets.size.get().value());
                } else if (budgets.latency.isPresent() && p.seconds > budgets.latency.get().value()) {
                    why = "latency over by " + Plan.time(p.seconds - budgets.latency.get().value());
                } else if (budgets.memory.isPresent() && p.resident > budgets.memory.get().value()) {
                    why = String.format(Locale.ROOT, "memory over by %,d B",
                            p.resident - (long) budgets.memory.get().value());
                } else {
                    why = String.format(Locale.ROOT, "Δloss %+.4f vs %+.4f", runner.sensitivity(), s.sensitivity());
                }
            }
            rows.add(new Plan.Row(space.get(g).layer(), s.candidate().label(), s.cost().representation(),
                    s.cost().storedBytes(), s.cost().residentBytes(), s.cost().macs(), s.cost().seconds(),
                    s.sensitivity(), s.accuracyChange(), runner == null ? "" : runner.candidate().label(), why,
                    groups.get(g).size(), s.cost().notes()));
        }
        return rows;
    }

    /** Plans solved at evenly spaced size capacities, with accuracy predicted from the single-layer changes. */
    private List<Plan.FrontierPoint> frontier(List<List<Scored>> groups, Budgets budgets, long baseSize, long unit,
            Attempt chosen, double baseline) {
        long min = baseSize;
        long max = baseSize;
        for (List<Scored> g : groups) {
            min += g.stream().mapToLong(Scored::sizeDelta).min().orElseThrow();
            max += g.stream().mapToLong(Scored::sizeDelta).max().orElseThrow();
        }
        Budgets sizeOnly = new Budgets(List.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
        List<Plan.FrontierPoint> points = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < FRONTIER_POINTS; i++) {
            double cap = min + (double) (max - min) * i / (FRONTIER_POINTS - 1);
            Optional<int[]> c = solve(groups, sizeOnly, baseSize, 0, 0, unit, Set.of(), 0, Math.floor(cap));
            if (c.isPresent()) {
                Predicted p = predicted(groups, c.get(), baseSize, 0, 0);
                if (seen.add(p.size)) {
                    points.add(new Plan.FrontierPoint(p.size, baseline + p.accuracyChange, false));
                }
            }
        }
        points.add(new Plan.FrontierPoint(chosen.size, chosen.accuracy, true));
        return points;
    }
}
