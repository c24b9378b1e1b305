package dev.tamp.model.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of every weight representation over random instances on awkward shapes (fixed seeds): materialize
 * agrees with an independent element-by-element definition, and the serialized bytes are exactly
 * {@code storedBytes()} long and decode, with a reader written only from the documented layouts, back to the same
 * dense tensor.
 */
class RepresentationsTest {
    private static final int ROUNDS = 25;

    @Test
    void storedBytesIsTheSerializedLengthAndTheBytesDecodeToTheMaterializedTensor() {
        SplittableRandom rnd = new SplittableRandom(20261125);
        int checked = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int[] dims : RepresentationFixtures.SHAPES) {
                for (Representation r : RepresentationFixtures.randomInstances(rnd, dims)) {
                    byte[] bytes = r.serialize();
                    assertThat(r.storedBytes()).as("%s", r).isEqualTo(bytes.length);
                    assertThat(LayoutReader.decode(r, bytes)).as("%s decoded", r).isEqualTo(r.materialize());
                    assertThat(r.materialize().shape()).isEqualTo(dims);
                    assertThat(r.dims()).isEqualTo(dims);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(2000);
    }

    @Test
    void huffmanCodedBytesDeserializeToTheSameWeightAndBytes() {
        SplittableRandom rnd = new SplittableRandom(77);
        int checked = 0;
        for (int round = 0; round < 5; round++) {
            for (int[] dims : RepresentationFixtures.SHAPES) {
                for (Representation r : RepresentationFixtures.randomInstances(rnd, dims)) {
                    if (!HuffmanCoded.codable(r)) {
                        continue;
                    }
                    HuffmanCoded h = RepresentationFixtures.fixedLengthCoded(r);
                    byte[] bytes = h.serialize();
                    HuffmanCoded back = HuffmanCoded.deserialize(dims, bytes);
                    assertThat(back.serialize()).as("%s", h).isEqualTo(bytes);
                    assertThat(back.materialize()).as("%s", h).isEqualTo(r.materialize());
                    assertThat(back.codes()).isEqualTo(h.codes());
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(200);
    }

    @Test
    void sparseCodebookEscapesLongGapsWithoutAnIndex() {
        // 3-bit gaps: escape 7. Position 0 (gap 0), position 16 (gap 15 = 7 + 7 + 1), position 17 (gap 0).
        SparseCodebook s = new SparseCodebook(new int[] {2, 10}, 3, 1, new float[] {-1f, 2f}, new int[] {0, 16, 17},
                new int[] {1, 0, 1});
        assertThat(s.gapSymbols()).containsExactly(0, 7, 7, 1, 0);
        assertThat(s.entryCount()).isEqualTo(5);
        assertThat(SparseCodebook.positionsOf(s.gapSymbols(), 3)).containsExactly(0, 16, 17);
        float[] w = new float[20];
        w[0] = 2f;
        w[16] = -1f;
        w[17] = 2f;
        assertThat(s.materialize().floats()).containsExactly(w);
        // 4 header + 2 centroids + u32 entries + 5 gaps * 3 bits (2 bytes) + 3 indices * 1 bit (1 byte)
        assertThat(s.storedBytes()).isEqualTo(4 + 8 + 4 + 2 + 1).isEqualTo(s.serialize().length);
        assertThatThrownBy(() -> new SparseCodebook(new int[] {4}, 2, 1, new float[] {1f}, new int[] {1, 1},
                new int[] {0, 0})).hasMessageContaining("increase strictly");
        assertThatThrownBy(() -> new SparseCodebook(new int[] {4}, 2, 1, new float[] {1f}, new int[] {1},
                new int[] {1})).hasMessageContaining("outside 1 centroids");
    }

    @Test
    void sparseKeepsExactlyItsPositionsAndBridgesLongGapsWithFillers() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int round = 0; round < ROUNDS; round++) {
            for (int[] dims : RepresentationFixtures.SHAPES) {
                Tensor w = RepresentationFixtures.randomTensor(rnd, dims);
                int bits = 1 + rnd.nextInt(8);
                Sparse s = RepresentationFixtures.magnitudeSparse(w, rnd.nextDouble(), bits);
                float[] dense = s.materialize().floats();
                int kept = 0;
                for (int k = 0; k < dense.length; k++) {
                    if (dense[k] != 0) {
                        assertThat(dense[k]).isEqualTo(w.floats()[k]);
                        kept++;
                    }
                }
                assertThat(kept).isEqualTo(s.positions().length);
                assertThat(Sparse.fromDense(s.materialize(), bits)).isEqualTo(s);
            }
        }
        // 300 zeros then one value with 8-bit gaps: a filler (gap 255) bridges 256 positions, then gap 44.
        float[] v = new float[301];
        v[300] = 2.5f;
        Sparse s = Sparse.fromDense(Tensor.ofFloats(new int[] {1, 301}, v), 8);
        assertThat(s.entryCount()).isEqualTo(2);
        assertThat(s.serialize()).containsExactly(8, 2, 0, 0, 0, 255, 44, 0, 0, 0, 0, 0, 0, 0x20, 0x40);
    }

    @Test
    void affineQuantizedIsDequantizeLinearElementByElement() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int round = 0; round < ROUNDS; round++) {
            for (int[] dims : RepresentationFixtures.SHAPES) {
                Tensor w = RepresentationFixtures.randomTensor(rnd, dims);
                int bits = 2 + rnd.nextInt(7);
                int axis = rnd.nextInt(-1, dims.length);
                AffineQuantized q = rnd.nextBoolean() ? RepresentationFixtures.symmetric(w, bits, axis)
                        : RepresentationFixtures.asymmetric(w, bits, axis);
                float[] out = q.materialize().floats();
                int[] index = new int[dims.length];
                for (int k = 0; k < out.length; k++) {
                    int c = axis < 0 ? 0 : index[axis];
                    float expected = (float) (q.codes()[k] - q.zeroPoints()[c]) * q.scales()[c];
                    assertThat(out[k]).isEqualTo(expected);
                    // Round to nearest: every element is within half a step of the original.
                    assertThat((double) Math.abs(out[k] - w.floats()[k]))
                            .isLessThanOrEqualTo(q.scales()[c] * 0.5 * (1 + 1e-5));
                    for (int d = dims.length - 1; d >= 0 && ++index[d] == dims[d]; d--) {
                        index[d] = 0;
                    }
                }
            }
        }
        assertThatThrownBy(() -> new AffineQuantized(new int[] {2}, 4, true, -1, new float[] {1}, new int[] {0},
                new int[] {8, 0})).hasMessageContaining("outside [-8, 7]");
        assertThatThrownBy(() -> new AffineQuantized(new int[] {2}, 4, true, 0, new float[] {1}, new int[] {0},
                new int[] {1, 0})).hasMessageContaining("expected 2 scales");
    }

    @Test
    void codebookLooksEveryElementUpInItsCentroids() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] dims : RepresentationFixtures.SHAPES) {
            Tensor w = RepresentationFixtures.randomTensor(rnd, dims);
            for (int bits = 1; bits <= 8; bits++) {
                Codebook c = RepresentationFixtures.uniformCodebook(w, bits);
                float[] out = c.materialize().floats();
                for (int k = 0; k < out.length; k++) {
                    assertThat(out[k]).isEqualTo(c.centroids()[c.indices()[k]]);
                }
            }
        }
    }

    @Test
    void factoredIsTheProductOfItsFactorsAndExactForExactlyLowRankIntegers() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int round = 0; round < ROUNDS; round++) {
            for (int[] dims : RepresentationFixtures.SHAPES) {
                int m = dims[0];
                int n = (int) (Tensor.elementCount(dims) / m);
                int r = 1 + rnd.nextInt(Math.min(m, n));
                float[] u = new float[m * r];
                float[] v = new float[r * n];
                for (int i = 0; i < u.length; i++) {
                    u[i] = rnd.nextInt(-8, 9);
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = rnd.nextInt(-8, 9);
                }
                Factored f = new Factored(dims, r, u, v, Factored.Layout.OUTPUT_BY_INPUT);
                float[] out = f.materialize().floats();
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int exact = 0;
                        for (int p = 0; p < r; p++) {
                            exact += (int) u[i * r + p] * (int) v[p * n + j];
                        }
                        assertThat(out[i * n + j]).isEqualTo((float) exact);
                    }
                }
            }
        }
    }

    @Test
    void powerIterationRecoversAnExactlyLowRankMatrix() {
        SplittableRandom rnd = new SplittableRandom(5);
        int m = 23;
        int n = 17;
        int r = 3;
        Factored truth = new Factored(new int[] {m, n}, r, RepresentationFixtures.gaussian(rnd, m * r),
                RepresentationFixtures.gaussian(rnd, r * n), Factored.Layout.OUTPUT_BY_INPUT);
        Tensor w = truth.materialize();
        Factored approx = RepresentationFixtures.lowRank(w, r, Factored.Layout.OUTPUT_BY_INPUT, 9);
        float[] a = approx.materialize().floats();
        for (int k = 0; k < a.length; k++) {
            assertThat(a[k]).isCloseTo(w.floats()[k], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void circulantRowsAreCyclicShiftsAndBlockCirculantOfOneBlockIsCirculant() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int n : new int[] {1, 2, 3, 7, 16, 31}) {
            float[] c = RepresentationFixtures.gaussian(rnd, n);
            Circulant circ = new Circulant(new int[] {n, n}, c);
            float[] w = circ.materialize().floats();
            for (int j = 0; j < n; j++) {
                assertThat(w[j]).isEqualTo(c[Math.floorMod(-j, n)]);
            }
            for (int i = 1; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertThat(w[i * n + j]).isEqualTo(w[(i - 1) * n + Math.floorMod(j - 1, n)]);
                }
            }
            assertThat(new BlockCirculant(new int[] {n, n}, n, c).materialize()).isEqualTo(circ.materialize());
        }
        for (int[] dims : RepresentationFixtures.SHAPES) {
            Tensor w = RepresentationFixtures.randomTensor(rnd, dims);
            int m = dims[0];
            int n = (int) (Tensor.elementCount(dims) / m);
            for (int b = 1; b <= Math.max(m, n); b += 1 + b / 3) {
                BlockCirculant bc = RepresentationFixtures.blockCirculantProjection(w, b);
                float[] out = bc.materialize().floats();
                for (int i = 1; i < m; i++) {
                    for (int j = 1; j < n; j++) {
                        if (i % b != 0 && j % b != 0) {
                            assertThat(out[i * n + j]).as("diagonal within a block")
                                    .isEqualTo(out[(i - 1) * n + j - 1]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void hashIsSplitMix64AndSpreadsElementsOverBucketsWithBothSigns() {
        // The documented hash is SplittableRandom's output sequence: h(seed, k) is its (k+1)-th nextLong.
        for (long seed : new long[] {0, 1, -7, 0x1234_5678_9ABCL}) {
            SplittableRandom reference = new SplittableRandom(seed);
            for (int k = 0; k < 100; k++) {
                assertThat(Hashed.hash(seed, k)).isEqualTo(reference.nextLong());
            }
        }
        assertThat(Hashed.hash(0, 0)).isEqualTo(0xE220A8397B1DCDAFL);
        int buckets = 13;
        Hashed h = new Hashed(new int[] {100, 130}, 42, true, RepresentationFixtures.gaussian(new SplittableRandom(7),
                buckets));
        int[] hits = new int[buckets];
        int negative = 0;
        float[] w = h.materialize().floats();
        for (int k = 0; k < w.length; k++) {
            hits[h.bucket(k)]++;
            negative += h.sign(k) < 0 ? 1 : 0;
            assertThat(w[k]).isEqualTo(h.sign(k) * h.buckets()[h.bucket(k)]);
        }
        for (int count : hits) {
            assertThat(count).isBetween(900, 1100);
        }
        assertThat(negative).isBetween(6200, 6800);
        assertThat(new Hashed(new int[] {100, 130}, 42, true, h.buckets()).materialize()).isEqualTo(h.materialize());
    }

    @Test
    void representationsAreImmutableValues() {
        float[] c = {1, 2, 3};
        Circulant circ = new Circulant(new int[] {3, 3}, c);
        c[0] = 99;
        circ.c()[1] = 99;
        assertThat(circ.c()).containsExactly(1, 2, 3);
        assertThat(circ).isEqualTo(new Circulant(new int[] {3, 3}, new float[] {1, 2, 3}));
        assertThat(circ.hashCode()).isEqualTo(new Circulant(new int[] {3, 3}, new float[] {1, 2, 3}).hashCode());
    }

    /** Decodes each layout exactly as the Javadoc of its type describes it, independently of the writers. */
    static final class LayoutReader {
        private final ByteBuffer in;
        private int bitBuffer;
        private int bitCount;

        private LayoutReader(byte[] bytes) {
            in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        private int u8() {
            return in.get() & 0xFF;
        }

        private int bits(int bits) {
            while (bitCount < bits) {
                bitBuffer |= u8() << bitCount;
                bitCount += 8;
            }
            int v = bitBuffer & ((1 << bits) - 1);
            bitBuffer >>>= bits;
            bitCount -= bits;
            return v;
        }

        private void alignToByte() {
            bitBuffer = 0;
            bitCount = 0;
        }

        private float[] f32s(int n) {
            float[] v = new float[n];
            in.asFloatBuffer().get(v);
            in.position(in.position() + 4 * n);
            return v;
        }

        /** Places the kept elements of a sparse-codebook gap stream, reading indices fixed-width or by a code. */
        private void placeSparseCodebook(float[] w, int indexBits, int[] gaps, float[] centroids, int bits,
                int[][] indexCode) {
            int escape = (1 << indexBits) - 1;
            int next = 0;
            for (int g : gaps) {
                if (g == escape) {
                    next += escape;
                } else {
                    next += g;
                    w[next++] = centroids[indexCode == null ? bits(bits) : huffman(indexCode)];
                }
            }
        }

        /** A table: {@code u8 L}, L counts, the symbols in canonical order; as DEFLATE rebuilds codes from lengths. */
        private int[][] table(int symbolBits) {
            int max = u8();
            int[] counts = new int[max + 1];
            int used = 0;
            for (int l = 1; l <= max; l++) {
                counts[l] = bits(symbolBits + 1);
                used += counts[l];
            }
            int[][] codes = new int[used][];
            int code = 0;
            int i = 0;
            for (int l = 1; l <= max; l++) {
                for (int c = 0; c < counts[l]; c++) {
                    codes[i++] = new int[] {bits(symbolBits), l, code++};
                }
                code <<= 1;
            }
            alignToByte();
            return codes;
        }

        /** Reads bits MSB-first of the code until they equal some (length, code) of the table. */
        private int huffman(int[][] table) {
            int code = 0;
            for (int l = 1; l <= 24; l++) {
                code = code << 1 | bits(1);
                for (int[] entry : table) {
                    if (entry[1] == l && entry[2] == code) {
                        return entry[0];
                    }
                }
            }
            throw new AssertionError("no code matches");
        }

        private void decodeHuffman(HuffmanCoded h, int[] dims, float[] w) {
            int size = w.length;
            int tag = u8();
            if (tag == 1) {
                int bits = u8();
                float[] centroids = f32s(u8() | u8() << 8);
                int[][] code = table(bits);
                for (int e = 0; e < size; e++) {
                    w[e] = centroids[huffman(code)];
                }
                alignToByte();
            } else if (tag == 2) {
                int indexBits = u8();
                int entries = in.getInt();
                int[][] code = table(indexBits);
                int[] gaps = new int[entries];
                for (int e = 0; e < entries; e++) {
                    gaps[e] = huffman(code);
                }
                alignToByte();
                float[] values = f32s(entries);
                int position = -1;
                for (int e = 0; e < entries; e++) {
                    position += gaps[e] + 1;
                    w[position] += values[e];
                }
            } else if (tag == 3) {
                int indexBits = u8();
                int bits = u8();
                float[] centroids = f32s(u8() | u8() << 8);
                int entries = in.getInt();
                int[][] gapCode = table(indexBits);
                int[][] indexCode = table(bits);
                int[] gaps = new int[entries];
                for (int e = 0; e < entries; e++) {
                    gaps[e] = huffman(gapCode);
                }
                alignToByte();
                placeSparseCodebook(w, indexBits, gaps, centroids, bits, indexCode);
                alignToByte();
            } else {
                assertThat(tag).isEqualTo(4);
                int bits = u8();
                boolean signed = u8() == 1;
                int axis = u8() - 1;
                int channels = axis < 0 ? 1 : dims[axis];
                float[] scales = f32s(channels);
                int[] zps = new int[channels];
                for (int c = 0; c < channels; c++) {
                    zps[c] = signed ? (byte) u8() : u8();
                }
                int[][] code = table(bits);
                int lo = signed ? -(1 << (bits - 1)) : 0;
                int inner = 1;
                for (int i = axis + 1; axis >= 0 && i < dims.length; i++) {
                    inner *= dims[i];
                }
                for (int k = 0; k < size; k++) {
                    int c = axis < 0 ? 0 : (k / inner) % channels;
                    w[k] = (float) (huffman(code) + lo - zps[c]) * scales[c];
                }
                alignToByte();
            }
        }

        static Tensor decode(Representation r, byte[] bytes) {
            int[] dims = r.dims();
            int size = (int) Tensor.elementCount(dims);
            int m = dims.length == 0 ? 1 : dims[0];
            int n = m == 0 ? 0 : size / m;
            LayoutReader rd = new LayoutReader(bytes);
            float[] w = new float[size];
            if (r instanceof Dense d) {
                if (d.dataType() != DataType.FLOAT) {
                    return d.tensor();
                }
                w = rd.f32s(size);
            } else if (r instanceof Sparse) {
                int bits = rd.u8();
                int entries = rd.in.getInt();
                int[] gaps = new int[entries];
                for (int e = 0; e < entries; e++) {
                    gaps[e] = rd.bits(bits);
                }
                rd.alignToByte();
                float[] values = rd.f32s(entries);
                int position = -1;
                for (int e = 0; e < entries; e++) {
                    position += gaps[e] + 1;
                    w[position] += values[e];
                }
            } else if (r instanceof AffineQuantized) {
                int bits = rd.u8();
                boolean signed = rd.u8() == 1;
                int axis = rd.u8() - 1;
                int channels = axis < 0 ? 1 : dims[axis];
                float[] scales = rd.f32s(channels);
                int[] zps = new int[channels];
                for (int c = 0; c < channels; c++) {
                    zps[c] = signed ? (byte) rd.u8() : rd.u8();
                }
                int lo = signed ? -(1 << (bits - 1)) : 0;
                int inner = 1;
                for (int i = axis + 1; axis >= 0 && i < dims.length; i++) {
                    inner *= dims[i];
                }
                for (int k = 0; k < size; k++) {
                    int c = axis < 0 ? 0 : (k / inner) % channels;
                    w[k] = (float) (rd.bits(bits) + lo - zps[c]) * scales[c];
                }
            } else if (r instanceof Codebook) {
                int bits = rd.u8();
                int k = rd.u8() | rd.u8() << 8;
                float[] centroids = rd.f32s(k);
                for (int e = 0; e < size; e++) {
                    w[e] = centroids[rd.bits(bits)];
                }
            } else if (r instanceof Factored f) {
                int rank = rd.in.getInt();
                float[] u = rd.f32s(m * rank);
                float[] v = rd.f32s(rank * n);
                return new Factored(dims, rank, u, v, f.layout()).materialize();
            } else if (r instanceof Circulant) {
                float[] c = rd.f32s(m);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < m; j++) {
                        w[i * m + j] = c[Math.floorMod(i - j, m)];
                    }
                }
            } else if (r instanceof BlockCirculant) {
                int b = rd.in.getInt();
                int q = (n + b - 1) / b;
                float[] vectors = rd.f32s(((m + b - 1) / b) * q * b);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        w[i * n + j] = vectors[((i / b) * q + j / b) * b + Math.floorMod(i % b - j % b, b)];
                    }
                }
            } else if (r instanceof SparseCodebook) {
                int indexBits = rd.u8();
                int bits = rd.u8();
                float[] centroids = rd.f32s(rd.u8() | rd.u8() << 8);
                int entries = rd.in.getInt();
                int[] gaps = new int[entries];
                for (int e = 0; e < entries; e++) {
                    gaps[e] = rd.bits(indexBits);
                }
                rd.alignToByte();
                rd.placeSparseCodebook(w, indexBits, gaps, centroids, bits, null);
                rd.alignToByte();
            } else if (r instanceof HuffmanCoded h) {
                rd.decodeHuffman(h, dims, w);
            } else if (r instanceof Hashed) {
                boolean signHash = rd.u8() == 1;
                long seed = rd.in.getLong();
                int buckets = rd.in.getInt();
                float[] table = rd.f32s(buckets);
                SplittableRandom hashes = new SplittableRandom(seed);
                for (int k = 0; k < size; k++) {
                    long h = hashes.nextLong();
                    // mix64(h) is the first output of a SplittableRandom seeded one golden gamma below h.
                    float sign = signHash && new SplittableRandom(h - 0x9E3779B97F4A7C15L).nextLong() < 0 ? -1f : 1f;
                    w[k] = sign * table[(int) Long.remainderUnsigned(h, buckets)];
                }
            }
            assertThat(rd.in.remaining()).as("bytes left after decoding %s", r).isZero();
            return Tensor.ofFloats(dims, w);
        }
    }
}
