package dev.tamp.ide.lsp;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/**
 * Converts between the compiler's positions (0-based code-point offsets, as {@code SourceSpan} and ANTLR tokens
 * count) and LSP positions (0-based line and UTF-16 unit within the line). Lines end at {@code \n}, {@code \r\n} or a
 * lone {@code \r}, as both the compiler and the protocol define them.
 */
final class TextPositions {
    private final String text;
    /** UTF-16 index where each line starts. */
    private final int[] lineStarts;
    /** Code-point offset where each line starts. */
    private final int[] lineStartOffsets;

    TextPositions(String text) {
        this.text = text;
        List<int[]> starts = new ArrayList<>();
        starts.add(new int[] {0, 0});
        int cp = 0;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            int width = Character.charCount(text.codePointAt(i));
            i += width;
            cp++;
            if (c == '\n' || (c == '\r' && (i >= text.length() || text.charAt(i) != '\n'))) {
                starts.add(new int[] {i, cp});
            }
        }
        lineStarts = starts.stream().mapToInt(s -> s[0]).toArray();
        lineStartOffsets = starts.stream().mapToInt(s -> s[1]).toArray();
    }

    /** The LSP position of a code-point offset (clamped to the text). */
    Position position(int offset) {
        int line = 0;
        int lo = 0;
        int hi = lineStartOffsets.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStartOffsets[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        line = lo;
        int index = lineStarts[line];
        int remaining = offset - lineStartOffsets[line];
        while (remaining > 0 && index < text.length()) {
            index += Character.charCount(text.codePointAt(index));
            remaining--;
        }
        return new Position(line, index - lineStarts[line]);
    }

    Range range(int startOffset, int endOffset) {
        return new Range(position(startOffset), position(endOffset));
    }

    /** The code-point offset of an LSP position (clamped to its line's text, before the line break). */
    int offset(Position position) {
        int line = Math.max(0, Math.min(position.getLine(), lineStarts.length - 1));
        int lineEnd = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length();
        while (lineEnd > lineStarts[line] && (text.charAt(lineEnd - 1) == '\n' || text.charAt(lineEnd - 1) == '\r')) {
            lineEnd--;
        }
        int index = lineStarts[line];
        int target = Math.min(lineStarts[line] + Math.max(0, position.getCharacter()), lineEnd);
        int offset = lineStartOffsets[line];
        while (index < target) {
            index += Character.charCount(text.codePointAt(index));
            offset++;
        }
        return offset;
    }

    /** The position just past the last character. */
    Position end() {
        return position(Integer.MAX_VALUE);
    }
}
