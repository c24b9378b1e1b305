package dev.tamp.optimizer.report;

import dev.tamp.optimizer.pipeline.CompileReport;
import dev.tamp.optimizer.pipeline.Pipeline;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code report.md}: the compile report as Markdown tables, for code review tools and wikis. Deterministic. */
public final class MarkdownReport {
    private MarkdownReport() {}

    public static String render(CompileReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(cell(r.recipe())).append(" on ").append(cell(r.model()))
                .append(r.target().isEmpty() ? "" : ", for " + cell(r.target())).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Weights: %,d → %,d bytes (%s); weights file %,d bytes. MACs per input: "
                + "%,d → %,d.%n", r.bytesBefore(), r.bytesAfter(), ratio(r.bytesBefore(), r.bytesAfter()),
                r.weightsFileBytes(), r.macsBefore(), r.macsAfter()));
        if (r.accuracyBefore().isPresent() && r.accuracyAfter().isPresent()) {
            sb.append(String.format(Locale.ROOT, "Accuracy on %,d test images: %.2f %% → %.2f %%.%n",
                    r.evaluatedImages(), 100 * r.accuracyBefore().getAsDouble(), 100 * r.accuracyAfter().getAsDouble()));
        }
        r.code().ifPresent(c -> sb.append(String.format(Locale.ROOT, "Generated Java: `%s` (`%s`), same argmax as the "
                + "reference executor on %,d of %,d %s, max |difference| %s.%n", c.className(), c.sourceFile(),
                c.argmaxAgreement(), c.inputs(), c.inputsFrom(), c.maxAbsDiff())));
        if (!r.budgets().isEmpty()) {
            sb.append("\n## Budgets\n\n| line | budget | compiled model | on | planner expected | |\n"
                    + "|--:|---|--:|---|--:|---|\n");
            for (CompileReport.BudgetCheck b : r.budgets()) {
                sb.append("| ").append(b.line()).append(" | ").append(cell(b.metric() + " " + b.comparison() + " "
                        + (Double.isNaN(b.bound()) ? "?" : CompileReport.value(b.metric(), b.bound())))).append(" | ")
                        .append(Double.isNaN(b.value()) ? "-" : cell(CompileReport.value(b.metric(), b.value())))
                        .append(" | ").append(cell(b.basis())).append(" | ")
                        .append(Double.isNaN(b.planned()) ? "-" : cell(CompileReport.value(b.metric(), b.planned())))
                        .append(" | ").append(CompileReport.verdict(b.verdict())).append(" |\n");
            }
        }
        if (!r.frontier().isEmpty()) {
            sb.append("\n## Size / accuracy frontier\n\n![size/accuracy frontier](frontier.svg)\n\n"
                    + "| weights file | validation accuracy | |\n|--:|--:|---|\n");
            r.frontier().stream().sorted(java.util.Comparator.comparingLong(CompileReport.FrontierPoint::size))
                    .forEach(f -> sb.append(String.format(Locale.ROOT, "| %,d B | %.2f %% | %s |%n", f.size(),
                            100 * f.accuracy(), f.chosen() ? "**chosen** (measured)" : "predicted")));
        }
        boolean predicted = r.hasPredictedLatency();
        boolean measured = r.hasMeasuredLatency();
        boolean sensitivity = r.hasSensitivity();
        sb.append("\n## Layers\n\n![stored bytes per layer](bytes.svg)\n\n| layer | op | representation | params | "
                + "bytes before | bytes after | resident | ratio | MACs before | MACs after |")
                .append(predicted ? " predicted before | predicted after |" : "").append(measured ? " measured |" : "")
                .append(sensitivity ? " Δloss alone |" : "").append(" output error | why |\n")
                .append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|").append(predicted ? "--:|--:|" : "")
                .append(measured ? "--:|" : "").append(sensitivity ? "--:|" : "").append("--:|---|\n");
        for (CompileReport.Row row : r.rows()) {
            String representation = row.representation().equals(row.representationBefore()) ? row.representation()
                    : row.representationBefore() + " → " + row.representation();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %,d | %,d | %,d | %s | %,d | %,d |",
                    cell(row.layer()), cell(row.op()), cell(representation), row.paramsAfter(),
                    row.bytesBefore(), row.bytesAfter(), row.residentAfter(), ratio(row.bytesBefore(), row.bytesAfter()),
                    row.macsBefore(), row.macsAfter()));
            if (predicted) {
                sb.append(' ').append(CompileReport.seconds(row.secondsBefore())).append(" | ")
                        .append(CompileReport.seconds(row.secondsAfter())).append(" |");
            }
            if (measured) {
                sb.append(' ').append(CompileReport.seconds(row.measuredSeconds())).append(" |");
            }
            if (sensitivity) {
                sb.append(' ').append(Double.isNaN(row.sensitivity()) ? "-"
                        : String.format(Locale.ROOT, "%+.4f", row.sensitivity())).append(" |");
            }
            sb.append(' ').append(Double.isNaN(row.outputError()) ? "-"
                    : String.format(Locale.ROOT, "%.2f %%", 100 * row.outputError())).append(" | ")
                    .append(cell(row.why())).append(" |\n");
        }
        r.confusion().ifPresent(c -> {
            sb.append("\n## Confusion matrix (rows: label, columns: predicted)\n\n|");
            for (int p = 0; p < c.classes(); p++) {
                sb.append(" | ").append(p);
            }
            sb.append(" |\n|---").append("|--:".repeat(c.classes())).append("|\n");
            for (int t = 0; t < c.classes(); t++) {
                sb.append("| ").append(t);
                for (int p = 0; p < c.classes(); p++) {
                    sb.append(" | ").append(c.count(t, p));
                }
                sb.append(" |\n");
            }
        });
        sb.append("\n## Passes, in the order run\n\n| pass | statistics |\n|---|---|\n");
        for (Pipeline.PassRun run : r.passes()) {
            sb.append("| ").append(cell(run.info().name())).append(" | ")
                    .append(cell(run.statistics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** A table cell: pipes and line breaks would end it, and angle brackets would become HTML. */
    private static String cell(String s) {
        return Svg.escape(s).replace("|", "\\|").replace("\n", " ").replace("\r", " ");
    }

    private static String ratio(long before, long after) {
        return after == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", (double) before / after);
    }
}
