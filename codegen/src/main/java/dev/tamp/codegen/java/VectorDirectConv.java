package dev.tamp.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;

/**
 * The SIMD class's direct convolution (no im2col): output channels innermost, the input read in place. The input is
 * copied once into a per-thread zero-bordered buffer {@code xp [C][H + pads][W + pads]} (skipped without pads, unless
 * the slots are contiguous), so every tap of every output pixel is the pixel's top-left corner in {@code xp} plus
 * {@code OFF[t]}, the tap's (channel, row, column) offset, baked into a static table; the corners come from the
 * baked table {@code PIX} or, with stride 1, are contiguous slots (see {@link Plan}). A register tile of {@code R}
 * pixels by {@code V} vectors of output channels accumulates, over the taps, the broadcast input value times the
 * weight row {@code w[t][oc...]} (transposed at bind, zero-padded to whole tiles): the structure of ONNX Runtime's
 * NCHWc kernels, with the NCHW tensors of the scalar class converted only in the epilogue (Vector API gathers), which
 * also applies a fused residual Add and Relu. The plan is chosen per layer from its (baked) shape.
 *
 * <p>Each output is its bias, then the products in tap order (weight order), each a fused multiply-add: the same
 * summation order as the scalar kernels, one rounding per product-add instead of two.
 */
final class VectorDirectConv {
    /** Lanes the tile choice assumes (AVX-512 floats); the code itself uses the run-time species length. */
    static final int ASSUMED_LANES = 16;
    /** Accumulator registers a tile may use: AVX-512 has 32, the weight vectors and the broadcast need the rest. */
    private static final int ACCUMULATORS = 24;
    /** Cost of copying one float into im2col rows, in multiply-adds (measured on resnet8: about 9 % of the time). */
    private static final int IM2COL_FLOAT_COST = 6;

    private VectorDirectConv() {}

    /**
     * What the bounds check of a table-addressed broadcast costs, in multiply-adds. A micro-benchmark of the 12x2
     * tile alone suggests 1.5 (54 against 91 GMAC/s), but with 1.5 the model sent resnet8's 7x7 layers to im2col and
     * the whole model ran 10 % slower (interleaved A/B); 0.5 keeps them direct.
     */
    private static final double CHECK_COST = 0.5;

    /**
     * A layer's direct kernel: {@code rows} pixels by {@code vectors} vectors of output channels per tile, over
     * {@code slots} pixel slots. {@code rowStride} 0: the slots are the output pixels, each tile's through the
     * origin table {@code PIX} (each broadcast bounds-checked). {@code rowStride} > 0 (stride 1 only): slot {@code
     * oh * rowStride + ow} is output pixel (oh, ow) for {@code ow < OW} and a computed-and-dropped one beyond, so a
     * tile's input addresses are its first one plus 0 .. R - 1, which C2 bounds-checks once for all.
     */
    record Plan(int rows, int vectors, int slots, int rowStride) {
        boolean contiguous() {
            return rowStride > 0;
        }
    }

    /** Vectors of output channels per tile: as many as the channels fill, at most 4. */
    static int vectors(DenseKernels.ConvShape s) {
        return Math.min(4, (s.m() + ASSUMED_LANES - 1) / ASSUMED_LANES);
    }

    /**
     * The cheaper of the two plans: V from the channels, then the most pixel rows that fit the registers and pad
     * the slots least ({@link #rowsFor}); the contiguous slots (stride 1) pay for their dropped columns, the
     * origin table for its per-broadcast bounds checks.
     */
    static Plan plan(DenseKernels.ConvShape s) {
        int v = vectors(s);
        int most = Math.min(12, ACCUMULATORS / v);
        int r = rowsFor(s.pixels(), most);
        Plan table = new Plan(r, v, padded(s.pixels(), r), 0);
        if (s.strides()[0] != 1 || s.strides()[1] != 1) {
            return table;
        }
        int wp = s.w() + s.pads()[1] + s.pads()[3];
        int rc = rowsFor(s.oh() * wp, most);
        Plan contiguous = new Plan(rc, v, padded(s.oh() * wp, rc), wp);
        return cost(contiguous) < cost(table) ? contiguous : table;
    }

    /** Multiply-adds per output channel lane and tap of a plan: slots times (R V FMAs + checks) / (R V). */
    private static double cost(Plan p) {
        double checks = p.contiguous() ? 2 : p.rows();
        return p.slots() * (p.rows() * p.vectors() + CHECK_COST * checks) / (p.rows() * p.vectors());
    }

    /**
     * Among {@code most * 2 / 3 .. most} rows, the count with the least {@code padded(n, r) * (1 + 1 / r)}: rows
     * computed, each tile's fixed cost (its weight vectors, loop and stores) spread over its rows.
     */
    static int rowsFor(int n, int most) {
        int best = most;
        for (int r = most; r >= Math.max(1, (most * 2 + 2) / 3); r--) {
            if (padded(n, r) * (r + 1L) * best < padded(n, best) * (best + 1L) * r) {
                best = r;
            }
        }
        return best;
    }

    /**
     * Whether the direct kernel computes this Conv rather than the im2col GEMM with pixels innermost: the one that
     * multiplies fewer padded lanes, counting the im2col copy as {@value #IM2COL_FLOAT_COST} multiply-adds per float
     * and the direct kernel's bounds checks as {@link #cost}.
     */
    static boolean chosen(DenseKernels.ConvShape s) {
        Plan p = plan(s);
        double direct = (double) padded(s.m(), p.vectors() * ASSUMED_LANES) * s.taps() * cost(p);
        double im2col = (double) s.m() * s.taps() * s.pixels()
                * ((double) padded(s.pixels(), VectorKernels.VECTORS * ASSUMED_LANES) / s.pixels())
                * ((double) padded(s.m(), VectorKernels.rows(s)) / s.m())
                + (double) IM2COL_FLOAT_COST * s.taps() * s.pixels();
        return direct <= im2col;
    }

    private static int padded(int n, int tile) {
        return (n + tile - 1) / tile * tile;
    }

    private static boolean padding(DenseKernels.ConvShape s) {
        int[] p = s.pads();
        return p[0] != 0 || p[1] != 0 || p[2] != 0 || p[3] != 0;
    }

    /** The static helpers the direct kernels' tables are computed with, added once per SIMD class. */
    static void addHelpers(TypeSpec.Builder t) {
        t.addMethod(MethodSpec.methodBuilder("tapOffsets").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Offsets in the bordered input of each tap (channel, row, column), in weight order.\n")
                .returns(int[].class)
                .addParameter(int.class, "c").addParameter(int.class, "kh").addParameter(int.class, "kw")
                .addParameter(int.class, "dh").addParameter(int.class, "dw").addParameter(int.class, "hp")
                .addParameter(int.class, "wp")
                .addStatement("int[] off = new int[c * kh * kw]")
                .beginControlFlow("for (int ic = 0, t = 0; ic < c; ic++)")
                .beginControlFlow("for (int i = 0; i < kh; i++)")
                .beginControlFlow("for (int j = 0; j < kw; j++, t++)")
                .addStatement("off[t] = (ic * hp + i * dh) * wp + j * dw")
                .endControlFlow().endControlFlow().endControlFlow()
                .addStatement("return off").build());
        t.addMethod(MethodSpec.methodBuilder("grid").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("{@code (i * rowStep + j * step) * scale} for the rows i and columns j of an output plane, "
                        + "row-major, then zeros up to {@code count}.\n")
                .returns(int[].class)
                .addParameter(int.class, "oh").addParameter(int.class, "ow").addParameter(int.class, "rowStep")
                .addParameter(int.class, "step").addParameter(int.class, "scale").addParameter(int.class, "count")
                .addStatement("int[] g = new int[count]")
                .beginControlFlow("for (int i = 0, p = 0; i < oh; i++)")
                .beginControlFlow("for (int j = 0; j < ow; j++, p++)")
                .addStatement("g[p] = (i * rowStep + j * step) * scale")
                .endControlFlow().endControlFlow()
                .addStatement("return g").build());
    }

    /**
     * Adds the fields, bind statements and methods of the direct kernel {@code c.method()(x, [r,] y)} to the SIMD
     * class: {@code r} is the fused residual Add's other operand when {@code c.residual()}.
     */
    static void emit(TypeSpec.Builder t, MethodSpec.Builder bound, VectorKernels.Conv c, ClassName floatVector) {
        DenseKernels.ConvShape s = c.shape();
        String m = c.method();
        Plan plan = plan(s);
        int pixels = s.pixels();
        int hp = s.h() + s.pads()[0] + s.pads()[2];
        int wp = s.w() + s.pads()[1] + s.pads()[3];
        String wf = "w_" + m;
        String bf = "b_" + m;
        String mp = "MP_" + m;
        t.addField(FieldSpec.builder(int.class, mp, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Output channels of {@code $L} padded to whole tiles of $L vectors.\n", m, plan.vectors())
                .initializer("padded($L, $L)", s.m(), plan.vectors()).build());
        t.addField(FieldSpec.builder(int[].class, "OFF_" + m, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("tapOffsets($L, $L, $L, $L, $L, $L, $L)", s.c(), s.kh(), s.kw(), s.dil()[0],
                        s.dil()[1], hp, wp).build());
        if (!plan.contiguous()) {
            t.addField(FieldSpec.builder(int[].class, "PIX_" + m, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Each output pixel's top-left tap in the bordered input, then zeros (pixels of the "
                            + "cut-off last tile, computed on valid addresses and dropped).\n")
                    .initializer("grid($L, $L, $L, $L, 1, $L)", s.oh(), s.ow(), s.strides()[0] * wp, s.strides()[1],
                            plan.slots()).build());
        }
        t.addField(FieldSpec.builder(int[].class, "SLOT_" + m, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Each output pixel's first float in the pixel-major tiles.\n")
                .initializer("grid($L, $L, $L, 1, $N, $L)", s.oh(), s.ow(), plan.contiguous() ? plan.rowStride()
                        : s.ow(), mp, pixels).build());
        t.addField(JavaEmitter.FLOATS, wf, Modifier.PRIVATE, Modifier.FINAL);
        bound.addStatement("this.$N = transposed((float[]) w[$L], $L, $L, $N, true)", wf, c.weight(), s.m(),
                s.taps(), mp);
        boolean bias = c.bias() >= 0;
        if (bias) {
            t.addField(JavaEmitter.FLOATS, bf, Modifier.PRIVATE, Modifier.FINAL);
            bound.addStatement("this.$N = transposed((float[]) w[$L], 1, $L, $N, false)", bf, c.bias(), s.m(), mp);
        }
        String scratch = "SCRATCH_" + m;
        // Contiguous slots read up to R - 1 + (kw - 1) dilation past the last row: the copy has that slack.
        boolean copy = padding(s) || plan.contiguous();
        int copySize = s.c() * hp * wp + (plan.contiguous() ? plan.slots() - s.oh() * wp + plan.rows()
                + (s.kw() - 1) * s.dil()[1] : 0);
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(ThreadLocal.class, float[][].class), scratch,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per-thread $L[$L] accumulator tiles of {@code $L} (pixel-major).\n",
                        copy ? "bordered input [" + s.c() + " x " + hp + " x " + wp + "] and " : "", plan.slots(), m)
                .initializer("new $T<float[][]>()", ThreadLocal.class).build());

        MethodSpec.Builder k = MethodSpec.methodBuilder(m).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(JavaEmitter.FLOATS, "x");
        if (c.residual()) {
            k.addParameter(JavaEmitter.FLOATS, "r");
        }
        k.addParameter(JavaEmitter.FLOATS, "y");
        k.addStatement("float[][] sc = $N.get()", scratch);
        k.beginControlFlow("if (sc == null)");
        k.addStatement("sc = new float[][] {new float[$L], new float[$L * $N]}", copy ? copySize : 0, plan.slots(),
                mp);
        k.addStatement("$N.set(sc)", scratch);
        k.endControlFlow();
        if (copy) {
            k.addComment("The bordered copy: the border and slack are never written, so they stay zero.");
            k.addStatement("float[] xp = sc[0]");
            k.beginControlFlow("for (int ic = 0; ic < $L; ic++)", s.c());
            k.beginControlFlow("for (int i = 0; i < $L; i++)", s.h());
            k.addStatement("$T.arraycopy(x, (ic * $L + i) * $L, xp, (ic * $L + i + $L) * $L + $L, $L)", System.class,
                    s.h(), s.w(), hp, s.pads()[0], wp, s.pads()[1], s.w());
            k.endControlFlow();
            k.endControlFlow();
        } else {
            k.addStatement("float[] xp = x");
        }
        k.addStatement("float[] acc = sc[1]");
        k.beginControlFlow("for (int p = 0; p < $L; p += $L)", plan.slots(), plan.rows());
        k.addStatement("tile_$L(xp, $N, $L, p, acc)", m, wf, bias ? bf : "null");
        k.endControlFlow();
        k.addComment("Epilogue: the pixel-major tiles into the NCHW output" + (c.residual() ? ", plus the residual"
                : "") + (c.relu() ? ", through the Relu (max keeps NaN)" : "") + ": each channel's run of L pixels "
                + "gathered through SLOT, then the pixels left one at a time.");
        k.addStatement("int[] slot = $N", "SLOT_" + m);
        k.addStatement("int p0 = 0");
        k.beginControlFlow("for (; p0 + L <= $L; p0 += L)", pixels);
        k.beginControlFlow("for (int oc = 0; oc < $L; oc++)", s.m());
        k.addStatement("int o = oc * $L + p0", pixels);
        k.addStatement("$T v = $T.fromArray(S, acc, oc, slot, p0)", floatVector, floatVector);
        if (c.residual()) {
            k.addStatement("v = v.add($T.fromArray(S, r, o))", floatVector);
        }
        if (c.relu()) {
            k.addStatement("v = v.max(0f)");
        }
        k.addStatement("v.intoArray(y, o)");
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (int oc = 0; oc < $L; oc++)", s.m());
        k.addStatement("int o = oc * $L", pixels);
        k.beginControlFlow("for (int p = p0; p < $L; p++)", pixels);
        String v = "acc[slot[p] + oc]";
        if (c.residual()) {
            v = v + " + r[o + p]";
        }
        if (c.relu()) {
            v = "Math.max(" + v + ", 0f)";
        }
        k.addStatement("y[o + p] = " + v);
        k.endControlFlow();
        k.endControlFlow();
        t.addMethod(k.build());
        t.addMethod(tileMethod(c, plan, floatVector));
    }

    /** Pixels p .. p + R - 1, every tile of output channels: {@code acc[(p + i) * MP + oc]}. */
    private static MethodSpec tileMethod(VectorKernels.Conv c, Plan plan, ClassName fv) {
        DenseKernels.ConvShape s = c.shape();
        String m = c.method();
        int rows = plan.rows();
        int vectors = plan.vectors();
        MethodSpec.Builder k = MethodSpec.methodBuilder("tile_" + m)
                .addJavadoc("Pixels p .. p + $L of {@code $L}, all output channels, into the pixel-major tiles.\n",
                        rows - 1, m)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(JavaEmitter.FLOATS, "xp").addParameter(JavaEmitter.FLOATS, "w")
                .addParameter(JavaEmitter.FLOATS, "b").addParameter(int.class, "p")
                .addParameter(JavaEmitter.FLOATS, "acc");
        k.addStatement("int[] off = OFF_$L", m);
        k.addStatement("int mp = MP_$L", m);
        if (!plan.contiguous()) {
            k.addStatement("int[] pix = PIX_$L", m);
            for (int i = 0; i < rows; i++) {
                k.addStatement("int q$L = pix[p + $L]", i, i);
            }
        }
        k.beginControlFlow("for (int j = 0; j < mp; j += $L * L)", vectors);
        for (int v = 0; v < vectors; v++) {
            if (c.bias() >= 0) {
                k.addStatement("$T z$L = $T.fromArray(S, b, j + $L * L)", fv, v, fv, v);
            } else {
                k.addStatement("$T z$L = $T.zero(S)", fv, v, fv);
            }
        }
        for (int i = 0; i < rows; i++) {
            for (int v = 0; v < vectors; v++) {
                k.addStatement("$T c$L_$L = z$L", fv, i, v, v);
            }
        }
        k.beginControlFlow("for (int t = 0; t < $L; t++)", s.taps());
        // Contiguous slots: the tile's addresses are o + 0 .. o + R - 1, one bounds check for all.
        k.addStatement(plan.contiguous() ? "int o = p + off[t]" : "int o = off[t]");
        k.addStatement("int wj = t * mp + j");
        for (int v = 0; v < vectors; v++) {
            k.addStatement("$T b$L = $T.fromArray(S, w, wj + $L * L)", fv, v, fv, v);
        }
        for (int i = 0; i < rows; i++) {
            String address = plan.contiguous() ? "o + " + i : "q" + i + " + o";
            k.addStatement((i == 0 ? "$T x" : "x") + " = $T.broadcast(S, xp[$L])",
                    i == 0 ? new Object[] {fv, fv, address} : new Object[] {fv, address});
            for (int v = 0; v < vectors; v++) {
                k.addStatement("c$L_$L = x.fma(b$L, c$L_$L)", i, v, v, i, v);
            }
        }
        k.endControlFlow();
        CodeBlock.Builder store = CodeBlock.builder();
        for (int i = 0; i < rows; i++) {
            store.addStatement("int a$L = (p + $L) * mp + j", i, i);
            for (int v = 0; v < vectors; v++) {
                store.addStatement("c$L_$L.intoArray(acc, a$L + $L * L)", i, v, i, v);
            }
        }
        k.addCode(store.build());
        k.endControlFlow();
        return k.build();
    }
}
