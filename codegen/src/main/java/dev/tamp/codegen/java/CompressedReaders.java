package dev.tamp.codegen.java;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.io.IOException;
import javax.lang.model.element.Modifier;

/**
 * The payload decoders of the generated {@code WeightsReader} (Java 8): each turns the {@code serialize()} bytes of
 * one compressed representation (layouts on the IR records) into the arrays its kernels read, checking every count
 * against the bytes actually present before allocating by it, and refusing anything else with an {@link IOException}
 * starting {@code corrupt weights container:}. The method bodies are fixed Java text, the same for every model.
 */
final class CompressedReaders {
    private CompressedReaders() {}

    /** A method whose body is {@code text}: one statement or brace per line, indented by its braces. */
    private static MethodSpec method(String name, String doc, Class<?> returns, String params, String text) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addJavadoc(doc + "\n")
                .addModifiers(Modifier.STATIC).returns(returns).addException(IOException.class);
        for (String p : params.split(", ")) {
            String[] tv = p.split(" ");
            Class<?> t = switch (tv[0]) {
                case "byte[]" -> byte[].class;
                case "int" -> int.class;
                case "int[]" -> int[].class;
                case "long" -> long.class;
                case "int[][]" -> int[][].class;
                case "String" -> String.class;
                default -> throw new IllegalArgumentException(tv[0]);
            };
            m.addParameter(t, tv[1]);
        }
        CodeBlock.Builder b = CodeBlock.builder();
        for (String line : text.strip().split("\n")) {
            String l = line.strip().replace("$", "$$");
            if (l.startsWith("}")) {
                b.unindent();
            }
            b.add(l + "\n");
            if (l.endsWith("{")) {
                b.indent();
            }
        }
        return m.addCode(b.build()).build();
    }

    static MethodSpec bits() {
        return method("bits", "The {@code n}-bit (at most 16) field at bit {@code at} of {@code p}, packed LSB-first.",
                int.class, "byte[] p, long at, int n", """
                int i = (int) (at >>> 3);
                int b0 = p[i] & 0xff;
                int b1 = i + 1 < p.length ? p[i + 1] & 0xff : 0;
                int b2 = i + 2 < p.length ? p[i + 2] & 0xff : 0;
                return ((b0 | b1 << 8 | b2 << 16) >>> (int) (at & 7)) & ((1 << n) - 1);
                """);
    }

    static MethodSpec floats() {
        return method("floats", "{@code n} little-endian float32 values at byte {@code at} (checked by the caller).",
                float[].class, "byte[] p, int at, int n", """
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                int b = at + 4 * i;
                v[i] = Float.intBitsToFloat((p[b] & 0xff) | (p[b + 1] & 0xff) << 8 | (p[b + 2] & 0xff) << 16 | (p[b + 3] & 0xff) << 24);
                }
                return v;
                """);
    }

    static MethodSpec csr() {
        return method("csr", "Row starts and column indices (as byte[] when {@code colBytes} is 1, short[] when 2, "
                + "else int[]; read unsigned) of {@code kept} increasing flat positions in a [rows, cols] matrix.",
                Object[].class, "int[] positions, int kept, int rows, int cols, int colBytes", """
                int[] start = new int[rows + 1];
                byte[] c1 = colBytes == 1 ? new byte[kept] : null;
                short[] c2 = colBytes == 2 ? new short[kept] : null;
                int[] c4 = colBytes == 4 ? new int[kept] : null;
                for (int e = 0; e < kept; e++) {
                int row = positions[e] / cols;
                int col = positions[e] - row * cols;
                start[row + 1]++;
                if (c1 != null) {
                c1[e] = (byte) col;
                } else if (c2 != null) {
                c2[e] = (short) col;
                } else {
                c4[e] = col;
                }
                }
                for (int r = 0; r < rows; r++) {
                start[r + 1] += start[r];
                }
                return new Object[] {start, c1 != null ? c1 : c2 != null ? c2 : c4};
                """);
    }

    static MethodSpec sparse() {
        return method("sparse", "A sparse payload (gaps of {@code indexBits} bits with fillers, then float32 values) "
                + "as CSR over a [rows, cols] view: row starts, column indices, values.", Object[].class,
                "byte[] p, int rows, int cols, int colBytes, String where", """
                if (p.length < 5) {
                throw corrupt(where + ": sparse payload of " + p.length + " bytes, shorter than its 5-byte header");
                }
                int indexBits = p[0] & 0xff;
                if (indexBits < 1 || indexBits > 16) {
                throw corrupt(where + ": sparse gaps of " + indexBits + " bits, expected 1 to 16");
                }
                long entries = u32(p, 1);
                long packed = (entries * indexBits + 7) / 8;
                if (5 + packed + 4 * entries != p.length) {
                throw corrupt(where + ": sparse payload of " + p.length + " bytes, its " + entries + " entries need " + (5 + packed + 4 * entries));
                }
                int n = (int) entries;
                int valuesAt = 5 + (int) packed;
                int maxGap = (1 << indexBits) - 1;
                long total = (long) rows * cols;
                int[] positions = new int[n];
                float[] stored = floats(p, valuesAt, n);
                float[] values = new float[n];
                int kept = 0;
                long next = -1;
                for (int e = 0; e < n; e++) {
                int gap = bits(p, 40L + (long) e * indexBits, indexBits);
                next += gap + 1L;
                if (next >= total) {
                throw corrupt(where + ": sparse entry " + e + " lands at position " + next + " beyond the " + total + " elements");
                }
                if (gap == maxGap && Float.floatToRawIntBits(stored[e]) == 0 && e + 1 < n) {
                continue;
                }
                positions[kept] = (int) next;
                values[kept++] = stored[e];
                }
                Object[] m = csr(positions, kept, rows, cols, colBytes);
                return new Object[] {m[0], m[1], java.util.Arrays.copyOf(values, kept)};
                """);
    }

    static MethodSpec sparseCodebook() {
        return method("sparseCodebook", "A sparse-codebook payload (escape-coded gaps, then one centroid index per "
                + "kept element) as CSR over a [rows, cols] view: row starts, column indices, byte indices, "
                + "centroids.", Object[].class, "byte[] p, int rows, int cols, int colBytes, String where", """
                if (p.length < 4) {
                throw corrupt(where + ": sparse-codebook payload of " + p.length + " bytes, shorter than its header");
                }
                int indexBits = p[0] & 0xff;
                int bits = p[1] & 0xff;
                if (indexBits < 1 || indexBits > 16 || bits < 1 || bits > 8) {
                throw corrupt(where + ": sparse-codebook widths " + indexBits + " and " + bits + " bits, expected 1 to 16 and 1 to 8");
                }
                int k = u16(p, 2);
                if (k < 1 || k > 1 << bits) {
                throw corrupt(where + ": " + k + " centroids do not fit " + bits + "-bit indices");
                }
                long gapsAt = 4 + 4L * k + 4;
                if (gapsAt > p.length) {
                throw corrupt(where + ": sparse-codebook payload of " + p.length + " bytes cuts its " + k + " centroids short");
                }
                float[] centroids = floats(p, 4, k);
                long entries = u32(p, (int) gapsAt - 4);
                long gapBytes = (entries * indexBits + 7) / 8;
                if (gapsAt + gapBytes > p.length) {
                throw corrupt(where + ": sparse-codebook payload of " + p.length + " bytes cuts its " + entries + " gap symbols short");
                }
                int n = (int) entries;
                int escape = (1 << indexBits) - 1;
                long total = (long) rows * cols;
                long next = 0;
                int kept = 0;
                for (int e = 0; e < n; e++) {
                int s = bits(p, gapsAt * 8 + (long) e * indexBits, indexBits);
                next += s == escape ? escape : s + 1L;
                if (next > total) {
                throw corrupt(where + ": sparse-codebook gap symbol " + e + " runs past the " + total + " elements");
                }
                kept += s == escape ? 0 : 1;
                }
                long indicesAt = gapsAt + gapBytes;
                if (indicesAt + ((long) kept * bits + 7) / 8 != p.length) {
                throw corrupt(where + ": sparse-codebook payload of " + p.length + " bytes, its " + kept + " kept elements need " + (indicesAt + ((long) kept * bits + 7) / 8));
                }
                int[] positions = new int[kept];
                byte[] indices = new byte[kept];
                int j = 0;
                next = 0;
                for (int e = 0; e < n; e++) {
                int s = bits(p, gapsAt * 8 + (long) e * indexBits, indexBits);
                if (s == escape) {
                next += escape;
                continue;
                }
                next += s;
                int index = bits(p, indicesAt * 8 + (long) j * bits, bits);
                if (index >= k) {
                throw corrupt(where + ": index " + index + " of kept element " + j + " is outside the " + k + " centroids");
                }
                positions[j] = (int) next;
                indices[j++] = (byte) index;
                next++;
                }
                Object[] m = csr(positions, kept, rows, cols, colBytes);
                return new Object[] {m[0], m[1], indices, centroids};
                """);
    }

    static MethodSpec codebook() {
        return method("codebook", "A codebook payload of {@code n} elements with the index width this code was "
                + "generated for: centroids, then the indices, one byte each when {@code expectedBits} is 8, else "
                + "packed (see {@code packed}).", Object[].class, "byte[] p, int n, int expectedBits, String where", """
                if (p.length < 3) {
                throw corrupt(where + ": codebook payload of " + p.length + " bytes, shorter than its header");
                }
                int bits = p[0] & 0xff;
                if (bits != expectedBits) {
                throw corrupt(where + ": codebook of " + bits + "-bit indices, this code was generated for " + expectedBits);
                }
                int k = u16(p, 1);
                if (bits < 1 || bits > 8 || k < 1 || k > 1 << bits) {
                throw corrupt(where + ": " + k + " centroids and " + bits + "-bit indices, expected 1 to 8 bits and at most 2^bits centroids");
                }
                long need = 3 + 4L * k + ((long) n * bits + 7) / 8;
                if (need != p.length) {
                throw corrupt(where + ": codebook payload of " + p.length + " bytes, expected " + need);
                }
                float[] centroids = floats(p, 3, k);
                byte[] indices = bits == 8 ? new byte[n] : null;
                long[] words = bits == 8 ? null : new long[packedWords(n, bits)];
                int per = 64 / bits;
                long at = (3 + 4L * k) * 8;
                for (int i = 0; i < n; i++) {
                int index = bits(p, at + (long) i * bits, bits);
                if (index >= k) {
                throw corrupt(where + ": index " + index + " of element " + i + " is outside the " + k + " centroids");
                }
                if (words != null) {
                words[i / per] |= (long) index << (i % per * bits);
                } else {
                indices[i] = (byte) index;
                }
                }
                return new Object[] {centroids, words != null ? words : indices};
                """);
    }

    static MethodSpec affine() {
        return method("affine", "An int-k payload of {@code n} elements whose header must be the one this code was "
                + "generated for ({@code bits}, {@code flags}, {@code axis + 1}, {@code channels}; zero points 0 when "
                + "{@code symmetric} is 1): scales, zero points, the codes: at 8 bits one byte per element (signed "
                + "codes as two's complement, unsigned ones read with {@code & 0xff}), below 8 bits the raw fields "
                + "(code minus the lowest code) packed (see {@code packed}).", Object[].class,
                "byte[] p, int n, int bits, int flags, int axis1, int channels, int symmetric, String where", """
                if (p.length < 3 || (p[0] & 0xff) != bits || (p[1] & 0xff) != flags || (p[2] & 0xff) != axis1) {
                throw corrupt(where + ": quantization header differs from the one this code was generated for (" + bits + " bits, flags " + flags + ", axis + 1 = " + axis1 + ")");
                }
                long need = 3 + 5L * channels + ((long) n * bits + 7) / 8;
                if (need != p.length) {
                throw corrupt(where + ": int" + bits + " payload of " + p.length + " bytes, expected " + need);
                }
                float[] scales = floats(p, 3, channels);
                int[] zeroPoints = new int[channels];
                int lo = flags == 1 ? -(1 << (bits - 1)) : 0;
                for (int c = 0; c < channels; c++) {
                float s = scales[c];
                if (!(s > 0f) || s == Float.POSITIVE_INFINITY) {
                throw corrupt(where + ": scale " + s + " of channel " + c + " is not positive and finite");
                }
                int z = p[3 + 4 * channels + c];
                zeroPoints[c] = flags == 1 ? z : z & 0xff;
                if (zeroPoints[c] < lo || zeroPoints[c] > lo + (1 << bits) - 1 || (symmetric == 1 && zeroPoints[c] != 0)) {
                throw corrupt(where + ": zero point " + zeroPoints[c] + " of channel " + c + " is not what this code was generated for");
                }
                }
                byte[] codes = bits == 8 ? new byte[n] : null;
                long[] words = bits == 8 ? null : new long[packedWords(n, bits)];
                int per = 64 / bits;
                long at = (3 + 5L * channels) * 8;
                for (int i = 0; i < n; i++) {
                int field = bits(p, at + (long) i * bits, bits);
                if (words != null) {
                words[i / per] |= (long) field << (i % per * bits);
                } else {
                codes[i] = (byte) (field + lo);
                }
                }
                return new Object[] {scales, zeroPoints, words != null ? words : codes};
                """);
    }

    static MethodSpec factored() {
        return method("factored", "A factored payload of a [m, n] matrix view at the rank this code was generated "
                + "for: U [m, rank] and V [rank, n].", Object[].class, "byte[] p, int m, int n, int rank, String where",
                """
                if (p.length < 4 || u32(p, 0) != rank) {
                throw corrupt(where + ": factored payload is not of rank " + rank + ", the rank this code was generated for");
                }
                long need = 4 + 4 * ((long) m * rank + (long) rank * n);
                if (need != p.length) {
                throw corrupt(where + ": factored payload of " + p.length + " bytes, expected " + need);
                }
                return new Object[] {floats(p, 4, m * rank), floats(p, 4 + 4 * m * rank, rank * n)};
                """);
    }

    static MethodSpec packedWords() {
        return method("packedWords", "Words holding {@code n} fields of {@code bits} (1 to 7) bits, {@code 64 / bits} "
                + "per long, field i at bit {@code (i % per) * bits} of word {@code i / per} (never straddling words).",
                int.class, "int n, int bits", """
                int per = 64 / bits;
                return (int) (((long) n + per - 1) / per);
                """);
    }

    static MethodSpec circulant() {
        return method("circulant", "A circulant payload of a [n, n] matrix view: its defining vector of {@code n} "
                + "floats.", float[].class, "byte[] p, int n, String where", """
                if (p.length != 4L * n) {
                throw corrupt(where + ": circulant payload of " + p.length + " bytes, expected " + 4L * n);
                }
                return floats(p, 0, n);
                """);
    }

    static MethodSpec blockCirculant() {
        return method("blockCirculant", "A block-circulant payload at the block size this code was generated for: "
                + "the {@code tiles} defining vectors of {@code b} floats each.", float[].class,
                "byte[] p, int b, int tiles, String where", """
                if (p.length < 4 || u32(p, 0) != b) {
                throw corrupt(where + ": block-circulant payload is not of block size " + b + ", the size this code was generated for");
                }
                long need = 4 + 4L * tiles * b;
                if (need != p.length) {
                throw corrupt(where + ": block-circulant payload of " + p.length + " bytes, expected " + need);
                }
                return floats(p, 4, tiles * b);
                """);
    }

    static MethodSpec hashed() {
        return method("hashed", "A hashed payload with the sign-hash flag and bucket count this code was generated "
                + "for: {the buckets, {the seed}}.", Object[].class, "byte[] p, int flags, int buckets, String where",
                """
                if (p.length < 13 || (p[0] & 0xff) != flags) {
                throw corrupt(where + ": hashed payload without the header this code was generated for (flags " + flags + ")");
                }
                long count = u32(p, 9);
                if (count != buckets) {
                throw corrupt(where + ": " + count + " hash buckets, this code was generated for " + buckets);
                }
                long need = 13 + 4L * buckets;
                if (need != p.length) {
                throw corrupt(where + ": hashed payload of " + p.length + " bytes, expected " + need);
                }
                return new Object[] {floats(p, 13, buckets), new long[] {u64(p, 1)}};
                """);
    }

    static MethodSpec huffmanTable() {
        return method("huffmanTable", "The canonical Huffman table at byte {@code at} for {@code symbolBits}-bit "
                + "symbols: {count[1..L], symbols in canonical order, {end byte}}, checked prefix-free.", int[][].class,
                "byte[] p, int at, int symbolBits, String where", """
                if (at >= p.length) {
                throw corrupt(where + ": Huffman table beyond the payload");
                }
                int max = p[at] & 0xff;
                if (max < 1 || max > 24) {
                throw corrupt(where + ": Huffman table with longest code " + max + ", expected 1 to 24");
                }
                long bit = (at + 1) * 8L;
                if (bit + (long) max * (symbolBits + 1) > p.length * 8L) {
                throw corrupt(where + ": Huffman table cut short");
                }
                int[] count = new int[max + 1];
                long used = 0;
                long kraft = 0;
                for (int l = 1; l <= max; l++) {
                count[l] = bits(p, bit, symbolBits + 1);
                bit += symbolBits + 1;
                used += count[l];
                kraft += (long) count[l] << (max - l);
                }
                if (used > 1 << symbolBits || kraft > 1L << max) {
                throw corrupt(where + ": Huffman table is not a prefix code over " + symbolBits + "-bit symbols");
                }
                if (bit + used * symbolBits > p.length * 8L) {
                throw corrupt(where + ": Huffman table cut short");
                }
                int[] sorted = new int[(int) used];
                boolean[] seen = new boolean[1 << symbolBits];
                for (int i = 0; i < used; i++) {
                sorted[i] = bits(p, bit, symbolBits);
                bit += symbolBits;
                if (seen[sorted[i]]) {
                throw corrupt(where + ": Huffman table lists symbol " + sorted[i] + " twice");
                }
                seen[sorted[i]] = true;
                }
                return new int[][] {count, sorted, {(int) ((bit + 7) >>> 3)}};
                """);
    }

    static MethodSpec huffmanStream() {
        return method("huffmanStream", "{@code n} symbols of the canonical code {@code table} from the bit stream at "
                + "byte {@code at} (codes most significant bit first, bytes filled from the least significant bit), "
                + "packed LSB-first at {@code width} bits into {@code out} from byte {@code to}; returns the byte after "
                + "the stream, whose padding is skipped.", int.class,
                "byte[] p, int at, long n, int[][] table, int width, byte[] out, int to, String where", """
                if (n > (p.length - (long) at) * 8) {
                throw corrupt(where + ": Huffman stream of " + n + " symbols cannot fit the " + (p.length - at) + " bytes left");
                }
                int[] count = table[0];
                int[] sorted = table[1];
                long bit = at * 8L;
                long end = p.length * 8L;
                long outBit = to * 8L;
                for (long i = 0; i < n; i++) {
                int code = 0;
                int first = 0;
                int index = 0;
                int symbol = -1;
                for (int l = 1; l < count.length; l++) {
                if (bit >= end) {
                throw corrupt(where + ": Huffman stream cut short at symbol " + i);
                }
                code |= (p[(int) (bit >>> 3)] >> (int) (bit & 7)) & 1;
                bit++;
                if (code - first < count[l]) {
                symbol = sorted[index + code - first];
                break;
                }
                index += count[l];
                first = (first + count[l]) << 1;
                code <<= 1;
                }
                if (symbol < 0) {
                throw corrupt(where + ": Huffman stream holds no code of its table at symbol " + i);
                }
                for (int b = 0; b < width; b++, outBit++) {
                out[(int) (outBit >>> 3)] |= (byte) (((symbol >> b) & 1) << (int) (outBit & 7));
                }
                }
                return (int) ((bit + 7) >>> 3);
                """);
    }

    static MethodSpec huffman() {
        return method("huffman", "The payload of the inner representation (tag 1 codebook, 2 sparse, 3 sparse-codebook, "
                + "4 int-k with {@code channels} scales) of a Huffman-coded payload of {@code n} elements: the "
                + "streams decoded and packed back at their fixed widths.", byte[].class,
                "byte[] p, long n, int tag, int channels, String where", """
                if (p.length < 2 || (p[0] & 0xff) != tag) {
                throw corrupt(where + ": Huffman payload does not wrap the representation this code was generated for (tag " + tag + ")");
                }
                int head;
                int[] widths;
                long[] counts;
                if (tag == 1) {
                head = p.length < 4 ? -1 : 4 + 4 * u16(p, 2);
                widths = new int[] {p[1] & 0xff};
                counts = new long[] {n};
                } else if (tag == 2) {
                head = 6;
                widths = new int[] {p[1] & 0xff};
                counts = new long[] {p.length < 6 ? 0 : u32(p, 2)};
                } else if (tag == 3) {
                head = p.length < 5 ? -1 : 5 + 4 * u16(p, 3) + 4;
                widths = new int[] {p[1] & 0xff, p[2] & 0xff};
                counts = new long[] {head < 0 || head > p.length ? 0 : u32(p, head - 4), 0};
                } else {
                head = 4 + 5 * channels;
                widths = new int[] {p[1] & 0xff};
                counts = new long[] {n};
                }
                if (head < 0 || head > p.length) {
                throw corrupt(where + ": Huffman payload of " + p.length + " bytes cuts its header short");
                }
                for (int w : widths) {
                if (w < 1 || w > 16) {
                throw corrupt(where + ": Huffman-coded symbols of " + w + " bits, expected 1 to 16");
                }
                }
                int at = head;
                int[][][] tables = new int[widths.length][][];
                for (int i = 0; i < widths.length; i++) {
                tables[i] = huffmanTable(p, at, widths[i], where);
                at = tables[i][2][0];
                }
                if (counts[0] > (p.length - (long) at) * 8) {
                throw corrupt(where + ": Huffman stream of " + counts[0] + " symbols cannot fit the payload");
                }
                long tail = tag == 2 ? 4 * counts[0] : 0;
                if (tail > p.length - (long) at) {
                throw corrupt(where + ": Huffman payload too short for the " + counts[0] + " sparse values");
                }
                long packed0 = (counts[0] * widths[0] + 7) / 8;
                long packed1 = widths.length > 1 ? (counts[0] * widths[1] + 7) / 8 : 0;
                byte[] out = new byte[(int) (head - 1 + packed0 + packed1 + tail)];
                System.arraycopy(p, 1, out, 0, head - 1);
                int first = head - 1;
                at = huffmanStream(p, at, counts[0], tables[0], widths[0], out, first, where);
                int second = first + (int) packed0;
                if (tag == 3) {
                int escape = (1 << widths[0]) - 1;
                long kept = 0;
                for (long e = 0; e < counts[0]; e++) {
                kept += bits(out, first * 8L + e * widths[0], widths[0]) == escape ? 0 : 1;
                }
                counts[1] = kept;
                at = huffmanStream(p, at, kept, tables[1], widths[1], out, second, where);
                out = java.util.Arrays.copyOf(out, second + (int) ((kept * widths[1] + 7) / 8));
                }
                if (p.length - (long) at != tail) {
                throw corrupt(where + ": Huffman payload has " + (p.length - at) + " bytes after its streams, expected " + tail);
                }
                System.arraycopy(p, at, out, out.length - (int) tail, (int) tail);
                return out;
                """);
    }
}
