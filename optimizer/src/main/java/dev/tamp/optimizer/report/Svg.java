package dev.tamp.optimizer.report;

import java.util.Locale;

/**
 * A small SVG writer for the report's charts: every text goes through {@link #escape}, so a layer name from a model
 * never becomes markup. Coordinates are printed with one decimal, so the same figures give the same bytes.
 */
final class Svg {
    private final StringBuilder sb = new StringBuilder();

    Svg(String cssClass, String title, double width, double height) {
        sb.append(String.format(Locale.ROOT, "<svg class=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                + "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">", cssClass, width, height,
                width, height, escape(title)));
        sb.append("<title>").append(escape(title)).append("</title>");
    }

    Svg rect(double x, double y, double w, double h, String fill, String tooltip) {
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                x, y, Math.max(0, w), Math.max(0, h), fill));
        if (tooltip != null) {
            sb.append("<title>").append(escape(tooltip)).append("</title>");
        }
        sb.append("</rect>");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                x1, y1, x2, y2, stroke));
        return this;
    }

    /** A dot, or a ring when {@code fill} is {@code none}. */
    Svg circle(double cx, double cy, double r, String fill, String stroke, String tooltip) {
        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"%s\" "
                + "stroke-width=\"2\">", cx, cy, r, fill, stroke));
        if (tooltip != null) {
            sb.append("<title>").append(escape(tooltip)).append("</title>");
        }
        sb.append("</circle>");
        return this;
    }

    /** A polyline through the points {@code xy[0], xy[1], xy[2], ...}; dashed when {@code dashed}. */
    Svg polyline(double[] xy, String stroke, boolean dashed) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i + 1 < xy.length; i += 2) {
            points.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", xy[i], xy[i + 1]));
        }
        sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\"%s/>", points,
                stroke, dashed ? " stroke-dasharray=\"5 4\"" : ""));
        return this;
    }

    /** Text anchored {@code start}, {@code middle} or {@code end}. */
    Svg text(double x, double y, String anchor, String fill, String text) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">", x, y,
                anchor, fill)).append(escape(text)).append("</text>");
        return this;
    }

    @Override
    public String toString() {
        return sb + "</svg>";
    }

    /** Text for HTML or SVG content and attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    // Control characters are not allowed in XML 1.0; a model name may still hold them.
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        out.append('?');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
