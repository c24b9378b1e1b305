package dev.tamp.optimizer.report;

import dev.tamp.optimizer.pipeline.CompileReport;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The planner's size/accuracy frontier as SVG: weights size (x, KB) against validation accuracy (y), one dot per plan
 * solved at a size capacity (accuracy predicted from single-layer changes), joined in size order, a red ring on the
 * plan taken (accuracy measured), and the size budget as a dashed line. Used by {@code report.html} and for the
 * {@code frontier.svg} files of {@code tamp plan} and {@code tamp compile}. Deterministic.
 */
public final class FrontierChart {
    private static final double W = 640;
    private static final double H = 380;
    private static final double LEFT = 70;
    private static final double RIGHT = 30;
    private static final double TOP = 40;
    private static final double BOTTOM = 50;
    private static final int TICKS = 5;
    private static final String CHOSEN = "#c53030";
    private static final String LINE = "#2b6cb0";

    private FrontierChart() {}

    /** The chart; {@code sizeBound} is the recipe's size budget in bytes, drawn when given. */
    public static String render(String title, List<CompileReport.FrontierPoint> points, OptionalDouble sizeBound) {
        double minX = points.stream().mapToDouble(CompileReport.FrontierPoint::size).min().orElse(0);
        double maxX = points.stream().mapToDouble(CompileReport.FrontierPoint::size).max().orElse(1);
        if (sizeBound.isPresent()) {
            minX = Math.min(minX, sizeBound.getAsDouble());
            maxX = Math.max(maxX, sizeBound.getAsDouble());
        }
        double minY = points.stream().mapToDouble(CompileReport.FrontierPoint::accuracy).min().orElse(0);
        double maxY = points.stream().mapToDouble(CompileReport.FrontierPoint::accuracy).max().orElse(1);
        double padX = Math.max(1, (maxX - minX) * 0.05);
        double padY = Math.max(1e-4, (maxY - minY) * 0.08);
        double x0 = minX - padX;
        double x1 = maxX + padX;
        // Accuracies predicted by adding single-layer changes can leave [0, 100 %] at the far ends of the frontier.
        double y0 = Math.max(0, minY - padY);
        double y1 = Math.min(1, maxY + padY);
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;

        Svg svg = new Svg("chart frontier", title, W, H);
        svg.rect(LEFT, TOP, plotW, plotH, "#fafafa", null);
        for (int i = 0; i <= TICKS; i++) {
            double vx = x0 + (x1 - x0) * i / TICKS;
            double px = LEFT + plotW * i / TICKS;
            svg.line(px, TOP, px, TOP + plotH, "#e2e2e2")
                    .text(px, TOP + plotH + 18, "middle", "#555", String.format(Locale.ROOT, "%.1f", vx / 1e3));
            double vy = y0 + (y1 - y0) * i / TICKS;
            double py = TOP + plotH - plotH * i / TICKS;
            svg.line(LEFT, py, LEFT + plotW, py, "#e2e2e2")
                    .text(LEFT - 8, py + 4, "end", "#555", String.format(Locale.ROOT, "%.2f", 100 * vy));
        }
        svg.text(LEFT + plotW / 2, H - 12, "middle", "#222", "weights file (KB)")
                .text(LEFT, TOP - 12, "start", "#222", "validation accuracy (%)");
        if (sizeBound.isPresent()) {
            double px = LEFT + (sizeBound.getAsDouble() - x0) / (x1 - x0) * plotW;
            svg.polyline(new double[] {px, TOP, px, TOP + plotH}, CHOSEN, true)
                    .text(px - 4, TOP + plotH - 6, "end", CHOSEN, "size budget");
        }
        List<CompileReport.FrontierPoint> predicted = points.stream().filter(p -> !p.chosen())
                .sorted(java.util.Comparator.comparingLong(CompileReport.FrontierPoint::size)).toList();
        double[] path = new double[2 * predicted.size()];
        for (int i = 0; i < predicted.size(); i++) {
            path[2 * i] = LEFT + (predicted.get(i).size() - x0) / (x1 - x0) * plotW;
            path[2 * i + 1] = TOP + plotH - (clamp(predicted.get(i).accuracy(), y0, y1) - y0) / (y1 - y0) * plotH;
        }
        if (predicted.size() > 1) {
            svg.polyline(path, LINE, false);
        }
        for (int i = 0; i < predicted.size(); i++) {
            CompileReport.FrontierPoint p = predicted.get(i);
            svg.circle(path[2 * i], path[2 * i + 1], 4, LINE, LINE, String.format(Locale.ROOT,
                    "%,d B, %.2f %% predicted", p.size(), 100 * p.accuracy()));
        }
        for (CompileReport.FrontierPoint p : points) {
            if (p.chosen()) {
                double px = LEFT + (p.size() - x0) / (x1 - x0) * plotW;
                double py = TOP + plotH - (clamp(p.accuracy(), y0, y1) - y0) / (y1 - y0) * plotH;
                String label = String.format(Locale.ROOT, "chosen: %,d B, %.2f %% measured", p.size(),
                        100 * p.accuracy());
                // The label goes beside the ring, below it near the top where the frontier's dots are.
                svg.circle(px, py, 8, "none", CHOSEN, label)
                        .text(px + (px > LEFT + plotW * 0.6 ? -12 : 12), py < TOP + 30 ? py + 24 : py - 10,
                                px > LEFT + plotW * 0.6 ? "end" : "start", CHOSEN, label);
            }
        }
        return svg.toString();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
