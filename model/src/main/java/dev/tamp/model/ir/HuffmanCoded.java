package dev.tamp.model.ir;

import java.util.List;

/**
 * Another representation with its integer streams entropy-coded by canonical Huffman codes (Deep Compression's last
 * stage). The coded streams, in order, are: a {@link Codebook}'s indices; a {@link Sparse} weight's gap symbols (its
 * float32 values stay as they are: Deep Compression codes quantized weights, not floats); a {@link SparseCodebook}'s
 * gap symbols, then its indices; an {@link AffineQuantized} weight's codes (minus the lowest code). The coding is
 * lossless, so {@link #materialize()} is the inner representation's, and {@link #deserialize} decodes the bytes back.
 *
 * <p>Serialized layout (little-endian): {@code u8 tag} (1 codebook, 2 sparse, 3 sparse-codebook, 4 affine), the inner
 * layout's fields up to its packed streams (1: {@code u8 bits, u16 K, K f32 centroids}; 2: {@code u8 indexBits, u32
 * entries}; 3: {@code u8 indexBits, u8 bits, u16 K, K f32 centroids, u32 entries}; 4: {@code u8 bits, u8 flags, u8
 * axis + 1, C f32 scales, C u8 zero points}), one code table per stream ({@link HuffmanCode}'s table layout, symbols of
 * the stream's fixed width: the index, gap or code bits), one bit stream per stream, each padded to a byte, and for
 * {@code Sparse} its float32 values last. Symbol counts are implied: the element count for codebook indices and affine
 * codes, {@code entries} for gaps, the non-escape gaps for sparse-codebook indices.
 *
 * @param codes one code per stream of the inner representation, covering every symbol in it
 */
public record HuffmanCoded(Representation inner, List<HuffmanCode> codes) implements Representation {
    /** One integer stream of a representation and the width of its symbols in the inner layout. */
    public record Stream(int[] symbols, int symbolBits) {}

    public HuffmanCoded {
        codes = List.copyOf(codes);
        List<Stream> streams = streams(inner);
        if (codes.size() != streams.size()) {
            throw new IllegalArgumentException(inner.kind() + " has " + streams.size() + " streams, got "
                    + codes.size() + " codes");
        }
        for (int i = 0; i < codes.size(); i++) {
            Stream s = streams.get(i);
            if (codes.get(i).alphabetSize() != 1 << s.symbolBits() || !codes.get(i).covers(s.symbols())) {
                throw new IllegalArgumentException("code " + i + " does not cover stream " + i + " of " + inner);
            }
        }
    }

    /**
     * The streams this representation codes for an inner representation, in layout order; fails for a
     * representation with nothing to code.
     */
    public static List<Stream> streams(Representation inner) {
        if (inner instanceof Codebook c) {
            return List.of(new Stream(c.indices(), c.bits()));
        } else if (inner instanceof Sparse s) {
            return List.of(new Stream(sparseGaps(s), s.indexBits()));
        } else if (inner instanceof SparseCodebook s) {
            return List.of(new Stream(s.gapSymbols(), s.indexBits()), new Stream(s.indices(), s.bits()));
        } else if (inner instanceof AffineQuantized q) {
            int[] codes = q.codes();
            int lo = lowestCode(q);
            for (int k = 0; k < codes.length; k++) {
                codes[k] -= lo;
            }
            return List.of(new Stream(codes, q.bits()));
        }
        throw new IllegalArgumentException("a " + inner.kind() + " weight has no integer stream to Huffman-code");
    }

    /** Whether {@link #streams} accepts the representation. */
    public static boolean codable(Representation r) {
        return r instanceof Codebook || r instanceof Sparse || r instanceof SparseCodebook
                || r instanceof AffineQuantized;
    }

    private static int lowestCode(AffineQuantized q) {
        return q.signed() ? -(1 << (q.bits() - 1)) : 0;
    }

    /** Sparse's gap stream: gaps beyond {@code 2^indexBits - 1} bridged by filler entries, as it serializes them. */
    private static int[] sparseGaps(Sparse s) {
        int maxGap = (1 << s.indexBits()) - 1;
        int[] gaps = new int[Math.toIntExact(s.entryCount())];
        int e = 0;
        int previous = -1;
        for (int p : s.positions()) {
            int gap = p - previous - 1;
            while (gap > maxGap) {
                gaps[e++] = maxGap;
                gap -= maxGap + 1;
            }
            gaps[e++] = gap;
            previous = p;
        }
        return gaps;
    }

    @Override
    public List<HuffmanCode> codes() {
        return codes;
    }

    @Override
    public DataType dataType() {
        return inner.dataType();
    }

    @Override
    public int[] dims() {
        return inner.dims();
    }

    @Override
    public Tensor materialize() {
        return inner.materialize();
    }

    @Override
    public long storedBytes() {
        long bytes = 1 + headerBytes();
        List<Stream> streams = streams(inner);
        for (int i = 0; i < streams.size(); i++) {
            bytes += codes.get(i).tableBytes(streams.get(i).symbolBits());
            bytes += (codes.get(i).encodedBits(streams.get(i).symbols()) + 7) / 8;
        }
        if (inner instanceof Sparse s) {
            bytes += 4 * s.entryCount();
        }
        return bytes;
    }

    private long headerBytes() {
        if (inner instanceof Codebook c) {
            return 3 + 4L * c.centroids().length;
        } else if (inner instanceof Sparse) {
            return 5;
        } else if (inner instanceof SparseCodebook s) {
            return 8 + 4L * s.centroids().length;
        }
        return 3 + 5L * ((AffineQuantized) inner).scales().length;
    }

    @Override
    public byte[] serialize() {
        StorageLayout.Writer out = new StorageLayout.Writer(storedBytes());
        List<Stream> streams = streams(inner);
        if (inner instanceof Codebook c) {
            out.u8(1).u8(c.bits()).u16(c.centroids().length).f32s(c.centroids());
        } else if (inner instanceof Sparse s) {
            out.u8(2).u8(s.indexBits()).u32(streams.get(0).symbols().length);
        } else if (inner instanceof SparseCodebook s) {
            out.u8(3).u8(s.indexBits()).u8(s.bits()).u16(s.centroids().length).f32s(s.centroids())
                    .u32(streams.get(0).symbols().length);
        } else {
            AffineQuantized q = (AffineQuantized) inner;
            out.u8(4).u8(q.bits()).u8(q.signed() ? 1 : 0).u8(q.axis() + 1).f32s(q.scales());
            for (int z : q.zeroPoints()) {
                out.u8(z);
            }
        }
        for (int i = 0; i < streams.size(); i++) {
            codes.get(i).writeTable(out, streams.get(i).symbolBits());
        }
        for (int i = 0; i < streams.size(); i++) {
            codes.get(i).write(streams.get(i).symbols(), out);
            out.flushBits();
        }
        if (inner instanceof Sparse s) {
            out.f32s(sparseValues(s, streams.get(0).symbols()));
        }
        return out.toByteArray();
    }

    /** One value per gap entry: the kept values, 0 for fillers. */
    private static float[] sparseValues(Sparse s, int[] gaps) {
        int maxGap = (1 << s.indexBits()) - 1;
        float[] values = s.values();
        float[] stored = new float[gaps.length];
        int k = 0;
        int[] positions = s.positions();
        int next = 0;
        for (int e = 0; e < gaps.length; e++) {
            next += gaps[e];
            if (k < positions.length && next == positions[k]) {
                stored[e] = values[k++];
            } else if (gaps[e] != maxGap) {
                throw new IllegalStateException("sparse gap stream out of step at entry " + e);
            }
            next++;
        }
        return stored;
    }

    /**
     * The representation stored in {@code bytes} (this type's layout) for a weight of the given dimensions. Every
     * count is checked against the bytes left before anything is allocated for it, so hostile bytes fail with an
     * {@link IllegalArgumentException}.
     */
    public static HuffmanCoded deserialize(int[] dims, byte[] bytes) {
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        long elements = Tensor.elementCount(StorageLayout.checkDims(dims));
        int n = (int) elements;
        int tag = in.u8();
        HuffmanCoded result;
        switch (tag) {
            case 1 -> {
                int bits = checkBits("bits", in.u8(), 8);
                float[] centroids = in.f32s(in.u16());
                HuffmanCode code = HuffmanCode.readTable(in, bits);
                int[] indices = code.read(in, n);
                in.alignBits();
                result = new HuffmanCoded(new Codebook(dims, bits, centroids, indices), List.of(code));
            }
            case 2 -> {
                int indexBits = checkBits("indexBits", in.u8(), 16);
                int entries = in.count("sparse entry count", Integer.MAX_VALUE);
                HuffmanCode code = HuffmanCode.readTable(in, indexBits);
                int[] gaps = code.read(in, entries);
                in.alignBits();
                float[] stored = in.f32s(entries);
                result = new HuffmanCoded(Sparse.fromEntries(dims, elements, indexBits, gaps, stored), List.of(code));
            }
            case 3 -> {
                int indexBits = checkBits("indexBits", in.u8(), 16);
                int bits = checkBits("bits", in.u8(), 8);
                float[] centroids = in.f32s(in.u16());
                int entries = in.count("sparse-codebook entry count", Integer.MAX_VALUE);
                HuffmanCode gapCode = HuffmanCode.readTable(in, indexBits);
                HuffmanCode indexCode = HuffmanCode.readTable(in, bits);
                int[] gaps = gapCode.read(in, entries);
                in.alignBits();
                int[] positions = SparseCodebook.positionsOf(gaps, indexBits, elements);
                int[] indices = indexCode.read(in, positions.length);
                in.alignBits();
                result = new HuffmanCoded(new SparseCodebook(dims, indexBits, bits, centroids, positions, indices),
                        List.of(gapCode, indexCode));
            }
            case 4 -> {
                int bits = checkBits("bits", in.u8(), 8);
                if (bits < 2) {
                    throw new IllegalArgumentException("bits must be 2 to 8, got " + bits);
                }
                int flags = in.u8();
                if ((flags & ~1) != 0) {
                    throw new IllegalArgumentException("unknown quantization flags " + flags);
                }
                boolean signed = flags == 1;
                int axis = in.u8() - 1;
                if (axis >= dims.length) {
                    throw new IllegalArgumentException("axis " + axis + " outside a rank-" + dims.length + " weight");
                }
                int channels = axis < 0 ? 1 : dims[axis];
                float[] scales = in.f32s(channels);
                if (channels > in.remaining()) {
                    throw new IllegalArgumentException("stored bytes end early: " + channels + " zero points needed");
                }
                int[] zeroPoints = new int[channels];
                for (int c = 0; c < channels; c++) {
                    zeroPoints[c] = signed ? (byte) in.u8() : in.u8();
                }
                HuffmanCode code = HuffmanCode.readTable(in, bits);
                int[] codes = code.read(in, n);
                in.alignBits();
                int lo = signed ? -(1 << (bits - 1)) : 0;
                for (int k = 0; k < n; k++) {
                    codes[k] += lo;
                }
                result = new HuffmanCoded(new AffineQuantized(dims, bits, signed, axis, scales, zeroPoints, codes),
                        List.of(code));
            }
            default -> throw new IllegalArgumentException("unknown Huffman-coded inner tag " + tag);
        }
        if (!in.atEnd()) {
            throw new IllegalArgumentException("trailing bytes after a Huffman-coded " + result.inner().kind());
        }
        return result;
    }

    private static int checkBits(String what, int bits, int max) {
        if (bits < 1 || bits > max) {
            throw new IllegalArgumentException(what + " must be 1 to " + max + ", got " + bits);
        }
        return bits;
    }

    @Override
    public String kind() {
        return "huffman";
    }

    @Override
    public String toString() {
        return "HuffmanCoded[" + inner + ", " + codes + "]";
    }
}
