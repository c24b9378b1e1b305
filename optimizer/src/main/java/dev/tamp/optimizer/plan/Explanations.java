package dev.tamp.optimizer.plan;

import dev.tamp.compiler.ast.BudgetEntry;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Budget;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.compiler.sema.ModelBinding;
import dev.tamp.compiler.sema.Overrides;
import dev.tamp.model.ir.Model;
import dev.tamp.optimizer.pipeline.CompileReport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Explains a compile report: per layer the cost model's latency before and after on the recipe's target, the
 * planner's sensitivity, and a note saying why the layer ended in its representation (the planner's choice and its
 * runner-up, the recipe statements that fixed it, what the target cannot exploit); and each budget of the recipe
 * with the figure it is judged on and whether it holds. Deterministic: no timings.
 */
public final class Explanations {
    private Explanations() {}

    /**
     * @param before the model as the recipe loaded it
     * @param after  the compiled model
     * @param plan   the planner's plan when the recipe had {@code auto} values
     */
    public static CompileReport explain(CompileReport report, Recipe recipe, Model before, Model after,
            Optional<Plan> plan) {
        boolean simd = recipe.emit().map(e -> e.settings().get("simd")
                .map(s -> !(s instanceof Setting.Word w && w.word().equals("off"))).orElse(true)).orElse(true);
        CostModel costs = new CostModel(recipe.target(), simd);
        boolean predicts = recipe.target().isPresent();
        Map<String, Plan.Row> planned = new HashMap<>();
        plan.ifPresent(p -> p.rows().forEach(r -> planned.put(r.layer(), r)));
        Map<String, ModelBinding.Layer> layers = new HashMap<>();
        ModelBinding.layers(before.graph()).forEach(l -> layers.put(l.node().name(), l));

        List<CompileReport.Row> rows = new ArrayList<>();
        for (CompileReport.Row row : report.rows()) {
            double secondsBefore = Double.NaN;
            double secondsAfter = Double.NaN;
            List<String> notes = List.of();
            if (predicts) {
                secondsBefore = costs.layer(before, row.layer()).seconds();
                CostModel.Estimate estimate = costs.layer(after, row.layer());
                secondsAfter = estimate.seconds();
                notes = estimate.notes();
            }
            Plan.Row choice = planned.get(row.layer());
            double sensitivity = choice == null ? Double.NaN : choice.sensitivity();
            ModelBinding.Layer layer = layers.get(row.layer());
            rows.add(row.explained(secondsBefore, secondsAfter, sensitivity, why(row, recipe,
                    layer == null ? Map.of() : Overrides.resolve(recipe, layer.ref()), choice, notes)));
        }
        List<CompileReport.FrontierPoint> frontier = plan.map(FrontierSvg::points).orElse(List.of());
        // The budgets are judged on the explained rows (their predicted latencies).
        CompileReport explained = report.explained(recipe.target().map(TargetSpec::name).orElse(""), rows,
                List.of(), frontier);
        return explained.explained(explained.target(), rows, budgets(explained, recipe, after, plan), frontier);
    }

    /** Why a layer is what it is, in one line of clauses. */
    static String why(CompileReport.Row row, Recipe recipe, Map<PassKind, Overrides.ResolvedPass> statements,
            Plan.Row choice, List<String> costNotes) {
        List<String> clauses = new ArrayList<>();
        if (row.representation().equals("removed")) {
            clauses.add("removed from the graph by the passes");
        }
        boolean plannerChose = choice != null && choice.candidates() > 1;
        if (plannerChose) {
            StringBuilder c = new StringBuilder(String.format(Locale.ROOT,
                    "the planner chose `%s` of %d candidates (validation loss %+.4f with this layer alone compressed)",
                    choice.choice(), choice.candidates(), choice.sensitivity()));
            if (!choice.runnerUp().isEmpty()) {
                c.append("; runner-up `").append(choice.runnerUp()).append("`: ").append(choice.whyLost());
            }
            clauses.add(c.toString());
        }
        List<String> from = new ArrayList<>();
        boolean[] anyAuto = {false};
        statements.forEach((kind, resolved) -> {
            if (kind == PassKind.FINETUNE || kind == PassKind.DISTILL) {
                return;
            }
            String lines = resolved.from().stream().map(r -> String.valueOf(r.span().line()))
                    .collect(Collectors.joining(", "));
            boolean auto = resolved.settings().values().values().stream().anyMatch(s -> s instanceof Setting.Auto
                    && s.origin().isPresent());
            anyAuto[0] |= auto;
            from.add("`" + kind.keyword() + "` (line" + (resolved.from().size() > 1 ? "s " : " ") + lines
                    + (auto ? ", auto" : "") + ")");
        });
        if (from.isEmpty()) {
            clauses.add("no statement selects this layer: kept " + row.representationBefore());
        } else {
            // `auto` values without a plan: a `--lock` replay ran the values the planner chose when the lock was written.
            clauses.add((plannerChose ? "from " : anyAuto[0] ? "as locked in tamp.lock (the planner's choice when the "
                    + "lock was written, not re-planned): " : "fixed by the recipe: ") + String.join(", ", from));
        }
        for (String note : costNotes) {
            // Notes about the whole target (no SIMD on Android, no target) are the same for every layer.
            if (note.startsWith("pruned but not faster") || note.startsWith("int codes")) {
                clauses.add(note);
            }
        }
        if (row.bytesAfter() > 0 && row.residentAfter() > row.bytesAfter()
                && !row.representation().equals(row.representationBefore())) {
            clauses.add(String.format(Locale.ROOT, "decoded at load: %,d B in memory for %,d B stored",
                    row.residentAfter(), row.bytesAfter()));
        }
        return String.join("; ", clauses);
    }

    /** Each budget of the recipe against the compiled model, with what the planner expected of it. */
    static List<CompileReport.BudgetCheck> budgets(CompileReport r, Recipe recipe, Model after, Optional<Plan> plan) {
        List<CompileReport.BudgetCheck> out = new ArrayList<>();
        for (Budget b : recipe.budgets()) {
            boolean atMost = b.comparison() == BudgetEntry.Comparison.LE || b.comparison() == BudgetEntry.Comparison.LT;
            double planned = plan.flatMap(p -> p.totals().stream().filter(t -> t.metric().equals(b.metric()))
                    .findFirst()).map(Plan.Total::predicted).orElse(Double.NaN);
            double bound = b.value();
            double value;
            String basis;
            switch (b.metric()) {
                case "size" -> {
                    value = r.weightsFileBytes();
                    basis = "weights file";
                }
                case "latency" -> {
                    boolean measured = r.rows().stream().allMatch(row -> !Double.isNaN(row.measuredSeconds()));
                    value = r.rows().stream().mapToDouble(measured ? CompileReport.Row::measuredSeconds
                            : CompileReport.Row::secondsAfter).sum();
                    basis = measured ? "measured on the generated code, layers with weights"
                            : r.target().isEmpty() ? "not predicted: the recipe has no target"
                            : "predicted on " + r.target() + ", layers with weights, one core";
                }
                case "memory" -> {
                    value = r.rows().stream().mapToLong(CompileReport.Row::residentAfter).sum()
                            + CostModel.peakActivationBytes(after.graph());
                    basis = "resident weights + peak activations";
                }
                default -> {
                    if (b.relativeToBaseline()) {
                        bound = r.accuracyBefore().isPresent() ? r.accuracyBefore().getAsDouble() + b.value()
                                : Double.NaN;
                    }
                    value = r.accuracyAfter().isPresent() ? r.accuracyAfter().getAsDouble() : Double.NaN;
                    basis = String.format(Locale.ROOT, "%,d test images", r.evaluatedImages());
                }
            }
            CompileReport.Verdict verdict = Double.isNaN(value) || Double.isNaN(bound)
                    ? CompileReport.Verdict.NOT_MEASURED
                    : (atMost ? value <= bound : value >= bound) ? CompileReport.Verdict.HOLDS
                    : CompileReport.Verdict.MISSES;
            out.add(new CompileReport.BudgetCheck(b.metric(), atMost ? "<=" : ">=", bound, planned, value, basis,
                    verdict, b.span().line()));
        }
        return out;
    }
}
