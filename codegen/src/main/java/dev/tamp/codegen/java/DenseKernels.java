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
     * Adds to {@code type} the per-thread im2col scratch of Conv kernel {@code method}, the im2col method and the
     * kernel {@code method(x, w, [b,] y)} itself.
     */
    static void conv(TypeSpec.Builder type, String method, String doc, ConvShape s, boolean bias) {
        String scratch = "SCRATCH_" + method;
        int taps = s.taps();
        int pixels = s.pixels();
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ThreadLocal.class, float[][].class), scratch,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per-thread im2col rows of {@code $L} (one per tap, then the accumulator row): "
                        + "$L floats.\n", method, (long) (taps + 1) * pixels)
                .initializer("new $T<float[][]>()", ThreadLocal.class)
                .build());
        type.addMethod(im2col(method, scratch, s));
        MethodSpec.Builder k = MethodSpec.methodBuilder(method)
                .addJavadoc(doc + "\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(JavaEmitter.FLOATS, "x")
                .addParameter(JavaEmitter.FLOATS, "w");
        if (bias) {
            k.addParameter(JavaEmitter.FLOATS, "b");
        }
        k.addParameter(JavaEmitter.FLOATS, "y");
        k.addStatement("float[][] col = im2col_$L(x)", method);
        k.addStatement("float[] acc = col[$L]", taps);
        k.beginControlFlow("for (int oc = 0; oc < $L; oc++)", s.m());
        k.addStatement(bias ? "$T.fill(acc, b[oc])" : "$T.fill(acc, 0f)", Arrays.class);
        k.addStatement("int wBase = oc * $L", taps);
        k.addStatement("int t = 0");
        k.beginControlFlow("for (; t + $L <= $L; t += $L)", BLOCK, taps, BLOCK);
        StringBuilder sum = new StringBuilder("acc[p] = acc[p]");
        for (int j = 0; j < BLOCK; j++) {
            k.addStatement("float w$L = w[wBase + t + $L]", j, j);
            k.addStatement("float[] c$L = col[t + $L]", j, j);
            sum.append(" + w").append(j).append(" * c").append(j).append("[p]");
        }
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement(sum.toString());
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (; t < $L; t++)", taps);
        k.addStatement("float w0 = w[wBase + t]");
        k.addStatement("float[] c0 = col[t]");
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement("acc[p] += w0 * c0[p]");
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("$T.arraycopy(acc, 0, y, oc * $L, $L)", System.class, pixels, pixels);
        k.endControlFlow();
        type.addMethod(k.build());
    }

    /**
     * Copies the input into this thread's im2col rows: {@code col[(ic * kh + i) * kw + j][oh * ow + o]} is the input
     * pixel under tap (i, j) of output pixel (oh, o). Pixels in the padding are never written: a thread's rows start
     * zero and every call writes the same positions, so those stay zero.
     */
    private static MethodSpec im2col(String method, String scratch, ConvShape s) {
        int taps = s.taps();
        MethodSpec.Builder k = MethodSpec.methodBuilder("im2col_" + method)
                .addJavadoc("This thread's im2col rows of {@code $L}, filled from {@code x}.\n", method)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ROWS)
                .addParameter(JavaEmitter.FLOATS, "x");
        k.addStatement("float[][] col = $N.get()", scratch);
        k.beginControlFlow("if (col == null)");
        k.addStatement("col = new float[$L][$L]", taps + 1, s.pixels());
        k.addStatement("$N.set(col)", scratch);
        k.endControlFlow();
        k.beginControlFlow("for (int ic = 0; ic < $L; ic++)", s.c());
        k.addStatement("int xBase = ic * $L", s.h() * s.w());
        k.beginControlFlow("for (int kh = 0; kh < $L; kh++)", s.kh());
        k.beginControlFlow("for (int kw = 0; kw < $L; kw++)", s.kw());
        k.addStatement("float[] c = col[(ic * $L + kh) * $L + kw]", s.kh(), s.kw());
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
        k.addStatement("int cRow = oh * $L", s.ow());
        if (s.strides()[1] == 1) {
            k.addStatement("$T.arraycopy(x, xRow + owLo, c, cRow + owLo, owHi - owLo)", System.class);
        } else {
            k.beginControlFlow("for (int o = owLo; o < owHi; o++)");
            k.addStatement("c[cRow + o] = x[xRow + o * $L]", s.strides()[1]);
            k.endControlFlow();
        }
        k.endControlFlow();
        k.endControlFlow();
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("return col");
        return k.build();
    }
}
