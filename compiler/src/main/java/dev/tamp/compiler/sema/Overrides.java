package dev.tamp.compiler.sema;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.LayerRef;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.schema.OptionChecker;
import dev.tamp.compiler.schema.Schemas;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The override order: what a recipe asks of one layer. Per pass family, the statements whose selectors match the
 * layer apply in source order, later explicit options overriding earlier ones option by option (see
 * {@link OptionChecker#merge}); families do not override each other.
 */
public final class Overrides {
    private Overrides() {}

    /** One family's resolved request for a layer, with the statements it came from. */
    public record ResolvedPass(PassKind kind, Settings settings, List<PassRequest> from) {
        public ResolvedPass {
            from = List.copyOf(from);
        }
    }

    /** The resolved requests for a layer, in pass-family order; families no statement selects are absent. */
    public static Map<PassKind, ResolvedPass> resolve(Recipe recipe, LayerRef layer) {
        Map<PassKind, List<PassRequest>> matching = new EnumMap<>(PassKind.class);
        for (PassRequest request : recipe.passes()) {
            if (request.selector().matches(layer)) {
                matching.computeIfAbsent(request.kind(), k -> new ArrayList<>()).add(request);
            }
        }
        Map<PassKind, ResolvedPass> resolved = new EnumMap<>(PassKind.class);
        matching.forEach((kind, requests) -> resolved.put(kind, new ResolvedPass(kind,
                OptionChecker.merge(Schemas.pass(kind), requests.stream().map(PassRequest::settings).toList()),
                requests)));
        return resolved;
    }
}
