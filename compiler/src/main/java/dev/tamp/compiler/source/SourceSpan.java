package dev.tamp.compiler.source;

/**
 * A region of a source file: 1-based line and column of its first and last character (inclusive), plus 0-based
 * character offsets (start inclusive, end exclusive) for tools that slice the text.
 */
public record SourceSpan(int line, int column, int endLine, int endColumn, int startOffset, int endOffset) {

    public SourceSpan {
        if (line < 1 || column < 1 || endLine < line || endColumn < 1 || (endLine == line && endColumn < column)) {
            throw new IllegalArgumentException("invalid span " + line + ":" + column + "-" + endLine + ":" + endColumn);
        }
        if (startOffset < 0 || endOffset < startOffset) {
            throw new IllegalArgumentException("invalid offsets " + startOffset + ".." + endOffset);
        }
    }

    /** A span covering one point, such as the end of the file. */
    public static SourceSpan point(int line, int column, int offset) {
        return new SourceSpan(line, column, line, column, offset, offset);
    }

    /** The smallest span covering both. */
    public SourceSpan to(SourceSpan other) {
        SourceSpan first = startOffset <= other.startOffset ? this : other;
        SourceSpan last = endOffset >= other.endOffset ? this : other;
        return new SourceSpan(first.line, first.column, last.endLine, last.endColumn, first.startOffset, last.endOffset);
    }

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
