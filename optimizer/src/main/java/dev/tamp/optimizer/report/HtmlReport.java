package dev.tamp.optimizer.report;

import static dev.tamp.optimizer.report.Svg.escape;

import dev.tamp.optimizer.pipeline.CompileReport;
import dev.tamp.optimizer.pipeline.Pipeline;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code report.html}: the compile report as one self-contained page (inline CSS and SVG, no script or font from
 * elsewhere) with a per-layer bar chart of stored bytes and the confusion matrix of the compressed model. A small
 * inline script only checks, in a browser, that each chart was laid out, and records the result on the root element
 * ({@code data-charts="ok N"}), which the headless-browser test reads. Deterministic: same report, same bytes.
 */
public final class HtmlReport {
    private static final String BEFORE = "#c6d4e1";
    private static final String AFTER = "#2b6cb0";

    private HtmlReport() {}

    public static String render(CompileReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>tamp report: ").append(escape(r.recipe())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        sb.append("<h1>").append(escape(r.recipe())).append(" <small>on ").append(escape(r.model()))
                .append(r.target().isEmpty() ? "" : ", for " + escape(r.target())).append("</small></h1>\n");
        summary(sb, r);
        budgetTable(sb, r);
        if (!r.frontier().isEmpty()) {
            sb.append("<h2>Size / accuracy frontier</h2>\n<p class=\"note\">What the planner could reach: each dot "
                    + "a plan solved at one size, its validation accuracy predicted from each layer's change alone; "
                    + "the red ring is the plan taken, measured.</p>\n");
            sb.append(frontierChart(r)).append('\n');
        }
        sb.append("<h2>Stored bytes per layer</h2>\n<p class=\"note\">Logarithmic scale; light: original float32, dark: "
                + "after compression (as the weights file stores them).</p>\n");
        sb.append(bytesChart(r.rows())).append('\n');
        layerTable(sb, r);
        r.confusion().ifPresent(c -> {
            sb.append("<h2>Confusion matrix after compression</h2>\n<p class=\"note\">Rows: true label; columns: "
                    + "predicted; ").append(String.format(Locale.ROOT, "%,d", r.evaluatedImages()))
                    .append(" test images.</p>\n");
            sb.append(confusionChart(c)).append('\n');
        });
        passTable(sb, r.passes());
        sb.append("<script>\n").append(CHECK).append("</script>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void summary(StringBuilder sb, CompileReport r) {
        sb.append("<div class=\"cards\">\n");
        card(sb, "weights", bytes(r.bytesBefore()) + " → " + bytes(r.bytesAfter()),
                ratio(r.bytesBefore(), r.bytesAfter()) + " smaller; weights file " + bytes(r.weightsFileBytes()));
        card(sb, "MACs per input", String.format(Locale.ROOT, "%,d → %,d", r.macsBefore(), r.macsAfter()), "");
        if (r.accuracyBefore().isPresent() && r.accuracyAfter().isPresent()) {
            double b = 100 * r.accuracyBefore().getAsDouble();
            double a = 100 * r.accuracyAfter().getAsDouble();
            card(sb, "accuracy", String.format(Locale.ROOT, "%.2f %% → %.2f %%", b, a),
                    String.format(Locale.ROOT, "%+.2f points on %,d test images", a - b, r.evaluatedImages()));
        } else {
            card(sb, "accuracy", "not measured", "no data, or --no-eval");
        }
        if (!r.budgets().isEmpty()) {
            long holds = r.budgets().stream().filter(b -> b.verdict() == CompileReport.Verdict.HOLDS).count();
            long misses = r.budgets().stream().filter(b -> b.verdict() == CompileReport.Verdict.MISSES).count();
            card(sb, "budgets", holds + " of " + r.budgets().size() + " hold", misses == 0 ? "" : misses + " missed");
        }
        r.code().ifPresent(c -> card(sb, "generated Java", c.className(), String.format(Locale.ROOT,
                "same argmax as the reference on %,d of %,d %s", c.argmaxAgreement(), c.inputs(), c.inputsFrom())));
        sb.append("</div>\n");
    }

    private static void card(StringBuilder sb, String title, String value, String detail) {
        sb.append("<div class=\"card\"><div class=\"t\">").append(escape(title)).append("</div><div class=\"v\">")
                .append(escape(value)).append("</div><div class=\"d\">").append(escape(detail)).append("</div></div>\n");
    }

    /** The planner's frontier with the chosen plan and the size budget (the report has a frontier). */
    public static String frontierChart(CompileReport r) {
        return FrontierChart.render("Size / accuracy frontier of " + r.recipe(), r.frontier(),
                r.budgets().stream().filter(b -> b.metric().equals("size"))
                        .mapToDouble(CompileReport.BudgetCheck::bound).findFirst());
    }

    /** Horizontal bars per layer, before and after, on a log10 axis from 100 B to the largest layer. */
    public static String bytesChart(List<CompileReport.Row> rows) {
        double labelWidth = 190;
        double plot = 520;
        double rowHeight = 26;
        double top = 10;
        double height = top + rows.size() * rowHeight + 30;
        long max = Math.max(1000, rows.stream().mapToLong(CompileReport.Row::bytesBefore).max().orElse(1000));
        double lo = 2;
        double hi = Math.ceil(Math.log10(max));
        Svg svg = new Svg("chart bytes", "Stored bytes per layer, before and after", labelWidth + plot + 20, height);
        for (int decade = (int) lo; decade <= hi; decade++) {
            double x = labelWidth + plot * (decade - lo) / (hi - lo);
            svg.line(x, top, x, height - 25, "#ddd").text(x, height - 10, "middle", "#555", decadeLabel(decade));
        }
        for (int i = 0; i < rows.size(); i++) {
            CompileReport.Row row = rows.get(i);
            double y = top + i * rowHeight;
            svg.text(labelWidth - 8, y + 16, "end", "#222", shorten(row.layer()));
            svg.rect(labelWidth, y + 3, width(row.bytesBefore(), lo, hi, plot), 9, BEFORE,
                    row.layer() + ": " + bytes(row.bytesBefore()) + " before");
            svg.rect(labelWidth, y + 13, width(row.bytesAfter(), lo, hi, plot), 9, AFTER,
                    row.layer() + ": " + bytes(row.bytesAfter()) + " after (" + row.representation() + ")");
        }
        return svg.toString();
    }

    /** A heat map of counts, with the count in each cell and the diagonal in the report's blue. */
    static String confusionChart(CompileReport.Confusion c) {
        int n = c.classes();
        double cell = 38;
        double left = 40;
        double top = 30;
        Svg svg = new Svg("chart confusion", "Confusion matrix: rows true label, columns predicted",
                left + n * cell + 10, top + n * cell + 10);
        int max = 1;
        for (int i = 0; i < n * n; i++) {
            max = Math.max(max, c.counts()[i]);
        }
        for (int p = 0; p < n; p++) {
            svg.text(left + p * cell + cell / 2, top - 10, "middle", "#555", String.valueOf(p));
        }
        for (int t = 0; t < n; t++) {
            svg.text(left - 10, top + t * cell + cell / 2 + 4, "end", "#555", String.valueOf(t));
            for (int p = 0; p < n; p++) {
                int count = c.count(t, p);
                double shade = Math.sqrt((double) count / max);
                String fill = count == 0 ? "#f7f7f7" : t == p
                        ? String.format(Locale.ROOT, "rgba(43,108,176,%.2f)", 0.15 + 0.85 * shade)
                        : String.format(Locale.ROOT, "rgba(197,48,48,%.2f)", 0.15 + 0.85 * shade);
                svg.rect(left + p * cell, top + t * cell, cell - 2, cell - 2, fill,
                        "label " + t + " predicted " + p + ": " + count);
                svg.text(left + p * cell + cell / 2 - 1, top + t * cell + cell / 2 + 3, "middle",
                        shade > 0.6 ? "#fff" : "#222", String.valueOf(count));
            }
        }
        return svg.toString();
    }

    private static void budgetTable(StringBuilder sb, CompileReport r) {
        if (r.budgets().isEmpty()) {
            return;
        }
        boolean planned = r.budgets().stream().anyMatch(b -> !Double.isNaN(b.planned()));
        sb.append("<h2>Budgets</h2>\n<table>\n<tr><th>line</th><th>budget</th><th>compiled model</th><th>on</th>")
                .append(planned ? "<th>planner expected</th>" : "").append("<th></th></tr>\n");
        for (CompileReport.BudgetCheck b : r.budgets()) {
            sb.append("<tr><td class=\"n\">").append(b.line()).append("</td><td>").append(escape(b.metric() + " "
                    + b.comparison() + " " + (Double.isNaN(b.bound()) ? "?" : CompileReport.value(b.metric(),
                    b.bound())))).append("</td>");
            num(sb, Double.isNaN(b.value()) ? "-" : CompileReport.value(b.metric(), b.value()));
            sb.append("<td>").append(escape(b.basis())).append("</td>");
            if (planned) {
                num(sb, Double.isNaN(b.planned()) ? "-" : CompileReport.value(b.metric(), b.planned()));
            }
            sb.append("<td class=\"").append(b.verdict().name().toLowerCase(Locale.ROOT)).append("\">")
                    .append(escape(CompileReport.verdict(b.verdict()))).append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void layerTable(StringBuilder sb, CompileReport r) {
        boolean predicted = r.hasPredictedLatency();
        boolean measured = r.hasMeasuredLatency();
        boolean sensitivity = r.hasSensitivity();
        int columns = 11 + (predicted ? 2 : 0) + (measured ? 1 : 0) + (sensitivity ? 1 : 0);
        sb.append("<h2>Layers</h2>\n<table class=\"layers\">\n<tr><th>layer</th><th>op</th><th>representation</th>"
                + "<th>params</th><th>bytes before</th><th>bytes after</th><th>resident</th><th>ratio</th>"
                + "<th>MACs before</th><th>MACs after</th>")
                .append(predicted ? "<th>predicted before</th><th>predicted after</th>" : "")
                .append(measured ? "<th>measured</th>" : "").append(sensitivity ? "<th>Δloss alone</th>" : "")
                .append("<th>output error</th></tr>\n");
        for (CompileReport.Row row : r.rows()) {
            String representation = row.representation().equals(row.representationBefore()) ? row.representation()
                    : row.representationBefore() + " → " + row.representation();
            sb.append("<tr><td>").append(escape(row.layer())).append("</td><td>").append(escape(row.op()))
                    .append("</td><td>").append(escape(representation)).append("</td>");
            num(sb, String.format(Locale.ROOT, "%,d", row.paramsAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.bytesBefore()));
            num(sb, String.format(Locale.ROOT, "%,d", row.bytesAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.residentAfter()));
            num(sb, ratio(row.bytesBefore(), row.bytesAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.macsBefore()));
            num(sb, String.format(Locale.ROOT, "%,d", row.macsAfter()));
            if (predicted) {
                num(sb, CompileReport.seconds(row.secondsBefore()));
                num(sb, CompileReport.seconds(row.secondsAfter()));
            }
            if (measured) {
                num(sb, CompileReport.seconds(row.measuredSeconds()));
            }
            if (sensitivity) {
                num(sb, Double.isNaN(row.sensitivity()) ? "-" : String.format(Locale.ROOT, "%+.4f",
                        row.sensitivity()));
            }
            num(sb, Double.isNaN(row.outputError()) ? "-"
                    : String.format(Locale.ROOT, "%.2f %%", 100 * row.outputError()));
            sb.append("</tr>\n");
            if (!row.why().isEmpty()) {
                sb.append("<tr class=\"why\"><td colspan=\"").append(columns).append("\">why: ")
                        .append(escape(row.why())).append("</td></tr>\n");
            }
        }
        sb.append("</table>\n<p class=\"note\">Output error: relative L2 distance between the layer's outputs in the "
                + "original and the compressed model on validation images, earlier layers' errors included.")
                .append(predicted ? " Predicted: the cost model's latency per input on one core of "
                        + escape(r.target()) + " (docs/planner.md)." : "")
                .append(measured ? " Measured: the generated kernel, timed." : "")
                .append(sensitivity ? " Δloss alone: the planner's validation loss change with only this layer "
                        + "compressed as chosen." : "")
                .append("</p>\n");
    }

    private static void passTable(StringBuilder sb, List<Pipeline.PassRun> passes) {
        sb.append("<h2>Passes, in the order run</h2>\n<table>\n<tr><th>pass</th><th>statistics</th></tr>\n");
        for (Pipeline.PassRun run : passes) {
            sb.append("<tr><td>").append(escape(run.info().name())).append("</td><td>")
                    .append(escape(run.statistics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void num(StringBuilder sb, String s) {
        sb.append("<td class=\"n\">").append(escape(s)).append("</td>");
    }

    private static double width(long bytes, double lo, double hi, double plot) {
        if (bytes <= 0) {
            return 0;
        }
        return plot * Math.max(0, Math.log10(bytes) - lo) / (hi - lo);
    }

    private static String decadeLabel(int decade) {
        return switch (decade) {
            case 2 -> "100 B";
            case 3 -> "1 KB";
            case 4 -> "10 KB";
            case 5 -> "100 KB";
            case 6 -> "1 MB";
            case 7 -> "10 MB";
            case 8 -> "100 MB";
            case 9 -> "1 GB";
            default -> "1e" + decade + " B";
        };
    }

    private static String shorten(String layer) {
        return layer.length() <= 28 ? layer : "…" + layer.substring(layer.length() - 27);
    }

    static String bytes(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.2f MB", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1f KB", n / 1e3) : n + " B";
    }

    private static String ratio(long before, long after) {
        return after == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", (double) before / after);
    }

    private static final String CSS = """
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
            h1 small { color: #666; font-weight: normal; }
            .cards { display: flex; gap: 12px; flex-wrap: wrap; }
            .card { border: 1px solid #ddd; border-radius: 6px; padding: 10px 14px; min-width: 200px; }
            .card .t { color: #666; font-size: 12px; text-transform: uppercase; }
            .card .v { font-size: 20px; font-weight: 600; }
            .card .d { color: #555; font-size: 12px; }
            table { border-collapse: collapse; margin: 8px 0; }
            th, td { border-bottom: 1px solid #eee; padding: 4px 8px; text-align: left; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            tr.why td { color: #555; font-size: 12px; padding-top: 0; padding-left: 24px; }
            td.holds { color: #276749; font-weight: 600; }
            td.misses { color: #c53030; font-weight: 600; }
            td.not_measured { color: #777; }
            .note { color: #666; font-size: 12px; }
            svg text { font: 12px system-ui, sans-serif; }
            """;

    /**
     * Checks in the browser that every chart was laid out with a size and draws marks (bars, cells, dots) that have
     * one too; the test reads the result, and the number of dots the frontier drew.
     */
    private static final String CHECK = """
            (function () {
              var charts = document.querySelectorAll('svg.chart');
              var ok = 0;
              for (var i = 0; i < charts.length; i++) {
                var box = charts[i].getBBox();
                var marks = charts[i].querySelectorAll('rect, circle');
                var drawn = 0;
                for (var j = 0; j < marks.length; j++) {
                  var b = marks[j].getBBox();
                  if (b.width > 0 && b.height > 0) drawn++;
                }
                if (box.width > 0 && box.height > 0 && drawn > 0) ok++;
              }
              document.documentElement.setAttribute('data-charts', (ok === charts.length ? 'ok ' : 'broken ') + ok);
              var dots = document.querySelectorAll('svg.frontier circle');
              document.documentElement.setAttribute('data-frontier-points', String(dots.length));
            })();
            """;
}
