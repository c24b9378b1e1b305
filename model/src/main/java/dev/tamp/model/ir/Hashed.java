package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A weight whose elements are tied through a hash into a small table (HashedNets, Chen et al. 2015): element
 * {@code k} (flat row-major index, {@code k = i * n + j} on the matrix view) is {@code sign(k) * buckets[bucket(k)]}.
 *
 * <p>The hash is SplitMix64's: {@code h = mix64(seed + (k + 1) * 0x9E3779B97F4A7C15)}, with {@code mix64(z)} =
 * {@code z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *= 0x94D049BB133111EB; z ^ z >>> 31} on unsigned
 * 64-bit integers. {@code bucket(k) = h mod B} (unsigned); with the sign hash, {@code sign(k) = -1} when the top bit of
 * {@code mix64(h)} is set, else +1 (without it, always +1).
 *
 * <p>Serialized layout (little-endian): {@code u8 flags} (bit 0: sign hash), {@code u64 seed}, {@code u32 B}, then the
 * {@code B} float32 buckets.
 */
public record Hashed(int[] dims, long seed, boolean signHash, float[] buckets) implements Representation {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    public Hashed {
        dims = StorageLayout.checkDims(dims);
        buckets = buckets.clone();
        if (buckets.length < 1) {
            throw new IllegalArgumentException("a hashed weight needs at least one bucket");
        }
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The 64-bit hash of flat index {@code k}. */
    public static long hash(long seed, long k) {
        return mix64(seed + (k + 1) * GOLDEN_GAMMA);
    }

    /** The bucket element {@code k} reads. */
    public int bucket(long k) {
        return (int) Long.remainderUnsigned(hash(seed, k), buckets.length);
    }

    /** +1 or -1: the sign element {@code k} is multiplied by. */
    public float sign(long k) {
        return signHash && mix64(hash(seed, k)) < 0 ? -1f : 1f;
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] buckets() {
        return buckets.clone();
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        float[] w = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int k = 0; k < w.length; k++) {
            w[k] = sign(k) * buckets[bucket(k)];
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 1 + 8 + 4 + 4L * buckets.length;
    }

    @Override
    public byte[] serialize() {
        return new StorageLayout.Writer(storedBytes()).u8(signHash ? 1 : 0).u64(seed).u32(buckets.length)
                .f32s(buckets).toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static Hashed deserialize(int[] dims, byte[] bytes) {
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int flags = in.u8();
        if ((flags & ~1) != 0) {
            throw new IllegalArgumentException("unknown hashed flags " + flags);
        }
        long seed = in.u64();
        int buckets = in.count("bucket count", Integer.MAX_VALUE);
        StorageLayout.Reader.expectLength("hashed", bytes, 13 + 4L * buckets);
        return new Hashed(dims, seed, flags == 1, in.f32s(buckets));
    }

    @Override
    public String kind() {
        return "hashed";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hashed h && seed == h.seed && signHash == h.signHash && Arrays.equals(dims, h.dims)
                && Arrays.equals(buckets, h.buckets);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(buckets)) + Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return "Hashed" + Arrays.toString(dims) + "[" + buckets.length + " buckets, seed " + seed + "]";
    }
}
