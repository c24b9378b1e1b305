package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.TypeName;

/**
 * How codebook indices and int-k codes are kept in memory by the generated class: one byte each at 8 bits, else
 * packed at their width into longs, {@code 64 / bits} fields per word (field {@code i} at bit {@code (i % per) *
 * bits} of word {@code i / per}), so a field never straddles two words and one shift and mask unpack it. At 1, 2 and
 * 4 bits no bit is wasted; at 3, 5, 6 and 7 bits 1 to 4 bits per word are (21, 12, 10 and 9 fields per word).
 */
final class PackedCodes {
    private PackedCodes() {}

    static boolean packed(int bits) {
        return bits < 8;
    }

    /** The resident array type of the indices or codes. */
    static TypeName arrayType(int bits) {
        return ArrayTypeName.of(packed(bits) ? TypeName.LONG : TypeName.BYTE);
    }

    static int perWord(int bits) {
        return 64 / bits;
    }

    /** Resident bytes of {@code n} fields of {@code bits} bits. */
    static long residentBytes(long n, int bits) {
        if (!packed(bits)) {
            return n;
        }
        int per = perWord(bits);
        return 8 * ((n + per - 1) / per);
    }

    /**
     * The Java expression (an int) of the raw {@code bits}-bit field at flat index {@code i} (an int variable in
     * scope) of the array {@code array}: unsigned, 0 to 2^bits - 1. For 8-bit byte arrays it is {@code array[i] &
     * 0xff}. Only ints and fixed names reach the text.
     */
    static String field(String array, String i, int bits) {
        if (!packed(bits)) {
            return "(" + array + "[" + i + "] & 0xff)";
        }
        int per = perWord(bits);
        int mask = (1 << bits) - 1;
        if (Integer.bitCount(per) == 1) {
            int shift = Integer.numberOfTrailingZeros(per);
            String offset = bits == 1 ? "(" + i + " & " + (per - 1) + ")"
                    : "((" + i + " & " + (per - 1) + ") << " + Integer.numberOfTrailingZeros(bits) + ")";
            return "((int) (" + array + "[" + i + " >>> " + shift + "] >>> " + offset + ") & " + mask + ")";
        }
        return "((int) (" + array + "[" + i + " / " + per + "] >>> (" + i + " % " + per + " * " + bits + ")) & "
                + mask + ")";
    }

    /**
     * The signed or unsigned code value at flat index {@code i} of an int-k array: at 8 bits the stored byte (two's
     * complement when signed), packed the raw field plus the lowest code ({@code -2^(bits-1)} when signed, else 0).
     */
    static String code(String array, String i, int bits, boolean signed) {
        if (!packed(bits)) {
            return signed ? array + "[" + i + "]" : "(" + array + "[" + i + "] & 0xff)";
        }
        return signed ? "(" + field(array, i, bits) + " - " + (1 << (bits - 1)) + ")" : field(array, i, bits);
    }
}
