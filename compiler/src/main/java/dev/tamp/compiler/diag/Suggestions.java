package dev.tamp.compiler.diag;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** "Did you mean" candidates by edit distance, and short lists of known names for hints. */
public final class Suggestions {
    /** Longer words are no typos of a name; skipping them keeps a 1 MB token from costing a 1 MB-wide table. */
    private static final int MAX_WORD = 64;

    private Suggestions() {}

    /**
     * The closest candidate, if close enough to be a plausible typo: at most a third of the word's length in edits
     * (at least one), counting a swap of neighbours as one edit.
     */
    public static Optional<String> closest(String word, Collection<String> candidates) {
        if (word.isEmpty() || word.length() > MAX_WORD) {
            return Optional.empty();
        }
        int budget = Math.max(1, word.length() / 3);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates.stream().sorted().toList()) {
            int distance = distance(word.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best != null && bestDistance <= budget && !best.equals(word) ? Optional.of(best) : Optional.empty();
    }

    /** The candidates sorted by closeness to the word, then alphabetically, limited to a count. */
    public static List<String> nearest(String word, Collection<String> candidates, int limit) {
        if (word.length() > MAX_WORD) {
            return candidates.stream().distinct().sorted().limit(limit).toList();
        }
        return candidates.stream()
                .distinct()
                .sorted(Comparator.comparingInt((String c) -> distance(word, c)).thenComparing(c -> c))
                .limit(limit)
                .toList();
    }

    /** `a`, `b`, `c` — the names quoted as code, with "…" when cut. */
    public static String quotedList(Collection<String> names, int limit) {
        List<String> sorted = names.stream().distinct().toList();
        String shown = sorted.stream().limit(limit).map(n -> "`" + n + "`").collect(Collectors.joining(", "));
        return sorted.size() > limit ? shown + ", … (" + sorted.size() + " in all)" : shown;
    }

    /** Optimal string alignment distance: Levenshtein plus adjacent transpositions. */
    public static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[n][m];
    }
}
