package dev.tamp.optimizer.numerics;

import dev.tamp.model.ir.HuffmanCode;

/**
 * Optimal length-limited prefix-code lengths by package-merge (Larmore and Hirschberg 1990): among all codes whose
 * lengths are at most {@code maxLength}, the one of least total {@code sum freq[s] * length[s]}. When the limit does
 * not bind this is a Huffman code's cost (at most entropy + 1 bit per symbol on average); a limit binds only for
 * streams with Fibonacci-like skewed frequencies, more than ~{@code 2^maxLength}-fold from rarest to commonest.
 *
 * <p>The {@code n} used symbols, sorted by frequency, are coins of denomination {@code 2^-l} for each level {@code l =
 * maxLength .. 1}; a level's list is the symbols merged with the pairs ("packages") of the level below, and the
 * cheapest {@code 2n - 2} items of the top list are the solution. Selected items of a list are always a prefix of it,
 * so a symbol's length is the number of levels whose selected prefix contains it; O(n maxLength) time and memory.
 * With {@code n >= 2} the lengths meet Kraft's inequality with equality. A single used symbol gets length 1 (a code
 * needs one bit to exist); unused symbols get 0.
 */
public final class HuffmanLengths {
    private HuffmanLengths() {}

    /** Lengths for a stream's symbol frequencies ({@code freq[s] = 0} for unused symbols). */
    public static int[] of(long[] freq, int maxLength) {
        if (maxLength < 1 || maxLength > HuffmanCode.MAX_LENGTH) {
            throw new IllegalArgumentException("maxLength must be 1 to " + HuffmanCode.MAX_LENGTH);
        }
        int n = 0;
        for (long f : freq) {
            if (f < 0) {
                throw new IllegalArgumentException("negative frequency " + f);
            }
            n += f > 0 ? 1 : 0;
        }
        int[] lengths = new int[freq.length];
        if (n == 0) {
            return lengths;
        }
        int[] symbols = new int[n];
        for (int s = 0, i = 0; s < freq.length; s++) {
            if (freq[s] > 0) {
                symbols[i++] = s;
            }
        }
        if (n == 1) {
            lengths[symbols[0]] = 1;
            return lengths;
        }
        if (maxLength < 31 && n > 1L << maxLength) {
            throw new IllegalArgumentException(n + " symbols do not fit codes of at most " + maxLength + " bits");
        }
        // Stable sort by frequency (ties by symbol) so results never depend on anything but the input.
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = symbols[i];
        }
        java.util.Arrays.sort(boxed, (a, b) -> freq[a] != freq[b] ? Long.compare(freq[a], freq[b])
                : Integer.compare(a, b));
        long[] leaf = new long[n];
        for (int i = 0; i < n; i++) {
            symbols[i] = boxed[i];
            leaf[i] = freq[symbols[i]];
        }
        // lists[d]: the merged list of level d (d = 0 the deepest); isLeaf marks its leaf items.
        long[][] weights = new long[maxLength][];
        boolean[][] isLeaf = new boolean[maxLength][];
        weights[0] = leaf.clone();
        isLeaf[0] = new boolean[n];
        java.util.Arrays.fill(isLeaf[0], true);
        for (int d = 1; d < maxLength; d++) {
            long[] below = weights[d - 1];
            int packages = below.length / 2;
            long[] merged = new long[n + packages];
            boolean[] leafFlags = new boolean[n + packages];
            int i = 0;
            int p = 0;
            for (int out = 0; out < merged.length; out++) {
                long packageWeight = p < packages ? below[2 * p] + below[2 * p + 1] : Long.MAX_VALUE;
                // Leaves first on ties: any tie order is optimal, this one is fixed.
                if (i < n && leaf[i] <= packageWeight) {
                    merged[out] = leaf[i++];
                    leafFlags[out] = true;
                } else {
                    merged[out] = packageWeight;
                    p++;
                }
            }
            weights[d] = merged;
            isLeaf[d] = leafFlags;
        }
        int take = 2 * n - 2;
        for (int d = maxLength - 1; d >= 0 && take > 0; d--) {
            int leaves = 0;
            for (int j = 0; j < take; j++) {
                leaves += isLeaf[d][j] ? 1 : 0;
            }
            // The selected leaves of a level are the cheapest ones: a prefix of the sorted symbols.
            for (int j = 0; j < leaves; j++) {
                lengths[symbols[j]]++;
            }
            take = 2 * (take - leaves);
        }
        return lengths;
    }

    /** Symbol frequencies of a stream over an alphabet of {@code alphabetSize} symbols. */
    public static long[] frequencies(int[] symbols, int alphabetSize) {
        long[] freq = new long[alphabetSize];
        for (int s : symbols) {
            freq[s]++;
        }
        return freq;
    }

    /** The code of least total length, at most {@code maxLength} bits per symbol, for a non-empty alphabet. */
    public static HuffmanCode code(int[] symbols, int alphabetSize, int maxLength) {
        int[] lengths = of(frequencies(symbols, alphabetSize), maxLength);
        boolean any = false;
        for (int l : lengths) {
            any |= l > 0;
        }
        if (!any) {
            // An empty stream still needs a table; one 1-bit symbol is the smallest.
            lengths[0] = 1;
        }
        return new HuffmanCode(lengths);
    }
}
