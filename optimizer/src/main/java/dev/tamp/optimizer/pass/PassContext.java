package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.sema.ModelBinding;
import dev.tamp.compiler.sema.Overrides;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.data.RecipeData;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a pass may read besides the model: the seed, each layer's resolved options per family (by node name, as the
 * recipe's statements and overrides give them), the recipe's data for passes that calibrate on training images,
 * and the statistics counters passes add to. One context serves one pipeline run on one thread.
 */
public final class PassContext {
    private static final String PART_SEPARATOR = "::";

    private final long seed;
    private final Map<PassKind, Map<String, Settings>> layers;
    private final Optional<RecipeData> data;
    private final int threads;
    private final Map<String, Long> statistics = new TreeMap<>();

    public PassContext(long seed, Map<PassKind, Map<String, Settings>> layers) {
        this(seed, layers, Optional.empty(), 1);
    }

    /** @param threads executor threads for calibration runs; results never depend on it */
    public PassContext(long seed, Map<PassKind, Map<String, Settings>> layers, Optional<RecipeData> data,
            int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.seed = seed;
        this.data = data;
        this.threads = threads;
        Map<PassKind, Map<String, Settings>> copy = new EnumMap<>(PassKind.class);
        layers.forEach((kind, byLayer) -> copy.put(kind, Collections.unmodifiableMap(new LinkedHashMap<>(byLayer))));
        this.layers = Collections.unmodifiableMap(copy);
    }

    /** The recipe's requests resolved for every layer of the graph that has weights. */
    public static PassContext forRecipe(Recipe recipe, Graph graph) {
        return forRecipe(recipe, graph, Optional.empty(), 1);
    }

    /** The recipe's requests for every layer with weights, with its data for calibrating passes. */
    public static PassContext forRecipe(Recipe recipe, Graph graph, Optional<RecipeData> data, int threads) {
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        for (ModelBinding.Layer layer : ModelBinding.layers(graph)) {
            if (!layer.hasWeights()) {
                continue;
            }
            Overrides.resolve(recipe, layer.ref()).forEach((kind, resolved) ->
                    layers.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(layer.node().name(),
                            resolved.settings()));
        }
        return new PassContext(recipe.seed(), layers, data, threads);
    }

    public long seed() {
        return seed;
    }

    public int threads() {
        return threads;
    }

    /** The recipe's data set, when it has one. */
    public Optional<RecipeData> data() {
        return data;
    }

    /**
     * The first {@code n} training images as a batch, for a pass that calibrates on data; a pass asked for by a
     * layer of a recipe without data fails here with the layer's name (the checker reports it first, E-code
     * {@code needs data}).
     */
    public Tensor trainingBatch(String passName, String layer, int n) {
        return data.orElseThrow(() -> new IllegalArgumentException(layer + ": " + passName
                + " calibrates on training images, and the recipe has no data")).trainingBatch(n);
    }

    /** The layers a family's statements select, in graph order, with their resolved options. */
    public Map<String, Settings> layers(PassKind family) {
        return layers.getOrDefault(family, Map.of());
    }

    /**
     * The options of one layer for a family, if a statement selects it. A node a structural pass put in place of
     * layer {@code L} is named {@code L::part} and inherits {@code L}'s options, so that {@code quantize conv2} still
     * applies to conv2's factors after {@code factorize conv2}. ({@code ::} rather than {@code /}, which PyTorch
     * already uses inside node names.)
     */
    public Optional<Settings> settings(PassKind family, String nodeName) {
        Map<String, Settings> byLayer = layers(family);
        for (String name = nodeName; ; ) {
            Settings s = byLayer.get(name);
            int cut = name.lastIndexOf(PART_SEPARATOR);
            if (s != null || cut <= 0) {
                return Optional.ofNullable(s);
            }
            name = name.substring(0, cut);
        }
    }

    /** The name of the node a structural pass derives from {@code nodeName} for one of its parts. */
    public static String partName(String nodeName, String part) {
        return nodeName + PART_SEPARATOR + part;
    }

    public void count(String statistic, long delta) {
        statistics.merge(statistic, delta, Long::sum);
    }

    /** The counters so far, sorted by name. */
    public Map<String, Long> statistics() {
        return Collections.unmodifiableMap(new TreeMap<>(statistics));
    }
}
