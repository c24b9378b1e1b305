package dev.tamp.model.ir;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The helpers behind every representation's serialized bytes: little-endian scalars, float32 arrays and LSB-first
 * bit-packed unsigned codes, plus the matrix view of a weight ({@code [dims[0], product of the rest]}).
 */
final class StorageLayout {
    private StorageLayout() {}

    /** Bytes needed for {@code count} codes of {@code bits} bits each, packed without gaps. */
    static long packedBytes(long count, int bits) {
        return (count * bits + 7) / 8;
    }

    static int rows(int[] dims) {
        return dims.length == 0 ? 1 : dims[0];
    }

    static int cols(int[] dims) {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return Math.toIntExact(n);
    }

    static int[] checkDims(int[] dims) {
        int[] d = dims.clone();
        long n = Tensor.elementCount(d);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weight " + Arrays.toString(d) + " has more than 2^31 - 1 elements");
        }
        return d;
    }

    /** An append-only little-endian byte writer. */
    static final class Writer {
        private final ByteArrayOutputStream out;
        private long bitBuffer;
        private int bitCount;

        Writer(long expectedSize) {
            out = new ByteArrayOutputStream((int) Math.min(expectedSize, Integer.MAX_VALUE - 8));
        }

        Writer u8(int v) {
            out.write(v & 0xFF);
            return this;
        }

        Writer u16(int v) {
            return u8(v).u8(v >>> 8);
        }

        Writer u32(int v) {
            return u16(v).u16(v >>> 16);
        }

        Writer u64(long v) {
            return u32((int) v).u32((int) (v >>> 32));
        }

        Writer f32(float v) {
            return u32(Float.floatToRawIntBits(v));
        }

        Writer f32s(float[] vs) {
            for (float v : vs) {
                f32(v);
            }
            return this;
        }

        /** Appends the low {@code bits} bits of {@code code}, least significant first; see {@link #flushBits()}. */
        Writer bits(int code, int bits) {
            bitBuffer |= (long) (code & ((1 << bits) - 1)) << bitCount;
            bitCount += bits;
            while (bitCount >= 8) {
                out.write((int) bitBuffer & 0xFF);
                bitBuffer >>>= 8;
                bitCount -= 8;
            }
            return this;
        }

        /** Pads a partial byte of packed codes with zero bits. */
        Writer flushBits() {
            if (bitCount > 0) {
                out.write((int) bitBuffer & 0xFF);
            }
            bitBuffer = 0;
            bitCount = 0;
            return this;
        }

        byte[] toByteArray() {
            if (bitCount != 0) {
                throw new IllegalStateException("unflushed packed bits");
            }
            return out.toByteArray();
        }
    }

    /** Reads what {@link Writer} wrote: little-endian scalars and LSB-first packed codes. */
    static final class Reader {
        private final byte[] in;
        private int position;
        private long bitBuffer;
        private int bitCount;

        Reader(byte[] in) {
            this.in = in;
        }

        private int next() {
            if (position >= in.length) {
                throw new IllegalArgumentException("stored bytes end early, at byte " + position);
            }
            return in[position++] & 0xFF;
        }

        int u8() {
            return next();
        }

        int u16() {
            return u8() | u8() << 8;
        }

        int u32() {
            return u16() | u16() << 16;
        }

        float f32() {
            return Float.intBitsToFloat(u32());
        }

        long u64() {
            return (u32() & 0xFFFFFFFFL) | (long) u32() << 32;
        }

        /** A u32 count that must be at most {@code max}; refused before anything is allocated for it. */
        int count(String what, long max) {
            long v = u32() & 0xFFFFFFFFL;
            if (v > max) {
                throw new IllegalArgumentException(what + " " + v + " exceeds " + max + " at byte " + (position - 4));
            }
            return (int) v;
        }

        /** Whole bytes not yet read. */
        int remaining() {
            return in.length - position;
        }

        /** Bits not yet read: whole bytes plus those buffered from a partly read byte. */
        long remainingBits() {
            return 8L * remaining() + bitCount;
        }

        int position() {
            return position;
        }

        float[] f32s(int n) {
            if (n < 0 || n > remaining() / 4) {
                throw new IllegalArgumentException("stored bytes end early: " + n + " float32 needed at byte "
                        + position + ", " + remaining() + " bytes left");
            }
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = f32();
            }
            return v;
        }

        /** The next {@code bits} bits (at most 24) as an unsigned code, least significant first. */
        int bits(int bits) {
            while (bitCount < bits) {
                bitBuffer |= (long) next() << bitCount;
                bitCount += 8;
            }
            int code = (int) (bitBuffer & ((1L << bits) - 1));
            bitBuffer >>>= bits;
            bitCount -= bits;
            return code;
        }

        /** Drops the padding bits of a partial byte, as {@link Writer#flushBits()} wrote them. */
        Reader alignBits() {
            bitBuffer = 0;
            bitCount = 0;
            return this;
        }

        /**
         * {@code n} codes of {@code bits} bits each, packed LSB-first and padded to a byte; the length is checked
         * before the array is allocated.
         */
        int[] packed(long n, int bits) {
            if (n < 0 || packedBytes(n, bits) > remaining()) {
                throw new IllegalArgumentException("stored bytes end early: " + n + " codes of " + bits
                        + " bits needed at byte " + position + ", " + remaining() + " bytes left");
            }
            int[] v = new int[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = bits(bits);
            }
            alignBits();
            return v;
        }

        boolean atEnd() {
            return position == in.length && bitCount == 0;
        }

        /** Fails unless every byte was read. */
        void expectEnd(String what) {
            if (!atEnd()) {
                throw new IllegalArgumentException(remaining() + " trailing bytes after the " + what + " layout, at byte "
                        + position);
            }
        }

        /** Fails unless exactly {@code expected} bytes were given: checked before reading arrays. */
        static void expectLength(String what, byte[] bytes, long expected) {
            if (bytes.length != expected) {
                throw new IllegalArgumentException(what + " layout needs " + expected + " bytes here, got "
                        + bytes.length);
            }
        }
    }
}
