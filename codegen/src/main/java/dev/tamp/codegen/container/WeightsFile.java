package dev.tamp.codegen.container;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The weights container, format version 1, as {@code docs/format.md} specifies it: a header, a table of sections, one
 * section per weight (identifier, original name, kind, element type, dims, the representation's own serialized
 * bytes, CRC-32) and a CRC-32 of the whole file. Writing is deterministic; reading refuses anything truncated,
 * corrupted, oversized or inconsistent with one {@link WeightsFileException} saying what and where.
 */
public final class WeightsFile {
    /** The file's first 8 bytes. */
    static final byte[] MAGIC = {(byte) 0x89, 'T', 'A', 'M', 'P', 'W', '\r', '\n'};
    public static final int VERSION = 1;
    /** Header bytes before the section table. */
    public static final int HEADER_BYTES = 32;
    /** Bytes per entry of the section table. */
    public static final int TABLE_ENTRY_BYTES = 16;
    /** Fixed bytes of a section header, before its dims, identifier and name. */
    public static final int SECTION_HEADER_BYTES = 16;
    /** Bytes of a checksum: one per section and one for the file. */
    public static final int CRC_BYTES = 4;
    public static final int MAX_RANK = 8;
    public static final int MAX_NAME_BYTES = 65_535;
    /** The largest payload: every representation's array must fit a Java array. */
    public static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8;

    /** Stable kind codes; never renumbered, new kinds get new codes. */
    public enum Kind {
        DENSE(1), SPARSE(2), AFFINE_QUANTIZED(3), CODEBOOK(4), SPARSE_CODEBOOK(5), HUFFMAN_CODED(6), FACTORED(7),
        CIRCULANT(8), BLOCK_CIRCULANT(9), HASHED(10);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(Representation r) {
            if (r instanceof Dense) {
                return DENSE;
            } else if (r instanceof Sparse) {
                return SPARSE;
            } else if (r instanceof AffineQuantized) {
                return AFFINE_QUANTIZED;
            } else if (r instanceof Codebook) {
                return CODEBOOK;
            } else if (r instanceof SparseCodebook) {
                return SPARSE_CODEBOOK;
            } else if (r instanceof HuffmanCoded) {
                return HUFFMAN_CODED;
            } else if (r instanceof Factored) {
                return FACTORED;
            } else if (r instanceof Circulant) {
                return CIRCULANT;
            } else if (r instanceof BlockCirculant) {
                return BLOCK_CIRCULANT;
            } else if (r instanceof Hashed) {
                return HASHED;
            }
            throw new IllegalArgumentException("no kind code for " + r.kind());
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** One weight read back: its identifier in generated code, its original name, dims and representation. */
    public record Entry(String id, String name, int[] dims, Representation representation) {
        public Entry {
            dims = dims.clone();
        }

        @Override
        public int[] dims() {
            return dims.clone();
        }
    }

    private WeightsFile() {}

    /** The container of a graph's weights, in graph order. */
    public static byte[] write(Graph graph) {
        return write(new ArrayList<>(graph.weights().values()));
    }

    /** The container of these weights, in this order; same weights, same bytes. */
    public static byte[] write(List<Weight> weights) {
        List<String> names = new ArrayList<>();
        for (Weight w : weights) {
            names.add(w.name());
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("two weights share a name");
        }
        List<String> ids = Identifiers.assign(names);
        List<byte[]> sections = new ArrayList<>();
        long offset = HEADER_BYTES + (long) TABLE_ENTRY_BYTES * weights.size();
        for (int i = 0; i < weights.size(); i++) {
            sections.add(section(ids.get(i), weights.get(i)));
        }
        long length = offset + CRC_BYTES;
        for (byte[] s : sections) {
            length += s.length;
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a weights file of " + length + " bytes does not fit one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(VERSION).putInt(weights.size()).putLong(length).putInt(0).putInt(0);
        for (byte[] s : sections) {
            out.putLong(offset).putLong(s.length);
            offset += s.length;
        }
        CRC32 header = new CRC32();
        header.update(out.array(), 0, 28);
        header.update(out.array(), HEADER_BYTES, TABLE_ENTRY_BYTES * weights.size());
        out.putInt(28, (int) header.getValue());
        for (byte[] s : sections) {
            out.put(s);
        }
        CRC32 file = new CRC32();
        file.update(out.array(), 0, (int) length - CRC_BYTES);
        out.putInt((int) file.getValue());
        return out.array();
    }

    /** Bytes from {@code n} up to the next multiple of 4. */
    static int pad4(long n) {
        return (int) (-n & 3);
    }

    private static byte[] section(String id, Weight w) {
        Representation r = w.representation();
        Kind kind = Kind.of(r);
        int[] dims = r.dims();
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        byte[] nameBytes = w.name().getBytes(StandardCharsets.UTF_8);
        byte[] payload = r.serialize();
        if (dims.length > MAX_RANK || nameBytes.length > MAX_NAME_BYTES || payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("weight " + w.name() + " exceeds the format's limits (rank "
                    + dims.length + ", name " + nameBytes.length + " bytes, payload " + payload.length + " bytes)");
        }
        int variant = r instanceof Factored f && f.layout() == Factored.Layout.INPUT_BY_OUTPUT ? 1 : 0;
        int head = SECTION_HEADER_BYTES + 4 * dims.length + idBytes.length + nameBytes.length;
        int length = head + pad4(head) + payload.length + pad4(payload.length) + CRC_BYTES;
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) kind.code).put((byte) r.dataType().onnxCode()).put((byte) variant)
                .put((byte) dims.length).put((byte) 0).putShort((short) idBytes.length).putInt(nameBytes.length)
                .putInt(payload.length);
        for (int d : dims) {
            out.putInt(d);
        }
        out.put(idBytes).put(nameBytes).position(head + pad4(head));
        out.put(payload).position(length - CRC_BYTES);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 0, length - CRC_BYTES);
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /** The weights in a container, in file order, by identifier. */
    public static Map<String, Entry> read(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < HEADER_BYTES + CRC_BYTES) {
            throw new WeightsFileException("not a weights file: " + file.length + " bytes, shorter than the "
                    + (HEADER_BYTES + CRC_BYTES) + "-byte header and checksum");
        }
        if (!Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw new WeightsFileException("not a weights file: wrong magic at offset 0");
        }
        int version = in.getInt(8);
        if (version != VERSION) {
            throw new WeightsFileException("weights file format version " + Integer.toUnsignedString(version)
                    + " at offset 8; this reader knows version " + VERSION);
        }
        long count = in.getInt(12) & 0xFFFFFFFFL;
        long length = in.getLong(16);
        if (length != file.length) {
            throw new WeightsFileException("the header at offset 16 says the file is " + Long.toUnsignedString(length)
                    + " bytes, it is " + file.length + (length > file.length ? " (truncated)" : ""));
        }
        long tableEnd = HEADER_BYTES + TABLE_ENTRY_BYTES * count;
        if (tableEnd + CRC_BYTES > file.length) {
            throw new WeightsFileException("the header at offset 12 announces " + count + " sections, whose table"
                    + " alone would not fit the " + file.length + "-byte file");
        }
        CRC32 header = new CRC32();
        header.update(file, 0, 28);
        header.update(file, HEADER_BYTES, (int) tableEnd - HEADER_BYTES);
        if ((int) header.getValue() != in.getInt(28)) {
            throw new WeightsFileException("header checksum mismatch: the header (offsets 0 to 27) or the section"
                    + " table (offsets 32 to " + (tableEnd - 1) + ") is corrupted");
        }
        if (in.getInt(24) != 0) {
            throw new WeightsFileException("unknown header flags " + in.getInt(24) + " at offset 24");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        Set<String> foldedIds = new HashSet<>();
        long expected = tableEnd;
        for (int i = 0; i < count; i++) {
            int at = HEADER_BYTES + TABLE_ENTRY_BYTES * i;
            long offset = in.getLong(at);
            long size = in.getLong(at + 8);
            if (offset != expected || size < SECTION_HEADER_BYTES + CRC_BYTES || size % 4 != 0
                    || size > file.length - CRC_BYTES - offset) {
                throw new WeightsFileException("section " + i + ": table entry at offset " + at + " places it at "
                        + offset + " with " + size + " bytes; expected it at " + expected + ", a positive multiple"
                        + " of 4 bytes within the file");
            }
            Entry e = section(file, i, (int) offset, (int) size);
            if (!names.add(e.name())) {
                throw new WeightsFileException("section " + i + " at offset " + offset + ": weight name '"
                        + e.name() + "' appears twice");
            }
            if (!foldedIds.add(e.id().toLowerCase(java.util.Locale.ROOT))) {
                throw new WeightsFileException("section " + i + " at offset " + offset + ": identifier " + e.id()
                        + " is not unique (ignoring case)");
            }
            entries.put(e.id(), e);
            expected = offset + size;
        }
        if (expected != file.length - CRC_BYTES) {
            throw new WeightsFileException((file.length - CRC_BYTES - expected) + " unaccounted bytes at offset "
                    + expected + ", after the last section and before the file checksum");
        }
        CRC32 crc = new CRC32();
        crc.update(file, 0, file.length - CRC_BYTES);
        if ((int) crc.getValue() != in.getInt(file.length - CRC_BYTES)) {
            throw new WeightsFileException("file checksum mismatch at offset " + (file.length - CRC_BYTES));
        }
        return Collections.unmodifiableMap(entries);
    }

    private static Entry section(byte[] file, int index, int start, int size) {
        ByteBuffer in = ByteBuffer.wrap(file, start, size).slice().order(ByteOrder.LITTLE_ENDIAN);
        String where = "section " + index + " at offset " + start;
        CRC32 crc = new CRC32();
        crc.update(file, start, size - CRC_BYTES);
        if ((int) crc.getValue() != in.getInt(size - CRC_BYTES)) {
            throw new WeightsFileException(where + ": checksum mismatch (the section is corrupted)");
        }
        int kindCode = in.getShort(0) & 0xFFFF;
        int typeCode = in.get(2) & 0xFF;
        int variant = in.get(3) & 0xFF;
        int rank = in.get(4) & 0xFF;
        int reserved = in.get(5) & 0xFF;
        int idLength = in.getShort(6) & 0xFFFF;
        long nameLength = in.getInt(8) & 0xFFFFFFFFL;
        long payloadLength = in.getInt(12) & 0xFFFFFFFFL;
        if (rank > MAX_RANK || idLength < 1 || idLength > Identifiers.MAX_LENGTH || nameLength < 1
                || nameLength > MAX_NAME_BYTES || reserved != 0) {
            throw new WeightsFileException(where + ": section header out of limits (rank " + rank + " of at most "
                    + MAX_RANK + ", identifier " + idLength + " bytes of 1 to " + Identifiers.MAX_LENGTH + ", name "
                    + nameLength + " bytes of 1 to " + MAX_NAME_BYTES + ", reserved byte " + reserved + ")");
        }
        long head = SECTION_HEADER_BYTES + 4L * rank + idLength + nameLength;
        long layout = head + pad4(head) + payloadLength + pad4(payloadLength) + CRC_BYTES;
        if (layout != size) {
            throw new WeightsFileException(where + ": its header implies " + layout + " bytes, the table gives "
                    + size);
        }
        int[] dims = new int[rank];
        for (int a = 0; a < rank; a++) {
            dims[a] = in.getInt(SECTION_HEADER_BYTES + 4 * a);
            if (dims[a] < 0) {
                throw new WeightsFileException(where + ": dimension " + a + " is " + Integer.toUnsignedString(dims[a])
                        + ", beyond 2^31 - 1 (offset " + (start + SECTION_HEADER_BYTES + 4 * a) + ")");
            }
        }
        int idAt = SECTION_HEADER_BYTES + 4 * rank;
        String id = new String(file, start + idAt, idLength, StandardCharsets.ISO_8859_1);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(file, start + idAt + idLength, (int) nameLength)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsFileException(where + ": the weight name at offset " + (start + idAt + idLength)
                    + " is not valid UTF-8", e);
        }
        where += " ('" + printable(name) + "')";
        if (!Identifiers.valid(id)) {
            throw new WeightsFileException(where + ": identifier '" + printable(id) + "' at offset "
                    + (start + idAt) + " is not a valid one (ASCII letter, then letters, digits or _, no keyword)");
        }
        long elements = 1;
        for (int d : dims) {
            elements *= d;
            if (elements > Integer.MAX_VALUE) {
                throw new WeightsFileException(where + ": dims " + Arrays.toString(dims) + " exceed 2^31 - 1"
                        + " elements");
            }
        }
        Kind kind = Kind.ofCode(kindCode);
        if (kind == null) {
            throw new WeightsFileException(where + ": unknown representation kind " + kindCode + " at offset "
                    + start);
        }
        DataType type = DataType.fromOnnxCode(typeCode).orElse(null);
        if (type != DataType.FLOAT && !(type == DataType.INT64 && kind == Kind.DENSE)) {
            throw new WeightsFileException(where + ": element type " + typeCode + " at offset " + (start + 2)
                    + " is not float32 (1)" + (kind == Kind.DENSE ? " or int64 (7)" : "") + " for " + kind);
        }
        if (variant != 0 && !(kind == Kind.FACTORED && variant == 1)) {
            throw new WeightsFileException(where + ": variant " + variant + " at offset " + (start + 3)
                    + " is not defined for " + kind);
        }
        int payloadAt = (int) (head + pad4(head));
        byte[] payload = Arrays.copyOfRange(file, start + payloadAt, start + payloadAt + (int) payloadLength);
        for (int p = payloadAt + (int) payloadLength; p < size - CRC_BYTES; p++) {
            if (in.get(p) != 0) {
                throw new WeightsFileException(where + ": nonzero padding at offset " + (start + p));
            }
        }
        for (int p = (int) head; p < payloadAt; p++) {
            if (in.get(p) != 0) {
                throw new WeightsFileException(where + ": nonzero padding at offset " + (start + p));
            }
        }
        Representation r;
        try {
            r = switch (kind) {
                case DENSE -> Dense.deserialize(dims, type, payload);
                case SPARSE -> Sparse.deserialize(dims, payload);
                case AFFINE_QUANTIZED -> AffineQuantized.deserialize(dims, payload);
                case CODEBOOK -> Codebook.deserialize(dims, payload);
                case SPARSE_CODEBOOK -> SparseCodebook.deserialize(dims, payload);
                case HUFFMAN_CODED -> HuffmanCoded.deserialize(dims, payload);
                case FACTORED -> Factored.deserialize(dims,
                        variant == 1 ? Factored.Layout.INPUT_BY_OUTPUT : Factored.Layout.OUTPUT_BY_INPUT, payload);
                case CIRCULANT -> Circulant.deserialize(dims, payload);
                case BLOCK_CIRCULANT -> BlockCirculant.deserialize(dims, payload);
                case HASHED -> Hashed.deserialize(dims, payload);
            };
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new WeightsFileException(where + ": " + kind + " payload at offset " + (start + payloadAt)
                    + " (" + payloadLength + " bytes) is inconsistent: " + e.getMessage(), e);
        }
        if (!Arrays.equals(r.serialize(), payload)) {
            throw new WeightsFileException(where + ": " + kind + " payload at offset " + (start + payloadAt)
                    + " is not in canonical form (it does not serialize back to its " + payloadLength + " bytes)");
        }
        return new Entry(id, name, dims, r);
    }

    /** A name for a message: control characters and quotes escaped, cut to 200 characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\' || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }
}
