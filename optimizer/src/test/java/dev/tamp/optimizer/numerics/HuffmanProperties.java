package dev.tamp.optimizer.numerics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.HuffmanCode;
import dev.tamp.optimizer.PropertyCases;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Package-merge lengths and canonical codes as properties: Kraft, exact decoding, optimality, the length limit. */
class HuffmanProperties {
    /** Kraft sum in units of 2^-MAX_LENGTH, exact in a long. */
    private static long kraft(int[] lengths) {
        long sum = 0;
        for (int l : lengths) {
            sum += l > 0 ? 1L << (HuffmanCode.MAX_LENGTH - l) : 0;
        }
        return sum;
    }

    private static int used(long[] freq) {
        int n = 0;
        for (long f : freq) {
            n += f > 0 ? 1 : 0;
        }
        return n;
    }

    @TestFactory
    Stream<DynamicTest> lengthsMeetKraftWithEqualityForTwoOrMoreSymbols() {
        record Params(long[] frequencies, int maxLength) {}
        return PropertyCases.forAll(20261125, 400,
                g -> new Params(g.longs("frequencies", 1, 300, 0, 1_000_000), g.ints("maxLength", 9, 24)),
                c -> lengthsMeetKraftWithEqualityForTwoOrMoreSymbols(c.frequencies(), c.maxLength()));
    }

    void lengthsMeetKraftWithEqualityForTwoOrMoreSymbols(long[] freq, int maxLength) {
        int[] lengths = HuffmanLengths.of(freq, maxLength);
        int n = used(freq);
        for (int s = 0; s < freq.length; s++) {
            assertThat(lengths[s] > 0).isEqualTo(freq[s] > 0);
            assertThat(lengths[s]).isLessThanOrEqualTo(maxLength);
        }
        if (n >= 2) {
            assertThat(kraft(lengths)).isEqualTo(1L << HuffmanCode.MAX_LENGTH);
        } else if (n == 1) {
            assertThat(kraft(lengths)).isEqualTo(1L << (HuffmanCode.MAX_LENGTH - 1));
        }
    }

    /** Streams over 2^bits symbols drawn from a distribution skewed by {@code skew} (0 = uniform). */
    private static int[] stream(long seed, int length, int bits, double skew) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int alphabet = 1 << bits;
        int[] s = new int[length];
        for (int i = 0; i < length; i++) {
            // Geometric-like: symbol j with weight ~ exp(-skew * j); skew 0 is uniform.
            double u = rnd.nextDouble();
            int sym = skew == 0 ? rnd.nextInt(alphabet)
                    : (int) Math.min(alphabet - 1, Math.floor(-Math.log(1 - u) / skew));
            s[i] = sym;
        }
        return s;
    }

    @TestFactory
    Stream<DynamicTest> decodingIsExactForArbitraryStreams() {
        record Params(int length, int bits, int skewTenths, long seed, boolean constant) {}
        return PropertyCases.forAll(20261126, 300,
                g -> new Params(g.ints("length", 0, 3000), g.ints("bits", 1, 16), g.ints("skewTenths", 0, 40),
                        g.longs("seed"), g.booleans("constant")),
                c -> decodingIsExactForArbitraryStreams(c.length(), c.bits(), c.skewTenths(), c.seed(),
                        c.constant()));
    }

    void decodingIsExactForArbitraryStreams(int length, int bits, int skewTenths, long seed, boolean constant) {
        int[] symbols = constant ? new int[length] : stream(seed, length, bits, skewTenths / 10.0);
        HuffmanCode code = HuffmanLengths.code(symbols, 1 << bits, HuffmanCode.MAX_LENGTH);
        byte[] encoded = code.encode(symbols);
        assertThat((long) encoded.length).isEqualTo((code.encodedBits(symbols) + 7) / 8);
        assertThat(code.decode(encoded, symbols.length)).containsExactly(symbols);
        if (constant && length > 0) {
            assertThat(code.usedSymbols()).isEqualTo(1);
            assertThat(code.encodedBits(symbols)).isEqualTo(length);
        }
    }

    /** Huffman's cost: the sum of the merged weights, by a heap (the textbook algorithm, independent of ours). */
    private static long huffmanCost(long[] freq) {
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (long f : freq) {
            if (f > 0) {
                heap.add(f);
            }
        }
        long cost = 0;
        while (heap.size() > 1) {
            long merged = heap.poll() + heap.poll();
            cost += merged;
            heap.add(merged);
        }
        return cost;
    }

    /**
     * With at most 25 used symbols a Huffman tree is at most 24 deep, so the 24-bit limit cannot bind: package-merge
     * must reach Huffman's optimal cost exactly, which lies in [H, H + 1) bits per symbol (Shannon; Huffman 1952).
     * The entropy is summed in double over at most 25 terms of relative error ~1e-16 each, far below the slack of the
     * bound checked, so 1e-9 bits per symbol absorbs rounding.
     */
    @TestFactory
    Stream<DynamicTest> unlimitedLengthsAreOptimalAndWithinOneBitOfTheEntropy() {
        return PropertyCases.forAll(20261127, 400, g -> g.longs("frequencies", 2, 25, 0, 1L << 40),
                this::unlimitedLengthsAreOptimalAndWithinOneBitOfTheEntropy);
    }

    void unlimitedLengthsAreOptimalAndWithinOneBitOfTheEntropy(long[] freq) {
        if (used(freq) < 2) {
            return;
        }
        int[] lengths = HuffmanLengths.of(freq, HuffmanCode.MAX_LENGTH);
        long cost = 0;
        double total = 0;
        for (int s = 0; s < freq.length; s++) {
            cost += freq[s] * lengths[s];
            total += freq[s];
        }
        assertThat(cost).isEqualTo(huffmanCost(freq));
        double entropy = 0;
        for (long f : freq) {
            if (f > 0) {
                entropy -= f / total * (Math.log(f / total) / Math.log(2));
            }
        }
        double average = cost / total;
        assertThat(average).isLessThan(entropy + 1 + 1e-9).isGreaterThanOrEqualTo(entropy - 1e-9);
    }

    /**
     * Fibonacci frequencies make Huffman's tree a chain (depth n - 1): a limit below that binds, and the limited code
     * must still be complete (Kraft equality), within the limit, and no cheaper than the unlimited optimum.
     */
    @TestFactory
    Stream<DynamicTest> aBindingLimitIsRespected() {
        record Params(int n, int maxLength) {}
        return PropertyCases.forAll(20261128, 100, g -> new Params(g.ints("n", 3, 40), g.ints("maxLength", 2, 12)),
                c -> aBindingLimitIsRespected(c.n(), c.maxLength()));
    }

    void aBindingLimitIsRespected(int n, int maxLength) {
        if (n > 1 << maxLength) {
            return;
        }
        long[] freq = new long[n];
        freq[0] = 1;
        freq[1] = 1;
        for (int i = 2; i < n; i++) {
            freq[i] = freq[i - 1] + freq[i - 2];
        }
        int[] lengths = HuffmanLengths.of(freq, maxLength);
        assertThat(kraft(lengths)).isEqualTo(1L << HuffmanCode.MAX_LENGTH);
        long cost = 0;
        for (int s = 0; s < n; s++) {
            assertThat(lengths[s]).isBetween(1, maxLength);
            cost += freq[s] * lengths[s];
        }
        assertThat(cost).isGreaterThanOrEqualTo(huffmanCost(freq));
        if (n - 1 <= maxLength) {
            assertThat(cost).isEqualTo(huffmanCost(freq));
        }
    }
}
