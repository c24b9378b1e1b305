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
        return method("codebook", "A codebook payload of {@code n} elements: centroids, one byte index per element.",
                Object[].class, "byte[] p, int n, String where", """
                if (p.length < 3) {
                throw corrupt(where + ": codebook payload of " + p.length + " bytes, shorter than its header");
                }
                int bits = p[0] & 0xff;
                int k = u16(p, 1);
                if (bits < 1 || bits > 8 || k < 1 || k > 1 << bits) {
                throw corrupt(where + ": " + k + " centroids and " + bits + "-bit indices, expected 1 to 8 bits and at most 2^bits centroids");
                }
                long need = 3 + 4L * k + ((long) n * bits + 7) / 8;
                if (need != p.length) {
                throw corrupt(where + ": codebook payload of " + p.length + " bytes, expected " + need);
                }
                float[] centroids = floats(p, 3, k);
                byte[] indices = new byte[n];
                long at = (3 + 4L * k) * 8;
                for (int i = 0; i < n; i++) {
                int index = bits(p, at + (long) i * bits, bits);
                if (index >= k) {
                throw corrupt(where + ": index " + index + " of element " + i + " is outside the " + k + " centroids");
                }
                indices[i] = (byte) index;
                }
                return new Object[] {centroids, indices};
                """);
    }

    static MethodSpec affine() {
        return method("affine", "An int-k payload of {@code n} elements whose header must be the one this code was "
                + "generated for ({@code bits}, {@code flags}, {@code axis + 1}, {@code channels}; zero points 0 when "
                + "{@code symmetric} is 1): scales, zero points, one byte code per element (signed codes as "
                + "two's complement, unsigned ones read with {@code & 0xff}).", Object[].class,
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
                byte[] codes = new byte[n];
                long at = (3 + 5L * channels) * 8;
                for (int i = 0; i < n; i++) {
                codes[i] = (byte) (bits(p, at + (long) i * bits, bits) + lo);
                }
                return new Object[] {scales, zeroPoints, codes};
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
}
