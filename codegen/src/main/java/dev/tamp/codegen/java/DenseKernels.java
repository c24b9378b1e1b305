package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.Arrays;
import javax.lang.model.element.Modifier;

/**
 * The dense Gemm and Conv kernels, shaped for HotSpot C2's auto-vectorizer (SuperWord). Measured on JDK 17 (AVX-512):
 * C2 vectorizes {@code y[i] += a * x[i]} at 16-20 GMAC/s over 784 elements, but only when every array in the loop
 * is indexed by the bare loop variable: one invariant offset ({@code x[base + i]}) keeps the loop scalar at about
 * 2 GMAC/s. So the hot loops here only ever index rows ({@code float[]} objects of their own) from zero:
 *
 * <ul>
 *   <li>Gemm weights are split into rows at load ({@code float[K][N]}, transposed when the model stores W as [N, K]),
 *       and each output vector is accumulated as {@code y += x[k] * W[k]}, four rows of W per pass over y (so y is
 *       loaded and stored once per four products);
 *   <li>Conv copies its input into per-thread im2col rows ({@code col[tap][pixel]}, the tap order of the weight) and
 *       accumulates each output channel's plane in a scratch row, four taps per pass, then copies it into y.
 * </ul>
 *
 * <p>The products are added in the same order as a plain loop (bias first for Conv, last for Gemm, then k or taps
 * increasing): Java evaluates {@code a + b + c} left to right and never fuses a multiply-add, so the blocking changes
 * no result.
 */
final class DenseKernels {
    /** Rows of W (or taps) added per pass over the output row: y is loaded and stored once per BLOCK products. */
    static final int BLOCK = 4;

    static final TypeName ROWS = ArrayTypeName.of(JavaEmitter.FLOATS);

    private DenseKernels() {}

    /**
     * The load-time helper that splits a row-major {@code [rows, cols]} float32 weight into {@code float[cols][rows]}
     * (transposed) or {@code float[rows][cols]} rows.
     */
    static MethodSpec rowsHelper() {
        return MethodSpec.methodBuilder("rows")
                .addJavadoc("A row-major [rows, cols] weight as rows of its own: transposed ({@code [cols][rows]}) "
                        + "or not. The kernels index these rows from zero, which HotSpot vectorizes.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ROWS)
                .addParameter(JavaEmitter.FLOATS, "w")
                .addParameter(int.class, "rows")
                .addParameter(int.class, "cols")
                .addParameter(boolean.class, "transpose")
                .beginControlFlow("if (!transpose)")
                .addStatement("float[][] out = new float[rows][]")
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .addStatement("out[r] = $T.copyOfRange(w, r * cols, (r + 1) * cols)", Arrays.class)
                .endControlFlow()
                .addStatement("return out")
                .endControlFlow()
                .addStatement("float[][] out = new float[cols][rows]")
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .beginControlFlow("for (int c = 0; c < cols; c++)")
                .addStatement("out[c][r] = w[r * cols + c]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return out")
                .build();
    }

    /**
     * Dense Gemm {@code y[n] = epilogue(sum_k x[k] * W[k][n])} over the weight's rows {@code w[k]} (length n): y
     * (zero on entry, a fresh activation) accumulates BLOCK rows per pass; the epilogue (alpha, bias) then runs per
     * output, as the reference applies it.
     */
    static void gemmRows(MethodSpec.Builder m, int k, int n, CodeBlock epilogue) {
        m.addStatement("int k = 0");
        m.beginControlFlow("for (; k + $L <= $L; k += $L)", BLOCK, k, BLOCK);
        StringBuilder sum = new StringBuilder("y[i] = y[i]");
        for (int j = 0; j < BLOCK; j++) {
            m.addStatement("float x$L = x[k + $L]", j, j);
            m.addStatement("float[] w$L = w[k + $L]", j, j);
            sum.append(" + x").append(j).append(" * w").append(j).append("[i]");
        }
        m.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        m.addStatement(sum.toString());
        m.endControlFlow();
        m.endControlFlow();
        m.beginControlFlow("for (; k < $L; k++)", k);
        m.addStatement("float x0 = x[k]");
        m.addStatement("float[] w0 = w[k]");
        m.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        m.addStatement("y[i] += x0 * w0[i]");
        m.endControlFlow();
        m.endControlFlow();
        m.beginControlFlow("for (int o = 0; o < $L; o++)", n);
        m.addStatement("float acc = y[o]");
        m.addCode(epilogue);
        m.endControlFlow();
    }

    /** The shape of a dense 2-D convolution with one group, every constant the kernels bake in. */
    record ConvShape(int c, int h, int w, int m, int kh, int kw, int[] strides, int[] pads, int[] dil, int oh,
            int ow) {
        int taps() {
            return c * kh * kw;
        }

        int pixels() {
            return oh * ow;
        }
    }

    /**
     * Whether a Conv of this shape puts output channels innermost: below this many output pixels per channel, C2's
     * vector loop over a plane is mostly pre- and post-loop (7x7 = 49, 8x8 = 64), so the kernel sweeps rows of
     * output channels instead. Measured on resnet8's and LeNet-5's shapes (JDK 17, AVX-512): 49-pixel planes with
     * 128 channels 6 GMAC/s over pixels, 12.7 over channels; 196 pixels and more are faster over pixels.
     */
    static boolean channelsInnermost(ConvShape s) {
        return s.pixels() < 128;
    }

    /** Output channels (pixel-innermost) or pixels (channel-innermost) accumulated per pass. */
    static final int TILE = 4;

    /** Taps added per pass over the accumulator rows. */
    static final int TAPS = 2;

    /**
     * Adds to {@code type} the per-thread im2col scratch of Conv kernel {@code method}, the im2col method and the
     * kernel {@code method(x, w, [b,] y)} itself. The kernel is a GEMM over the im2col rows, {@link #TILE}
     * accumulator rows at a time, {@link #TAPS} taps per pass: pixel-innermost ({@code w} the model's [M, taps]
     * weight, accumulator rows over pixels, one per output channel) or, when {@link #channelsInnermost},
     * channel-innermost, when {@code channels} ({@code w} the transposed rows {@code [taps][M]}, accumulator rows over output channels, one
     * per pixel, written back to the NCHW output; the emitter chooses it where {@link #channelsInnermost} and the
     * weight is this Conv's alone). Either way each output is its bias (or zero) plus the taps in
     * weight order, as the reference adds them, so the tiling changes no result. With {@code relu}, the Relu that
     * follows the Conv is applied as each output is stored.
     */
    static void conv(TypeSpec.Builder type, String method, String doc, ConvShape s, boolean bias, boolean relu,
            boolean channels) {
        String scratch = "SCRATCH_" + method;
        int taps = s.taps();
        int pixels = s.pixels();
        int accLength = channels ? s.m() : pixels;
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ThreadLocal.class, float[][].class), scratch,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per-thread im2col rows of {@code $L} (one per tap, then $L accumulator rows): "
                        + "$L floats.\n", method, TILE, (long) taps * pixels + (long) TILE * accLength)
                .initializer("new $T<float[][]>()", ThreadLocal.class)
                .build());
        type.addMethod(im2col(method, scratch, s, accLength));
        MethodSpec.Builder k = MethodSpec.methodBuilder(method)
                .addJavadoc(doc + "\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(JavaEmitter.FLOATS, "x")
                .addParameter(channels ? ROWS : JavaEmitter.FLOATS, "w");
        if (bias) {
            k.addParameter(JavaEmitter.FLOATS, "b");
        }
        k.addParameter(JavaEmitter.FLOATS, "y");
        k.addStatement("float[][] col = im2col_$L(x)", method);
        if (channels) {
            channelsInnermost(k, s, bias, method);
        } else {
            pixelsInnermost(k, s, bias, method);
        }
        type.addMethod(k.build());
        type.addMethod(store(method, s, channels, relu));
    }

    /** Output channels oc..oc+TILE-1 over all pixels, then the channels left one at a time. */
    private static void pixelsInnermost(MethodSpec.Builder k, ConvShape s, boolean bias, String method) {
        int taps = s.taps();
        int pixels = s.pixels();
        k.addStatement("int oc = 0");
        k.beginControlFlow("for (; oc + $L <= $L; oc += $L)", TILE, s.m(), TILE);
        for (int r = 0; r < TILE; r++) {
            k.addStatement("float[] a$L = col[$L]", r, taps + r);
            if (bias) {
                k.addStatement("$T.fill(a$L, b[oc + $L])", Arrays.class, r, r);
            } else {
                k.addStatement("$T.fill(a$L, 0f)", Arrays.class, r);
            }
            k.addStatement("int w$L = (oc + $L) * $L", r, r, taps);
        }
        k.addStatement("int t = 0");
        k.beginControlFlow("for (; t + $L <= $L; t += $L)", TAPS, taps, TAPS);
        StringBuilder loads = new StringBuilder();
        for (int j = 0; j < TAPS; j++) {
            k.addStatement("float[] c$L = col[t + $L]", j, j);
            loads.append(j == 0 ? "float " : ", ").append("x").append(j).append(" = c").append(j).append("[p]");
        }
        for (int r = 0; r < TILE; r++) {
            StringBuilder ws = new StringBuilder("float ");
            for (int j = 0; j < TAPS; j++) {
                ws.append(j == 0 ? "" : ", ").append("v").append(r).append(j).append(" = w[w").append(r)
                        .append(" + t + ").append(j).append("]");
            }
            k.addStatement(ws.toString());
        }
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement(loads.toString());
        for (int r = 0; r < TILE; r++) {
            StringBuilder sum = new StringBuilder("a" + r + "[p] = a" + r + "[p]");
            for (int j = 0; j < TAPS; j++) {
                sum.append(" + v").append(r).append(j).append(" * x").append(j);
            }
            k.addStatement(sum.toString());
        }
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (; t < $L; t++)", taps);
        k.addStatement("float[] c0 = col[t]");
        for (int r = 0; r < TILE; r++) {
            k.addStatement("float v$L0 = w[w$L + t]", r, r);
        }
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement("float x0 = c0[p]");
        for (int r = 0; r < TILE; r++) {
            k.addStatement("a$L[p] += v$L0 * x0", r, r);
        }
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("store_$L(col, oc, $L, y)", method, TILE);
        k.endControlFlow();
        k.beginControlFlow("for (; oc < $L; oc++)", s.m());
        k.addStatement("float[] a0 = col[$L]", taps);
        k.addStatement(bias ? "$T.fill(a0, b[oc])" : "$T.fill(a0, 0f)", Arrays.class);
        k.addStatement("int w0 = oc * $L", taps);
        k.beginControlFlow("for (int t = 0; t < $L; t++)", taps);
        k.addStatement("float v = w[w0 + t]");
        k.addStatement("float[] c0 = col[t]");
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement("a0[p] += v * c0[p]");
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("store_$L(col, oc, 1, y)", method);
        k.endControlFlow();
    }

    /** Pixels p..p+TILE-1 over all output channels (weight rows w[t] of length M), then the pixels left. */
    private static void channelsInnermost(MethodSpec.Builder k, ConvShape s, boolean bias, String method) {
        int taps = s.taps();
        int pixels = s.pixels();
        int m = s.m();
        k.addStatement("int p = 0");
        k.beginControlFlow("for (; p + $L <= $L; p += $L)", TILE, pixels, TILE);
        for (int r = 0; r < TILE; r++) {
            k.addStatement("float[] a$L = col[$L]", r, taps + r);
            if (bias) {
                k.addStatement("$T.arraycopy(b, 0, a$L, 0, $L)", System.class, r, m);
            } else {
                k.addStatement("$T.fill(a$L, 0f)", Arrays.class, r);
            }
        }
        k.addStatement("int t = 0");
        k.beginControlFlow("for (; t + $L <= $L; t += $L)", TAPS, taps, TAPS);
        StringBuilder loads = new StringBuilder();
        for (int j = 0; j < TAPS; j++) {
            k.addStatement("float[] c$L = col[t + $L]", j, j);
            k.addStatement("float[] w$L = w[t + $L]", j, j);
            loads.append(j == 0 ? "float " : ", ").append("v").append(j).append(" = w").append(j).append("[o]");
        }
        for (int r = 0; r < TILE; r++) {
            StringBuilder xs = new StringBuilder("float ");
            for (int j = 0; j < TAPS; j++) {
                xs.append(j == 0 ? "" : ", ").append("x").append(r).append(j).append(" = c").append(j)
                        .append("[p + ").append(r).append("]");
            }
            k.addStatement(xs.toString());
        }
        k.beginControlFlow("for (int o = 0; o < $L; o++)", m);
        k.addStatement(loads.toString());
        for (int r = 0; r < TILE; r++) {
            StringBuilder sum = new StringBuilder("a" + r + "[o] = a" + r + "[o]");
            for (int j = 0; j < TAPS; j++) {
                sum.append(" + x").append(r).append(j).append(" * v").append(j);
            }
            k.addStatement(sum.toString());
        }
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (; t < $L; t++)", taps);
        k.addStatement("float[] c0 = col[t]");
        k.addStatement("float[] w0 = w[t]");
        for (int r = 0; r < TILE; r++) {
            k.addStatement("float x$L0 = c0[p + $L]", r, r);
        }
        k.beginControlFlow("for (int o = 0; o < $L; o++)", m);
        k.addStatement("float v0 = w0[o]");
        for (int r = 0; r < TILE; r++) {
            k.addStatement("a$L[o] += x$L0 * v0", r, r);
        }
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("store_$L(col, p, $L, y)", method, TILE);
        k.endControlFlow();
        k.beginControlFlow("for (; p < $L; p++)", pixels);
        k.addStatement("float[] a0 = col[$L]", taps);
        if (bias) {
            k.addStatement("$T.arraycopy(b, 0, a0, 0, $L)", System.class, m);
        } else {
            k.addStatement("$T.fill(a0, 0f)", Arrays.class);
        }
        k.beginControlFlow("for (int t = 0; t < $L; t++)", taps);
        k.addStatement("float x0 = col[t][p]");
        k.addStatement("float[] w0 = w[t]");
        k.beginControlFlow("for (int o = 0; o < $L; o++)", m);
        k.addStatement("a0[o] += x0 * w0[o]");
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("store_$L(col, p, 1, y)", method);
        k.endControlFlow();
    }

    /**
     * {@code store_<method>(col, first, count, y)}: the {@code count} accumulator rows after the taps into the NCHW
     * output (rows of output channels {@code first...}, or of pixels {@code first...} written transposed), through
     * the fused Relu if any ({@code Math.max(v, 0f)}, as the Relu kernel).
     */
    private static MethodSpec store(String method, ConvShape s, boolean channels, boolean relu) {
        int taps = s.taps();
        int pixels = s.pixels();
        MethodSpec.Builder k = MethodSpec.methodBuilder("store_" + method)
                .addJavadoc("The first {@code count} accumulator rows of {@code $L} into y"
                        + (relu ? ", through the fused Relu" : "") + ".\n", method)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(ROWS, "col")
                .addParameter(int.class, "first")
                .addParameter(int.class, "count")
                .addParameter(JavaEmitter.FLOATS, "y");
        k.beginControlFlow("for (int r = 0; r < count; r++)");
        k.addStatement("float[] a = col[$L + r]", taps);
        if (channels) {
            k.addStatement("int p = first + r");
            k.beginControlFlow("for (int o = 0; o < $L; o++)", s.m());
            k.addStatement("float v = a[o]");
            if (relu) {
                k.addStatement("y[o * $L + p] = $T.max(v, 0f)", pixels, Math.class);
            } else {
                k.addStatement("y[o * $L + p] = v", pixels);
            }
            k.endControlFlow();
        } else if (relu) {
            k.addStatement("int base = (first + r) * $L", pixels);
            k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
            k.addStatement("float v = a[p]");
            k.addStatement("y[base + p] = $T.max(v, 0f)", Math.class);
            k.endControlFlow();
        } else {
            k.addStatement("$T.arraycopy(a, 0, y, (first + r) * $L, $L)", System.class, pixels, pixels);
        }
        k.endControlFlow();
        return k.build();
    }

    /**
     * Copies the input into this thread's im2col rows: {@code col[(ic * kh + i) * kw + j][oh * ow + o]} is the input
     * pixel under tap (i, j) of output pixel (oh, o). Pixels in the padding are never written: a thread's rows start
     * zero and every call writes the same positions, so those stay zero.
     */
    private static MethodSpec im2col(String method, String scratch, ConvShape s, int accLength) {
        int taps = s.taps();
        MethodSpec.Builder k = MethodSpec.methodBuilder("im2col_" + method)
                .addJavadoc("This thread's im2col rows of {@code $L}, filled from {@code x}.\n", method)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ROWS)
                .addParameter(JavaEmitter.FLOATS, "x");
        k.addStatement("float[][] col = $N.get()", scratch);
        k.beginControlFlow("if (col == null)");
        k.addStatement("col = new float[$L][]", taps + TILE);
        k.beginControlFlow("for (int i = 0; i < $L; i++)", taps + TILE);
        k.addStatement("col[i] = new float[i < $L ? $L : $L]", taps, s.pixels(), accLength);
        k.endControlFlow();
        k.addStatement("$N.set(col)", scratch);
        k.endControlFlow();
        fillIm2col(k, s, false);
        k.addStatement("return col");
        return k.build();
    }

    /**
     * Emits the loops that copy input {@code x} into im2col form, tap by tap and output row by output row (padding
     * positions are never written): into rows {@code float[] col[tap]} or, {@code flat}, into {@code float[] col} at
     * {@code tap * cs}. Shared by the dense, compressed and Vector API kernels.
     */
    static void fillIm2col(MethodSpec.Builder k, ConvShape s, boolean flat) {
        k.beginControlFlow("for (int ic = 0; ic < $L; ic++)", s.c());
        k.addStatement("int xBase = ic * $L", s.h() * s.w());
        k.beginControlFlow("for (int kh = 0; kh < $L; kh++)", s.kh());
        k.beginControlFlow("for (int kw = 0; kw < $L; kw++)", s.kw());
        if (flat) {
            k.addStatement("int c = ((ic * $L + kh) * $L + kw) * cs", s.kh(), s.kw());
        } else {
            k.addStatement("float[] c = col[(ic * $L + kh) * $L + kw]", s.kh(), s.kw());
        }
        k.addStatement("int off = kw * $L - $L", s.dil()[1], s.pads()[1]);
        k.addComment("Output columns whose input column o * stride + off lies inside the image.");
        k.addStatement("int owLo = off >= 0 ? 0 : (-off + $L) / $L", s.strides()[1] - 1, s.strides()[1]);
        k.addStatement("int owHi = $T.min($L, ($L - off + $L) / $L)", Math.class, s.ow(), s.w(),
                s.strides()[1] - 1, s.strides()[1]);
        k.beginControlFlow("if (owHi <= owLo)");
        k.addStatement("continue");
        k.endControlFlow();
        k.beginControlFlow("for (int oh = 0; oh < $L; oh++)", s.oh());
        k.addStatement("int ih = oh * $L - $L + kh * $L", s.strides()[0], s.pads()[0], s.dil()[0]);
        k.beginControlFlow("if (ih < 0 || ih >= $L)", s.h());
        k.addStatement("continue");
        k.endControlFlow();
        k.addStatement("int xRow = xBase + ih * $L + off", s.w());
        k.addStatement(flat ? "int cRow = c + oh * $L" : "int cRow = oh * $L", s.ow());
        if (s.strides()[1] == 1) {
            k.addStatement("$T.arraycopy(x, xRow + owLo, $N, cRow + owLo, owHi - owLo)", System.class, flat ? "col" : "c");
        } else {
            k.beginControlFlow("for (int o = owLo; o < owHi; o++)");
            k.addStatement("$N[cRow + o] = x[xRow + o * $L]", flat ? "col" : "c", s.strides()[1]);
            k.endControlFlow();
        }
        k.endControlFlow();
        k.endControlFlow();
        k.endControlFlow();
        k.endControlFlow();
    }
}
