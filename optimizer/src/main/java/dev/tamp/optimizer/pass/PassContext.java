package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.sema.ModelBinding;
import dev.tamp.compiler.sema.Overrides;
import dev.tamp.model.ir.Graph;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a pass may read besides the model: the seed, each layer's resolved options per family (by node name, as the
 * recipe's statements and overrides give them) and the statistics counters passes add to. One context serves one
 * pipeline run on one thread.
 */
public final class PassContext {
    private final long seed;
    private final Map<PassKind, Map<String, Settings>> layers;
    private final Map<String, Long> statistics = new TreeMap<>();

    public PassContext(long seed, Map<PassKind, Map<String, Settings>> layers) {
        this.seed = seed;
        Map<PassKind, Map<String, Settings>> copy = new EnumMap<>(PassKind.class);
        layers.forEach((kind, byLayer) -> copy.put(kind, Collections.unmodifiableMap(new LinkedHashMap<>(byLayer))));
        this.layers = Collections.unmodifiableMap(copy);
    }

    /** The recipe's requests resolved for every layer of the graph that has weights. */
    public static PassContext forRecipe(Recipe recipe, Graph graph) {
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        for (ModelBinding.Layer layer : ModelBinding.layers(graph)) {
            if (!layer.hasWeights()) {
                continue;
            }
            Overrides.resolve(recipe, layer.ref()).forEach((kind, resolved) ->
                    layers.computeIfAbsent(kind, k -> new LinkedHashMap<>()).put(layer.node().name(),
                            resolved.settings()));
        }
        return new PassContext(recipe.seed(), layers);
    }

    public long seed() {
        return seed;
    }

    /** The layers a family's statements select, in graph order, with their resolved options. */
    public Map<String, Settings> layers(PassKind family) {
        return layers.getOrDefault(family, Map.of());
    }

    /** The options of one layer for a family, if a statement selects it. */
    public Optional<Settings> settings(PassKind family, String nodeName) {
        return Optional.ofNullable(layers(family).get(nodeName));
    }

    public void count(String statistic, long delta) {
        statistics.merge(statistic, delta, Long::sum);
    }

    /** The counters so far, sorted by name. */
    public Map<String, Long> statistics() {
        return Collections.unmodifiableMap(new TreeMap<>(statistics));
    }
}
