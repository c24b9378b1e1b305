package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A canonical prefix code over the symbols {@code 0 .. alphabetSize - 1}, given by one code length per symbol (0 for
 * a symbol the code does not contain), as DEFLATE and JPEG define it: codes are assigned in order of (length, symbol),
 * each the previous plus one, shifted left when the length grows. Only the lengths need storing.
 *
 * <p>The lengths must satisfy Kraft's inequality {@code sum 2^-l <= 1} (so the code is prefix-free) and be at most
 * {@link #MAX_LENGTH}. Choosing good lengths (length-limited Huffman) is the optimizer's job; this class assigns,
 * stores, encodes and decodes.
 *
 * <p>Bit order: a code is written most significant bit first into a stream whose bytes fill from the least
 * significant bit (the DEFLATE convention, and {@code StorageLayout}'s packing); a stream is padded to a byte with
 * zeros.
 *
 * <p>Stored table layout: {@code u8 L} (the longest length, 1 to 24), then packed LSB-first the number of codes of
 * each length {@code 1..L} in {@code symbolBits + 1} bits each, then the used symbols in canonical order in {@code
 * symbolBits} bits each, padded to a byte; {@code symbolBits = log2(alphabetSize)}, which the container knows.
 */
public final class HuffmanCode {
    /** The longest code allowed: long enough for any realistic weight stream, short enough for an int buffer. */
    public static final int MAX_LENGTH = 24;

    private final int[] lengths;
    private final int[] codes;
    private final int maxLength;
    /** count[l]: codes of length l. */
    private final int[] count;
    /** The used symbols in canonical order. */
    private final int[] sorted;

    public HuffmanCode(int[] lengths) {
        this.lengths = lengths.clone();
        int max = 0;
        for (int l : this.lengths) {
            if (l < 0 || l > MAX_LENGTH) {
                throw new IllegalArgumentException("code lengths must be 0 to " + MAX_LENGTH + ", got " + l);
            }
            max = Math.max(max, l);
        }
        if (max == 0) {
            throw new IllegalArgumentException("a code needs at least one symbol");
        }
        maxLength = max;
        count = new int[max + 1];
        long kraft = 0;
        for (int l : this.lengths) {
            if (l > 0) {
                count[l]++;
                kraft += 1L << (MAX_LENGTH - l);
            }
        }
        if (kraft > 1L << MAX_LENGTH) {
            throw new IllegalArgumentException("code lengths " + Arrays.toString(lengths)
                    + " break Kraft's inequality: no prefix code has them");
        }
        int[] offset = new int[max + 2];
        for (int l = 1; l <= max; l++) {
            offset[l + 1] = offset[l] + count[l];
        }
        sorted = new int[offset[max + 1]];
        for (int s = 0; s < this.lengths.length; s++) {
            if (this.lengths[s] > 0) {
                sorted[offset[this.lengths[s]]++] = s;
            }
        }
        codes = new int[this.lengths.length];
        int code = 0;
        int previousLength = 0;
        for (int s : sorted) {
            code <<= lengths[s] - previousLength;
            previousLength = lengths[s];
            codes[s] = code++;
        }
    }

    public int alphabetSize() {
        return lengths.length;
    }

    /** The code length of each symbol, 0 for symbols outside the code. */
    public int[] lengths() {
        return lengths.clone();
    }

    /** The canonical code of each symbol (its low {@code lengths()[s]} bits), 0 for symbols outside the code. */
    public int[] codes() {
        return codes.clone();
    }

    public int maxLength() {
        return maxLength;
    }

    public int usedSymbols() {
        return sorted.length;
    }

    /** Bits the symbols take encoded, before padding; fails on a symbol outside the code. */
    public long encodedBits(int[] symbols) {
        long bits = 0;
        for (int s : symbols) {
            bits += lengthOf(s);
        }
        return bits;
    }

    /** Whether every symbol of the stream has a code. */
    public boolean covers(int[] symbols) {
        for (int s : symbols) {
            if (s < 0 || s >= lengths.length || lengths[s] == 0) {
                return false;
            }
        }
        return true;
    }

    private int lengthOf(int s) {
        if (s < 0 || s >= lengths.length || lengths[s] == 0) {
            throw new IllegalArgumentException("symbol " + s + " has no code");
        }
        return lengths[s];
    }

    /** The symbols encoded, padded to a byte: {@code ceil(encodedBits / 8)} bytes. */
    public byte[] encode(int[] symbols) {
        StorageLayout.Writer out = new StorageLayout.Writer((encodedBits(symbols) + 7) / 8);
        write(symbols, out);
        return out.flushBits().toByteArray();
    }

    /** The first {@code n} symbols of an encoded stream. */
    public int[] decode(byte[] stream, int n) {
        return read(new StorageLayout.Reader(stream), n);
    }

    void write(int[] symbols, StorageLayout.Writer out) {
        for (int s : symbols) {
            int l = lengthOf(s);
            out.bits(Integer.reverse(codes[s]) >>> (32 - l), l);
        }
    }

    /** Decodes bit by bit against the first code of each length (as zlib's puff does): O(maxLength) per symbol. */
    int[] read(StorageLayout.Reader in, int n) {
        // Every code is at least one bit long: more symbols than bits left cannot be there (and would cost memory).
        if (n < 0 || n > in.remainingBits()) {
            throw new IllegalArgumentException("bit stream too short for " + n + " symbols at byte " + in.position());
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int l = 1; ; l++) {
                if (l > maxLength) {
                    throw new IllegalArgumentException("bit stream holds no code of this table at symbol " + i);
                }
                code |= in.bits(1);
                if (code - first < count[l]) {
                    out[i] = sorted[index + code - first];
                    break;
                }
                index += count[l];
                first = (first + count[l]) << 1;
                code <<= 1;
            }
        }
        return out;
    }

    /** Bytes of the stored table (see the class comment) for an alphabet of {@code 2^symbolBits} symbols. */
    long tableBytes(int symbolBits) {
        return 1 + StorageLayout.packedBytes((long) maxLength * (symbolBits + 1) + (long) sorted.length * symbolBits,
                1);
    }

    void writeTable(StorageLayout.Writer out, int symbolBits) {
        checkAlphabet(symbolBits);
        out.u8(maxLength);
        for (int l = 1; l <= maxLength; l++) {
            out.bits(count[l], symbolBits + 1);
        }
        for (int s : sorted) {
            out.bits(s, symbolBits);
        }
        out.flushBits();
    }

    static HuffmanCode readTable(StorageLayout.Reader in, int symbolBits) {
        if (symbolBits < 1 || symbolBits > 16) {
            throw new IllegalArgumentException("code table symbols must be 1 to 16 bits, got " + symbolBits);
        }
        int max = in.u8();
        if (max < 1 || max > MAX_LENGTH) {
            throw new IllegalArgumentException("stored code table has longest length " + max);
        }
        int[] counts = new int[max + 1];
        for (int l = 1; l <= max; l++) {
            counts[l] = in.bits(symbolBits + 1);
        }
        int[] lengths = new int[1 << symbolBits];
        for (int l = 1; l <= max; l++) {
            for (int c = 0; c < counts[l]; c++) {
                int s = in.bits(symbolBits);
                if (lengths[s] != 0) {
                    throw new IllegalArgumentException("stored code table lists symbol " + s + " twice");
                }
                lengths[s] = l;
            }
        }
        in.alignBits();
        return new HuffmanCode(lengths);
    }

    private void checkAlphabet(int symbolBits) {
        if (lengths.length != 1 << symbolBits) {
            throw new IllegalArgumentException("a code over " + lengths.length + " symbols stored as " + symbolBits
                    + "-bit symbols");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HuffmanCode h && Arrays.equals(lengths, h.lengths);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "HuffmanCode[" + sorted.length + " of " + lengths.length + " symbols, longest " + maxLength + "]";
    }
}
