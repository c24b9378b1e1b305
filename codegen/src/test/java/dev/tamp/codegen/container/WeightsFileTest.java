package dev.tamp.codegen.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class WeightsFileTest {
    /** Bit-for-bit comparison, NaN payloads and signed zeros included (Tensor.equals folds NaNs). */
    static void assertSame(String what, Representation expected, Representation actual) {
        assertThat(actual.getClass()).as(what).isEqualTo(expected.getClass());
        assertThat(actual.dims()).as(what).isEqualTo(expected.dims());
        assertThat(actual.serialize()).as(what + " serialize()").isEqualTo(expected.serialize());
        Tensor a = expected.materialize();
        Tensor b = actual.materialize();
        assertThat(b.type()).as(what).isEqualTo(a.type());
        if (a.type() == DataType.FLOAT) {
            float[] x = a.floats();
            float[] y = b.floats();
            assertThat(y.length).as(what).isEqualTo(x.length);
            for (int i = 0; i < x.length; i++) {
                // Factored computes its elements: a NaN from inf - inf may differ in sign between the interpreter
                // and JIT-compiled code, so there any NaN matches any NaN. Its stored bits are compared above.
                boolean computedNaN = expected instanceof dev.tamp.model.ir.Factored && Float.isNaN(x[i])
                        && Float.isNaN(y[i]);
                if (!computedNaN && Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(what + ": element " + i + " is " + y[i] + ", expected " + x[i]);
                }
            }
        } else {
            assertThat(b.longs()).as(what).isEqualTo(a.longs());
        }
    }

    /** The documented size: header, table, each section (aligned head, aligned payload, CRC), file CRC. */
    static long documentedSize(List<Weight> weights, List<String> ids) {
        long size = 32 + 16L * weights.size() + 4;
        for (int i = 0; i < weights.size(); i++) {
            Representation r = weights.get(i).representation();
            long head = 16 + 4L * r.dims().length + ids.get(i).length()
                    + weights.get(i).name().getBytes(StandardCharsets.UTF_8).length;
            long payload = r.storedBytes();
            size += (head + 3) / 4 * 4 + (payload + 3) / 4 * 4 + 4;
        }
        return size;
    }

    static void roundTrip(String what, List<Weight> weights) {
        byte[] file = WeightsFile.write(weights);
        List<String> ids = Identifiers.assign(weights.stream().map(Weight::name).toList());
        assertThat((long) file.length).as(what + " size").isEqualTo(documentedSize(weights, ids));
        assertThat(WeightsFile.write(weights)).as(what + " deterministic").isEqualTo(file);
        Map<String, WeightsFile.Entry> read = WeightsFile.read(file);
        assertThat(new ArrayList<>(read.keySet())).as(what + " ids in order").isEqualTo(ids);
        int i = 0;
        for (WeightsFile.Entry e : read.values()) {
            Weight w = weights.get(i++);
            assertThat(e.name()).as(what).isEqualTo(w.name());
            assertThat(e.dims()).as(what).isEqualTo(w.representation().dims());
            assertSame(what + " / " + w.name(), w.representation(), e.representation());
        }
        assertThat(file.length % 4).isZero();
    }

    @Test
    void everyRepresentationRoundTripsOnAwkwardShapes() {
        for (long seed = 0; seed < 40; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int[] dims : Samples.SHAPES) {
                List<Weight> weights = new ArrayList<>();
                for (Representation r : Samples.everyKind(rnd, dims)) {
                    weights.add(new Weight("layer/" + r.kind() + "/" + weights.size(), r));
                }
                roundTrip("seed " + seed + " dims " + java.util.Arrays.toString(dims), weights);
            }
        }
    }

    @Test
    void scalarsEmptyTensorsAndEmptyFiles() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<Weight> weights = List.of(
                Weight.dense("scalar", Tensor.scalar(-0.0f)),
                Weight.dense("shape", Tensor.ofLongs(new int[] {4}, new long[] {1, -1, Long.MAX_VALUE, 0})),
                Weight.dense("empty", Tensor.ofFloats(new int[] {0, 5}, new float[0])),
                new Weight("hashed-rank-0", new dev.tamp.model.ir.Hashed(new int[0], 3, true, new float[] {2f})),
                new Weight("sparse-empty", Samples.sparse(rnd, new int[] {0, 3})),
                new Weight("all-zero", dev.tamp.model.ir.Sparse.fromDense(
                        Tensor.ofFloats(new int[] {70000}, new float[70000]), 3)));
        roundTrip("edge cases", weights);
        roundTrip("no weights", List.of());
        assertThat(WeightsFile.write(List.of())).hasSize(36);
    }

    @Test
    void graphOrderAndIdentifiersFromAGraph() {
        Map<String, Weight> ws = new LinkedHashMap<>();
        for (String name : List.of("/conv1/Conv", "onnx::Conv_89", "class", "conv1.Conv", "Ünïcode✓")) {
            ws.put(name, Weight.dense(name, Tensor.ofFloats(new int[] {2}, new float[] {1, 2})));
        }
        Graph g = new Graph("g", 13, List.of(), List.of(), List.of(), ws, Map.of());
        Map<String, WeightsFile.Entry> read = WeightsFile.read(WeightsFile.write(g));
        assertThat(read.keySet()).containsExactly("conv1_Conv", "onnx_Conv_89", "class_", "conv1_Conv_2",
                "n_code");
        assertThat(read.values().stream().map(WeightsFile.Entry::name).toList()).containsExactlyElementsOf(ws.keySet());
    }

    @Test
    void dataIsAlignedForFastReads() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<Weight> weights = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            weights.add(new Weight("x".repeat(i + 1), Samples.dense(rnd, new int[] {3, i + 1})));
        }
        byte[] file = WeightsFile.write(weights);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < weights.size(); i++) {
            long offset = b.getLong(32 + 16 * i);
            int rank = file[(int) offset + 4];
            int head = 16 + 4 * rank + (b.getShort((int) offset + 6) & 0xFFFF) + b.getInt((int) offset + 8);
            assertThat(offset % 4).isZero();
            assertThat((offset + head + 3) / 4 * 4 % 4).isZero();
        }
    }

    // ---- robustness: everything hostile is one WeightsFileException with a message, nothing else ----

    static byte[] smallFile() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<Weight> weights = new ArrayList<>();
        int[] dims = {3, 4};
        for (Representation r : Samples.everyKind(rnd, dims)) {
            weights.add(new Weight("w/" + r.kind(), r));
        }
        return WeightsFile.write(weights);
    }

    static void assertRefused(String what, byte[] file) {
        try {
            WeightsFile.read(file);
        } catch (WeightsFileException e) {
            assertThat(e.getMessage()).as(what).isNotBlank();
            return;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected WeightsFileException, got " + t, t);
        }
        throw new AssertionError(what + ": accepted");
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] file = smallFile();
        for (int n = 0; n < file.length; n++) {
            assertRefused("truncated to " + n + " bytes", java.util.Arrays.copyOf(file, n));
        }
        byte[] longer = java.util.Arrays.copyOf(file, file.length + 1);
        assertRefused("one byte appended", longer);
        assertThatThrownBy(() -> WeightsFile.read(java.util.Arrays.copyOf(file, file.length - 100)))
                .isInstanceOf(WeightsFileException.class).hasMessageContaining("truncated");
    }

    @Test
    void everySingleByteFlipIsRefused() {
        byte[] file = smallFile();
        for (int i = 0; i < file.length; i++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] bad = file.clone();
                bad[i] ^= (byte) mask;
                assertRefused("byte " + i + " xor " + mask, bad);
            }
        }
    }

    @Test
    void aFlipInsideASectionNamesTheSection() {
        byte[] file = smallFile();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long third = b.getLong(32 + 16 * 2);
        byte[] bad = file.clone();
        bad[(int) third + 40] ^= 1;
        assertThatThrownBy(() -> WeightsFile.read(bad)).isInstanceOf(WeightsFileException.class)
                .hasMessageContaining("section 2 at offset " + third).hasMessageContaining("checksum");
    }

    @Test
    void randomGarbageIsRefused() {
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] valid = smallFile();
        for (int c = 0; c < 2000; c++) {
            byte[] junk = new byte[rnd.nextInt(300)];
            for (int i = 0; i < junk.length; i++) {
                junk[i] = (byte) rnd.nextInt();
            }
            if (c % 2 == 0 && junk.length >= 8) {
                System.arraycopy(WeightsFile.MAGIC, 0, junk, 0, 8);
            }
            assertRefused("garbage case " + c, junk);
            // garbage in the middle of a valid file
            byte[] bad = valid.clone();
            int at = rnd.nextInt(bad.length);
            for (int i = at; i < Math.min(bad.length, at + 1 + rnd.nextInt(16)); i++) {
                bad[i] = (byte) rnd.nextInt();
            }
            if (!java.util.Arrays.equals(bad, valid)) {
                assertRefused("scribbled case " + c + " at " + at, bad);
            }
        }
    }

    /**
     * Hostile but well-checksummed files: the structure checks, not the CRCs, must refuse them. Each case rewrites
     * fields of a one-section file and recomputes every checksum.
     */
    @Test
    void forgedFilesWithValidChecksumsAreRefused() {
        byte[] base = WeightsFile.write(List.of(Weight.dense("w", Tensor.ofFloats(new int[] {2, 3},
                new float[] {1, 2, 3, 4, 5, 6}))));
        int s = 32 + 16;
        record Forge(String what, int offset, int value, int width, String message) {}
        List<Forge> forges = List.of(
                new Forge("absurd dim", s + 16, 0x7fffffff, 4, "exceed 2^31 - 1 elements"),
                new Forge("negative dim", s + 16, -1, 4, "beyond 2^31 - 1"),
                new Forge("product overflow", s + 16, 0x10000, 4, "payload"),
                new Forge("rank 200", s + 4, 200, 1, "out of limits"),
                new Forge("rank 3", s + 4, 3, 1, "implies"),
                new Forge("kind 99", s, 99, 2, "unknown representation kind 99"),
                new Forge("kind hashed", s, 10, 2, "hashed"),
                new Forge("type int8", s + 2, 3, 1, "element type 3"),
                new Forge("variant", s + 3, 1, 1, "variant 1"),
                new Forge("payload length", s + 12, 0x7ffffff0, 4, "implies"),
                new Forge("name length", s + 8, 0xffffffff, 4, "out of limits"),
                new Forge("id length 0", s + 6, 0, 2, "out of limits"),
                new Forge("version", 8, 2, 4, "version 2"),
                new Forge("section count", 12, 0x7fffffff, 4, "announces"),
                new Forge("table offset", 32, 12, 4, "table entry"),
                new Forge("table length", 40, 1 << 30, 4, "table entry"),
                new Forge("header flags", 24, 1, 4, "flags"));
        for (Forge f : forges) {
            byte[] bad = base.clone();
            ByteBuffer b = ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN);
            switch (f.width) {
                case 1 -> b.put(f.offset, (byte) f.value);
                case 2 -> b.putShort(f.offset, (short) f.value);
                default -> b.putInt(f.offset, f.value);
            }
            fixChecksums(bad);
            assertThatThrownBy(() -> WeightsFile.read(bad)).as(f.what).isInstanceOf(WeightsFileException.class)
                    .hasMessageContaining(f.message);
        }
    }

    /** Recomputes the header, section and file CRCs after a forgery (sections as the table says, if in bounds). */
    static void fixChecksums(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long count = b.getInt(12) & 0xFFFFFFFFL;
        if (32 + 16 * count <= file.length) {
            for (int i = 0; i < count; i++) {
                long off = b.getLong(32 + 16 * i);
                long len = b.getLong(40 + 16 * i);
                if (off >= 0 && len >= 4 && off + len <= file.length) {
                    CRC32 c = new CRC32();
                    c.update(file, (int) off, (int) len - 4);
                    b.putInt((int) (off + len - 4), (int) c.getValue());
                }
            }
            CRC32 h = new CRC32();
            h.update(file, 0, 28);
            h.update(file, 32, (int) (16 * count));
            b.putInt(28, (int) h.getValue());
        }
        CRC32 f = new CRC32();
        f.update(file, 0, file.length - 4);
        b.putInt(file.length - 4, (int) f.getValue());
    }

    /** Forged payloads of every kind, checksums fixed: the deserializers' own checks refuse them. */
    @Test
    void forgedPayloadsOfEveryKindAreRefusedCleanly() {
        byte[] file = smallFile();
        SplittableRandom rnd = new SplittableRandom(9);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int sections = b.getInt(12);
        int refused = 0;
        for (int c = 0; c < 20000; c++) {
            int i = rnd.nextInt(sections);
            int off = (int) b.getLong(32 + 16 * i);
            int len = (int) b.getLong(40 + 16 * i);
            byte[] bad = file.clone();
            int at = off + rnd.nextInt(len - 4);
            bad[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt() : bad[at] ^ (1 << rnd.nextInt(8)));
            if (rnd.nextBoolean()) {
                bad[at] = (byte) 0xFF;
            }
            fixChecksums(bad);
            try {
                WeightsFile.read(bad);
            } catch (WeightsFileException e) {
                assertThat(e.getMessage()).contains("section " + i);
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("case " + c + ": byte " + at + " of section " + i + ": " + t, t);
            }
        }
        // Some forgeries are still valid weights (a changed float); most change structure and must be refused.
        assertThat(refused).isGreaterThan(1000);
    }

    @Test
    void writeRefusesWhatTheFormatCannotHold() {
        Weight w = Weight.dense("w", Tensor.ofFloats(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, new float[] {1}));
        assertThatThrownBy(() -> WeightsFile.write(List.of(w))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rank 9");
        Weight d = new Weight("d", new Dense(Tensor.scalar(1)));
        assertThatThrownBy(() -> WeightsFile.write(List.of(d, d))).isInstanceOf(IllegalArgumentException.class);
    }
}
