package dev.tamp.compiler.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The text of one input file with the name diagnostics show for it and an index of its lines.
 *
 * <p>Text is held as code points so that columns count characters, as editors do, whatever the encoding.
 */
public final class SourceFile {
    private final String name;
    private final Path path;
    private final String text;
    private final int[] codePoints;
    private final int[] lineStarts;

    private SourceFile(String name, Path path, String text) {
        this.name = Objects.requireNonNull(name);
        this.path = path;
        this.text = Objects.requireNonNull(text);
        this.codePoints = text.codePoints().toArray();
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < codePoints.length; i++) {
            int c = codePoints[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= codePoints.length || codePoints[i + 1] != '\n'))) {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    public static SourceFile of(String name, String text) {
        return new SourceFile(name, null, text);
    }

    /** Text that stands for the file at {@code path} (relative paths inside it resolve against its folder). */
    public static SourceFile at(Path path, String name, String text) {
        return new SourceFile(name, Objects.requireNonNull(path), text);
    }

    /**
     * Reads a file as UTF-8. Malformed bytes become U+FFFD, so a corrupt file still gets diagnostics with positions
     * instead of a decoding failure.
     */
    public static SourceFile read(Path path, String displayName) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        return new SourceFile(displayName, path, decode(bytes));
    }

    static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }

    public String name() {
        return name;
    }

    /** The file on disk this text came from, or null for text given directly. */
    public Path path() {
        return path;
    }

    public String text() {
        return text;
    }

    /** Number of characters (code points). */
    public int length() {
        return codePoints.length;
    }

    public int lineCount() {
        return lineStarts.length;
    }

    /** The text of a 1-based line without its line terminator. */
    public String line(int line) {
        if (line < 1 || line > lineStarts.length) {
            throw new IllegalArgumentException("line " + line + " outside 1.." + lineStarts.length);
        }
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] : codePoints.length;
        while (end > start && (codePoints[end - 1] == '\n' || codePoints[end - 1] == '\r')) {
            end--;
        }
        return new String(codePoints, start, end - start);
    }

    /** The 1-based line holding a 0-based character offset (the offset after the last character maps to the last line). */
    public int lineOf(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo + 1;
    }

    /** A span for the characters [start, end) given as 0-based offsets; an empty range gives a one-point span. */
    public SourceSpan span(int start, int end) {
        int s = Math.max(0, Math.min(start, codePoints.length));
        int e = Math.max(s, Math.min(end, codePoints.length));
        int line = lineOf(s);
        int column = s - lineStarts[line - 1] + 1;
        if (e == s) {
            return SourceSpan.point(line, column, s);
        }
        int endLine = lineOf(e - 1);
        int endColumn = (e - 1) - lineStarts[endLine - 1] + 1;
        return new SourceSpan(line, column, endLine, endColumn, s, e);
    }

    /** The span just past the last character, where "unexpected end of file" points. */
    public SourceSpan endSpan() {
        return span(codePoints.length, codePoints.length);
    }

    /** The text inside a span. */
    public String slice(SourceSpan span) {
        return new String(codePoints, span.startOffset(), span.endOffset() - span.startOffset());
    }
}
