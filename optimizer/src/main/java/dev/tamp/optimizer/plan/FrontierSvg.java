package dev.tamp.optimizer.plan;

import java.util.List;
import java.util.Locale;

/**
 * The size/accuracy frontier as a plain SVG: weights size (x, bytes) against validation accuracy (y), one dot per
 * plan solved at a size capacity (accuracy predicted from single-layer changes) and a ringed dot for the plan
 * taken (accuracy measured). Written by hand: a few dozen elements need no plotting library.
 */
public final class FrontierSvg {
    private static final int W = 640;
    private static final int H = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final int TICKS = 5;

    private FrontierSvg() {}

    public static String render(Plan plan) {
        List<Plan.FrontierPoint> points = plan.frontier();
        double minX = points.stream().mapToDouble(Plan.FrontierPoint::size).min().orElse(0);
        double maxX = points.stream().mapToDouble(Plan.FrontierPoint::size).max().orElse(1);
        double minY = points.stream().mapToDouble(Plan.FrontierPoint::accuracy).min().orElse(0);
        double maxY = points.stream().mapToDouble(Plan.FrontierPoint::accuracy).max().orElse(1);
        if (maxX - minX < 1) {
            maxX = minX + 1;
        }
        if (maxY - minY < 1e-4) {
            maxY = minY + 1e-4;
        }
        double padY = (maxY - minY) * 0.05;
        minY -= padY;
        maxY += padY;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        b.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">%s: size / accuracy "
                + "frontier</text>%n", LEFT, escape(plan.recipe())));
        int x0 = LEFT;
        int y0 = H - BOTTOM;
        int x1 = W - RIGHT;
        int y1 = TOP;
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                x0, y0, x1, y0));
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                x0, y0, x0, y1));
        for (int i = 0; i <= TICKS; i++) {
            double vx = minX + (maxX - minX) * i / TICKS;
            double px = x0 + (double) (x1 - x0) * i / TICKS;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                    + "stroke=\"black\"/>%n", px, y0, px, y0 + 5));
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>%n",
                    px, y0 + 20, vx / 1024));
            double vy = minY + (maxY - minY) * i / TICKS;
            double py = y0 - (double) (y0 - y1) * i / TICKS;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                    + "stroke=\"black\"/>%n", x0 - 5, py, x0, py));
            b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
                    x0 - 8, py + 4, 100 * vy));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">weights (KiB)</text>%n",
                (x0 + x1) / 2, H - 18));
        b.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 18 %d)\">validation accuracy (%%)</text>%n", (y0 + y1) / 2, (y0 + y1) / 2));
        StringBuilder path = new StringBuilder();
        for (Plan.FrontierPoint p : points) {
            double px = x0 + (p.size() - minX) / (maxX - minX) * (x1 - x0);
            double py = y0 - (p.accuracy() - minY) / (maxY - minY) * (y0 - y1);
            if (p.chosen()) {
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\" "
                        + "stroke=\"#c0392b\" stroke-width=\"2\"><title>chosen: %d B, %.2f %% measured</title>"
                        + "</circle>%n", px, py, p.size(), 100 * p.accuracy()));
            } else {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#2c3e50\">"
                        + "<title>%d B, %.2f %% predicted</title></circle>%n", px, py, p.size(), 100 * p.accuracy()));
            }
        }
        if (path.length() > 0) {
            b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"#2c3e50\" stroke-opacity=\"0.4\"/>\n");
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#c0392b\">o chosen (measured)</text>%n",
                x1 - 150, y1 + 4));
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
