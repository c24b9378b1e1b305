package dev.tamp.model.ir;

import java.util.Arrays;

/**
 * A weight stored as integer codes of 2 to 8 bits with a float32 scale and an integer zero point, per tensor or per
 * channel along one axis; element {@code k} in channel {@code c} is {@code (float) (codes[k] - zeroPoints[c]) *
 * scales[c]}, computed in float32 exactly as ONNX {@code DequantizeLinear} does. Symmetric quantization is the case of
 * signed codes with zero points 0.
 *
 * <p>Serialized layout (little-endian): {@code u8 bits}, {@code u8 flags} (bit 0: signed codes), {@code u8 axis + 1}
 * (0 for per tensor), the channel count {@code C} float32 scales, {@code C} zero points as one two's-complement or
 * unsigned byte each, then the codes minus the lowest code ({@code -2^(bits-1)} if signed, else 0) packed LSB-first in
 * {@code bits} bits each.
 *
 * @param signed codes range over {@code [-2^(bits-1), 2^(bits-1) - 1]}, otherwise {@code [0, 2^bits - 1]}
 * @param axis the channel axis of {@code dims}, or -1 for one scale and zero point for the whole tensor
 * @param codes one code per element, row-major
 */
public record AffineQuantized(int[] dims, int bits, boolean signed, int axis, float[] scales, int[] zeroPoints,
        int[] codes) implements Representation {
    public AffineQuantized {
        dims = StorageLayout.checkDims(dims);
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
        codes = codes.clone();
        if (bits < 2 || bits > 8) {
            throw new IllegalArgumentException("bits must be 2 to 8, got " + bits);
        }
        if (axis < -1 || axis >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " outside a rank-" + dims.length + " weight");
        }
        int channels = axis < 0 ? 1 : dims[axis];
        if (scales.length != channels || zeroPoints.length != channels) {
            throw new IllegalArgumentException("expected " + channels + " scales and zero points, got "
                    + scales.length + " and " + zeroPoints.length);
        }
        for (float s : scales) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("scales must be positive and finite, got " + s);
            }
        }
        int lo = signed ? -(1 << (bits - 1)) : 0;
        int hi = lo + (1 << bits) - 1;
        for (int z : zeroPoints) {
            if (z < lo || z > hi) {
                throw new IllegalArgumentException("zero point " + z + " outside [" + lo + ", " + hi + "]");
            }
        }
        if (codes.length != Tensor.elementCount(dims)) {
            throw new IllegalArgumentException(codes.length + " codes for " + Arrays.toString(dims));
        }
        for (int q : codes) {
            if (q < lo || q > hi) {
                throw new IllegalArgumentException("code " + q + " outside [" + lo + ", " + hi + "]");
            }
        }
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public float[] scales() {
        return scales.clone();
    }

    @Override
    public int[] zeroPoints() {
        return zeroPoints.clone();
    }

    @Override
    public int[] codes() {
        return codes.clone();
    }

    public int minCode() {
        return signed ? -(1 << (bits - 1)) : 0;
    }

    public int maxCode() {
        return minCode() + (1 << bits) - 1;
    }

    public boolean perChannel() {
        return axis >= 0;
    }

    /** Symmetric: signed codes and every zero point 0, so 0.0 is exact and the range is centred. */
    public boolean symmetric() {
        return signed && Arrays.stream(zeroPoints).allMatch(z -> z == 0);
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public Tensor materialize() {
        float[] w = new float[codes.length];
        int inner = 1;
        for (int i = axis + 1; i < dims.length && axis >= 0; i++) {
            inner *= dims[i];
        }
        int channels = scales.length;
        for (int k = 0; k < w.length; k++) {
            int c = axis < 0 ? 0 : (k / inner) % channels;
            w[k] = (float) (codes[k] - zeroPoints[c]) * scales[c];
        }
        return Tensor.ofFloats(dims, w);
    }

    @Override
    public long storedBytes() {
        return 3 + 5L * scales.length + StorageLayout.packedBytes(codes.length, bits);
    }

    @Override
    public byte[] serialize() {
        StorageLayout.Writer out = new StorageLayout.Writer(storedBytes())
                .u8(bits).u8(signed ? 1 : 0).u8(axis + 1).f32s(scales);
        for (int z : zeroPoints) {
            out.u8(z);
        }
        int lo = minCode();
        for (int q : codes) {
            out.bits(q - lo, bits);
        }
        return out.flushBits().toByteArray();
    }

    /** The weight stored in {@code bytes} ({@link #serialize()}'s layout) with the given dimensions. */
    public static AffineQuantized deserialize(int[] dims, byte[] bytes) {
        int n = Math.toIntExact(Tensor.elementCount(StorageLayout.checkDims(dims)));
        StorageLayout.Reader in = new StorageLayout.Reader(bytes);
        int bits = in.u8();
        if (bits < 2 || bits > 8) {
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
        StorageLayout.Reader.expectLength("int" + bits, bytes, 3 + 5L * channels + StorageLayout.packedBytes(n, bits));
        float[] scales = in.f32s(channels);
        int[] zeroPoints = new int[channels];
        for (int c = 0; c < channels; c++) {
            zeroPoints[c] = signed ? (byte) in.u8() : in.u8();
        }
        int[] codes = in.packed(n, bits);
        in.expectEnd("int" + bits);
        int lo = signed ? -(1 << (bits - 1)) : 0;
        for (int k = 0; k < n; k++) {
            codes[k] += lo;
        }
        return new AffineQuantized(dims, bits, signed, axis, scales, zeroPoints, codes);
    }

    @Override
    public String kind() {
        return "int" + bits;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AffineQuantized q && bits == q.bits && signed == q.signed && axis == q.axis
                && Arrays.equals(dims, q.dims) && Arrays.equals(scales, q.scales)
                && Arrays.equals(zeroPoints, q.zeroPoints) && Arrays.equals(codes, q.codes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(dims) + Arrays.hashCode(scales)) + Arrays.hashCode(codes) + bits;
    }

    @Override
    public String toString() {
        return "AffineQuantized" + Arrays.toString(dims) + "[" + bits + " bits, " + (signed ? "signed" : "unsigned")
                + (axis < 0 ? ", per tensor]" : ", axis " + axis + "]");
    }
}
