package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.OptionChecker;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Pass contexts as a recipe would resolve them, built without parsing one: explicit options merged with defaults. */
public final class TestContexts {
    private static final Optional<SourceSpan> GIVEN = Optional.of(SourceSpan.point(1, 1, 0));

    private TestContexts() {}

    /**
     * A family's settings from name-value pairs: strings are words, numbers numbers, booleans flags; a {@link Setting}
     * is taken as it is (a fraction, {@code auto}).
     */
    public static Settings settings(PassKind family, Object... namesAndValues) {
        Map<String, Setting> explicit = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            Setting s = v instanceof Setting given ? given
                    : v instanceof String w ? new Setting.Word(w, GIVEN)
                    : v instanceof Boolean b ? new Setting.Flag(b, GIVEN)
                    : new Setting.Num(((Number) v).doubleValue(), GIVEN);
            explicit.put((String) namesAndValues[i], s);
        }
        return OptionChecker.merge(Schemas.pass(family), List.of(new Settings(explicit)));
    }

    /** A number given as a fraction ({@code 12.5 %}), as the checker marks it. */
    public static Setting fraction(double value) {
        return new Setting.Num(value, GIVEN, true);
    }

    /** {@code auto}, left to the planner. */
    public static Setting auto() {
        return new Setting.Auto(java.util.OptionalDouble.empty(), java.util.OptionalDouble.empty(), List.of(), GIVEN);
    }

    /** The same settings for every Conv, Gemm and MatMul layer, as {@code quantize ... on type Conv, type Gemm}. */
    public static PassContext allLayers(Graph graph, PassKind family, Settings settings) {
        Map<String, Settings> layers = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            if (List.of("Conv", "Gemm", "MatMul").contains(node.opType())) {
                layers.put(node.name(), settings);
            }
        }
        return new PassContext(42, Map.of(family, layers));
    }
}
