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
                .append("</small></h1>\n");
        summary(sb, r);
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
        r.code().ifPresent(c -> card(sb, "generated Java", c.className(), String.format(Locale.ROOT,
                "same argmax as the reference on %,d of %,d %s", c.argmaxAgreement(), c.inputs(), c.inputsFrom())));
        sb.append("</div>\n");
    }

    private static void card(StringBuilder sb, String title, String value, String detail) {
        sb.append("<div class=\"card\"><div class=\"t\">").append(escape(title)).append("</div><div class=\"v\">")
                .append(escape(value)).append("</div><div class=\"d\">").append(escape(detail)).append("</div></div>\n");
    }

    /** Horizontal bars per layer, before and after, on a log10 axis from 100 B to the largest layer. */
    static String bytesChart(List<CompileReport.Row> rows) {
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

    private static void layerTable(StringBuilder sb, CompileReport r) {
        sb.append("<h2>Layers</h2>\n<table>\n<tr><th>layer</th><th>op</th><th>representation</th><th>params</th>"
                + "<th>bytes before</th><th>bytes after</th><th>resident</th><th>ratio</th><th>MACs before</th>"
                + "<th>MACs after</th><th>output error</th></tr>\n");
        for (CompileReport.Row row : r.rows()) {
            sb.append("<tr><td>").append(escape(row.layer())).append("</td><td>").append(escape(row.op()))
                    .append("</td><td>").append(escape(row.representation())).append("</td>");
            num(sb, String.format(Locale.ROOT, "%,d", row.paramsAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.bytesBefore()));
            num(sb, String.format(Locale.ROOT, "%,d", row.bytesAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.residentAfter()));
            num(sb, ratio(row.bytesBefore(), row.bytesAfter()));
            num(sb, String.format(Locale.ROOT, "%,d", row.macsBefore()));
            num(sb, String.format(Locale.ROOT, "%,d", row.macsAfter()));
            num(sb, Double.isNaN(row.outputError()) ? "-"
                    : String.format(Locale.ROOT, "%.2f %%", 100 * row.outputError()));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n<p class=\"note\">Output error: relative L2 distance between the layer's outputs in the "
                + "original and the compressed model on validation images, earlier layers' errors included.</p>\n");
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
            .note { color: #666; font-size: 12px; }
            svg text { font: 12px system-ui, sans-serif; }
            """;

    /** Checks in the browser that every chart was laid out with a size; the test reads the result. */
    private static final String CHECK = """
            (function () {
              var charts = document.querySelectorAll('svg.chart');
              var ok = 0;
              for (var i = 0; i < charts.length; i++) {
                var box = charts[i].getBBox();
                if (box.width > 0 && box.height > 0 && charts[i].querySelectorAll('rect').length > 0) ok++;
              }
              document.documentElement.setAttribute('data-charts', (ok === charts.length ? 'ok ' : 'broken ') + ok);
            })();
            """;
}
