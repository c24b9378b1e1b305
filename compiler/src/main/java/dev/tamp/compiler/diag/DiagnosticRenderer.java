package dev.tamp.compiler.diag;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;

/**
 * Renders diagnostics for people:
 *
 * <pre>
 * lenet.recipe:12:7: error[E2004]: rank 512 exceeds min(m, n) = 256
 *    |
 * 12 |   factorize fc1 { rank 512 }
 *    |                        ^^^
 *    = note: ...
 *    = help: did you mean `fc2`?
 * </pre>
 *
 * Long lines are cut to a window around the caret and control characters are shown as {@code �}, so a binary or
 * minified input still gives a short, readable report.
 */
public final class DiagnosticRenderer {
    private static final int WINDOW = 100;
    private static final int TAB_WIDTH = 4;

    private DiagnosticRenderer() {}

    public static String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        SourceSpan span = d.span();
        out.append(d.file().name()).append(':').append(span.line()).append(':').append(span.column()).append(": ")
                .append(d.severity().label()).append('[').append(d.code().code()).append("]: ")
                .append(d.message()).append('\n');
        String gutter = " ".repeat(String.valueOf(span.line()).length());
        appendExcerpt(out, gutter, d.file(), span);
        for (Note note : d.notes()) {
            if (note.span().isPresent()) {
                SourceSpan at = note.span().get();
                SourceFile file = note.file().orElseThrow();
                out.append(gutter).append(" = note: ").append(note.message()).append(" (")
                        .append(file.name()).append(':').append(at.line()).append(':').append(at.column()).append(")\n");
            } else {
                out.append(gutter).append(" = note: ").append(note.message()).append('\n');
            }
        }
        d.hint().ifPresent(h -> out.append(gutter).append(" = help: ").append(h).append('\n'));
        return out.toString();
    }

    private static void appendExcerpt(StringBuilder out, String gutter, SourceFile file, SourceSpan span) {
        if (span.line() > file.lineCount()) {
            return;
        }
        String raw = file.line(span.line());
        int[] cps = raw.codePoints().toArray();
        int caretStart = Math.min(span.column() - 1, cps.length);
        int caretEnd = span.endLine() == span.line() ? Math.min(span.endColumn(), cps.length) : cps.length;
        int caretLength = Math.max(1, caretEnd - caretStart);

        int from = 0;
        int to = cps.length;
        if (cps.length > WINDOW) {
            from = Math.max(0, Math.min(caretStart - WINDOW / 2, cps.length - WINDOW));
            to = Math.min(cps.length, from + WINDOW);
        }
        StringBuilder line = new StringBuilder();
        StringBuilder carets = new StringBuilder();
        if (from > 0) {
            line.append('…');
            carets.append(' ');
        }
        for (int i = from; i < to; i++) {
            int c = cps[i];
            String shown = c == '\t' ? " ".repeat(TAB_WIDTH) : printable(c);
            line.append(shown);
            int width = shown.codePointCount(0, shown.length());
            char mark = i >= caretStart && i < caretStart + caretLength ? '^' : ' ';
            if (i < caretStart || mark == '^') {
                carets.append(String.valueOf(mark).repeat(width));
            }
        }
        if (to < cps.length) {
            line.append('…');
        }
        if (caretStart >= to) {
            carets.append('^');
        }
        String lineNumber = String.valueOf(span.line());
        out.append(gutter).append(" |\n");
        out.append(lineNumber).append(" | ").append(line.toString().stripTrailing()).append('\n');
        out.append(gutter).append(" | ").append(carets.toString().stripTrailing()).append('\n');
    }

    private static String printable(int c) {
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.getType(c) == Character.FORMAT) {
            return "\uFFFD";
        }
        return new String(Character.toChars(c));
    }

    /** The closing line: counts of errors and warnings, and how many were not shown. */
    public static String summary(Diagnostics diagnostics) {
        int errors = diagnostics.errorCount();
        int warnings = diagnostics.warningCount();
        StringBuilder s = new StringBuilder();
        s.append(errors).append(errors == 1 ? " error" : " errors");
        if (warnings > 0) {
            s.append(", ").append(warnings).append(warnings == 1 ? " warning" : " warnings");
        }
        if (diagnostics.droppedCount() > 0) {
            s.append(" (").append(diagnostics.droppedCount()).append(" more not shown)");
        }
        return s.toString();
    }
}
