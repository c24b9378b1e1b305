package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.optimizer.pass.CorePasses;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.plan.CandidateSpace;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What {@code tamp compile} checks after the front end and before any pass runs: every statement must be something
 * this version can carry out. {@code auto} values the planner cannot choose yet, pruning schedules for filter pruning
 * and methods without a pass are the language's, but not yet the compiler's; each is one error at the option or
 * statement that asks for it, reported together, so that nothing heavy starts on a recipe that cannot finish.
 */
public final class Preflight {
    /** Families the fine-tuning driver runs itself rather than through a pass. */
    private static final Set<PassKind> TRAINING = EnumSet.of(PassKind.FINETUNE, PassKind.DISTILL,
            PassKind.REGULARIZE);

    private Preflight() {}

    /** Reports every problem; returns whether there were none. */
    public static boolean check(Recipe recipe, PassContext context, Consumer<Diagnostic> report) {
        List<Diagnostic> found = new ArrayList<>();
        // One error per place in the source, however many layers the statement there reaches.
        Set<SourceSpan> reported = new LinkedHashSet<>();
        for (PassKind family : PassKind.values()) {
            if (TRAINING.contains(family)) {
                continue;
            }
            for (Settings settings : context.layers(family).values()) {
                if (family == PassKind.PRUNE && settings.get("schedule").isPresent()
                        && !settings.word("schedule").equals("oneshot")
                        && List.of("l1-filter", "data-free").contains(settings.word("method"))) {
                    SourceSpan at = span(recipe, family, settings, "schedule");
                    if (reported.add(at)) {
                        found.add(Diagnostic.of(DiagnosticCode.NOT_AVAILABLE, recipe.file(), at, "`schedule "
                                + settings.word("schedule") + "` is carried out for weight pruning (magnitude, obd, "
                                + "obs), not for `method " + settings.word("method") + "`, which removes layers' "
                                + "filters").withHint("prune filters once (`schedule oneshot`); `finetune` then "
                                + "retrains"));
                    }
                }
                if (settings.get("method").isPresent() && !hasPass(family, settings.word("method"))) {
                    SourceSpan at = span(recipe, family, settings, "method");
                    if (reported.add(at)) {
                        found.add(Diagnostic.of(DiagnosticCode.NOT_AVAILABLE, recipe.file(), at, "`"
                                + family.keyword() + " method " + settings.word("method")
                                + "` has no pass in this version of tamp")
                                .withHint("the methods that run today are listed in docs/passes.md"));
                    }
                }
                settings.values().forEach((name, value) -> {
                    SourceSpan at = span(recipe, family, settings, name);
                    if (value instanceof Setting.Auto && !impliedByPattern(family, name, settings)
                            && !CandidateSpace.plannable(family, settings, name) && reported.add(at)) {
                        found.add(Diagnostic.of(DiagnosticCode.NOT_AVAILABLE, recipe.file(), at, "`" + name
                                + " auto` cannot be planned yet: the planner chooses `sparsity`, `bits` and `rank` of"
                                + " passes that change weights only (docs/planner.md)")
                                .withHint("give `" + name + "` a value"));
                    }
                });
            }
        }
        found.forEach(report);
        return found.isEmpty();
    }

    private static boolean hasPass(PassKind family, String method) {
        return CorePasses.all().stream().anyMatch(p -> p.info().family() == family && p.info().method().equals(method));
    }

    /** An N:M pattern fixes the sparsity (1 - N/M), so its default {@code auto} asks the planner nothing. */
    private static boolean impliedByPattern(PassKind family, String option, Settings settings) {
        return family == PassKind.PRUNE && option.equals("sparsity")
                && settings.get("pattern").orElse(null) instanceof Setting.Ratio;
    }

    /**
     * Where an option was set; for a default, where the statement's method was given, or else the family's first
     * statement (a default belongs to the statement that did not override it).
     */
    private static SourceSpan span(Recipe recipe, PassKind family, Settings settings, String option) {
        return settings.get(option).flatMap(Setting::origin)
                .or(() -> settings.get("method").flatMap(Setting::origin))
                .or(() -> recipe.passes().stream().filter(r -> r.kind() == family).findFirst()
                        .map(PassRequest::span))
                .orElse(recipe.span());
    }
}
