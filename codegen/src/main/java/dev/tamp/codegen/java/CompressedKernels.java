package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The fast kernels of compressed Gemm and Conv weights, shaped like the dense ones for HotSpot C2's auto-vectorizer
 * (every array in a hot loop indexed from zero by the loop variable), and the rule that chooses each Gemm weight's
 * resident form.
 *
 * <ul>
 *   <li><b>Gemm, decoded at load</b>: a codebook, int-k, or sparse weight denser than {@link
 *       #SPARSE_GATHER_MAX_DENSITY} (and sparse-codebook likewise) is materialized once at load exactly as the
 *       reference does ({@code cent[idx]}, {@code (float) (q - zp) * scale}, zeros where pruned) into float rows
 *       {@code [K][N]}, and {@code y += x[k] * W[k]} runs four rows per pass, skipping the rows whose input is zero
 *       (ReLU outputs and Fashion-MNIST's background pixels: about half of them). Per element a vectorized
 *       multiply-add costs about 1/7 of a CSR gather ({@code acc += x[col[e]] * val[e]}, scalar) and about 1/12 of
 *       an in-kernel lookup or byte widening (neither vectorizes on JDK 17), so these weights are fastest as floats;
 *       they then keep 4 B per element resident, which the resident-bytes report says.
 *   <li><b>Gemm, kept compressed</b>: a sparse weight at or below that density stays CSR (the gather wins there).
 *   <li><b>Conv</b>: im2col rows {@code col[tap][pixel]} per thread; each pair of output channels lists its taps
 *       (for CSR the union of the two channels' kept taps) with their weights decoded per call (one lookup per tap,
 *       amortized over the plane) and accumulates four taps per pass into two zero-based rows that share the column
 *       loads. The weights stay compressed in memory.
 * </ul>
 *
 * <p>Products are added in the reference's order (Gemm: k increasing, then alpha and bias; Conv: bias, then taps
 * increasing). Skipping a zero input is exact when the weights are finite (0 times a finite weight is a zero that
 * leaves a sum unchanged, and a sum started at +0 never becomes -0): each decoded weight records at load whether all
 * its values are finite, and the kernel only skips when they are.
 */
final class CompressedKernels {
    /**
     * At or below this fraction of kept weights a sparse Gemm weight stays CSR (per-output gathers); above it, it is
     * decoded into dense float rows. Measured on the project machine (JDK 17, AVX-512): dense rows and CSR gathers
     * meet near 11 % kept at 784 x 300, 14 % at 800 x 500, 16 % at 300 x 100 (one kept entry costs about 7 dense
     * multiply-adds); docs/codegen.md has the numbers and what zero inputs change.
     */
    static final double SPARSE_GATHER_MAX_DENSITY = 0.14;

    /** Taps (or Gemm rows) added per pass over the output row. */
    static final int BLOCK = 4;

    static final TypeName ROWS = ArrayTypeName.of(JavaEmitter.FLOATS);

    private CompressedKernels() {}

    /** Whether a Gemm weight stored as {@code r} (after Huffman decoding) is decoded into float rows at load. */
    static boolean decodedAtLoad(Representation r) {
        if (r instanceof Codebook || r instanceof AffineQuantized) {
            return true;
        }
        if (r instanceof Sparse s) {
            return density(s.positions().length, r.dims()) > SPARSE_GATHER_MAX_DENSITY;
        }
        if (r instanceof SparseCodebook s) {
            return density(s.positions().length, r.dims()) > SPARSE_GATHER_MAX_DENSITY;
        }
        return false;
    }

    /** The unsigned column index of CSR entry {@code e} of a weight with {@code cols} columns (as the reader stores it). */
    static String colRead(int cols) {
        return cols <= 256 ? "(col[e] & 0xff)" : cols <= 65_536 ? "(col[e] & 0xffff)" : "col[e]";
    }

    /**
     * The Gemm weights the emitter decodes into float rows at load, name to {rows, cols, transB}: each read by one
     * Gemm only (transA = 0), as its B, 2-D, of a representation {@link #decodedAtLoad} chooses (after Huffman
     * decoding).
     */
    static Map<String, int[]> decodedGemmWeights(Graph graph) {
        Map<String, Integer> uses = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (String in : node.inputs()) {
                uses.merge(in, 1, Integer::sum);
            }
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Node node : graph.nodes()) {
            if (!node.opType().equals("Gemm") || node.inputs().size() < 2
                    || node.attributes().getInt("transA", 0) != 0) {
                continue;
            }
            Weight w = graph.weights().get(node.input(1));
            if (w == null || uses.get(w.name()) != 1) {
                continue;
            }
            Representation r = w.representation() instanceof HuffmanCoded h ? h.inner() : w.representation();
            int[] d = r.dims();
            if (d.length != 2 || d[0] < 1 || d[1] < 1 || !decodedAtLoad(r)) {
                continue;
            }
            boolean transB = node.attributes().getInt("transB", 0) != 0;
            out.put(w.name(), new int[] {d[0], d[1], transB ? 1 : 0});
        }
        return out;
    }

    private static double density(long kept, int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n == 0 ? 1 : (double) kept / n;
    }

    /**
     * The load-time decoder {@code name(arrays...)} of a {@code [rows, cols]} weight stored as {@code r}: the
     * materialized weight (bit for bit the reference's) as float rows, {@code [cols][rows]} when {@code transpose}.
     * {@code params} are the decoder's parameters as (type, name) pairs, the names the kernels use.
     */
    static MethodSpec decoder(String name, Representation r, int rows, int cols, boolean transpose,
            List<Object> params) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addJavadoc("The weight materialized as the reference does, as float rows" + (transpose
                        ? " [" + cols + "][" + rows + "] (transposed)" : " [" + rows + "][" + cols + "]") + ".\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ROWS);
        for (int i = 0; i < params.size(); i += 2) {
            m.addParameter((TypeName) params.get(i), (String) params.get(i + 1));
        }
        materialize(m, r, rows, cols);
        if (!transpose) {
            m.addStatement("float[][] out = new float[$L][]", rows);
            m.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
            m.addStatement("out[r] = $T.copyOfRange(w, r * $L, (r + 1) * $L)", Arrays.class, cols, cols);
            m.endControlFlow();
            return m.addStatement("return out").build();
        }
        m.addStatement("float[][] out = new float[$L][$L]", cols, rows);
        m.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
        m.beginControlFlow("for (int c = 0; c < $L; c++)", cols);
        m.addStatement("out[c][r] = w[r * $L + c]", cols);
        m.endControlFlow();
        m.endControlFlow();
        return m.addStatement("return out").build();
    }

    /**
     * The load-time materializer {@code name(arrays...)} of a {@code [rows, cols]} weight stored as {@code r}: the
     * weight as the reference materializes it (bit for bit), flat in its stored row-major layout, which the SIMD
     * class binds like a dense weight. {@code params} as for {@link #decoder}.
     */
    static MethodSpec materializer(String name, Representation r, int rows, int cols, List<Object> params) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addJavadoc("The weight materialized as the reference does, flat [" + rows + ", " + cols + "], for "
                        + "the SIMD kernels.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(JavaEmitter.FLOATS);
        for (int i = 0; i < params.size(); i += 2) {
            m.addParameter((TypeName) params.get(i), (String) params.get(i + 1));
        }
        materialize(m, r, rows, cols);
        return m.addStatement("return w").build();
    }

    /** Whether the SIMD class can take a weight stored as {@code r} (after Huffman decoding) materialized at load. */
    static boolean materializable(Representation r) {
        return r instanceof Codebook || r instanceof AffineQuantized || r instanceof Sparse
                || r instanceof SparseCodebook;
    }

    /** Declares {@code float[] w} of {@code rows * cols} and fills it with the weight stored as {@code r}. */
    private static void materialize(MethodSpec.Builder m, Representation r, int rows, int cols) {
        m.addStatement("float[] w = new float[$L]", rows * cols);
        if (r instanceof Sparse || r instanceof SparseCodebook) {
            String val = r instanceof Sparse ? "val[e]" : "cent[idx[e] & 0xff]";
            m.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
            m.beginControlFlow("for (int e = start[r], end = start[r + 1]; e < end; e++)");
            m.addStatement("w[r * $L + " + colRead(cols) + "] = " + val, cols);
            m.endControlFlow();
            m.endControlFlow();
        } else if (r instanceof Codebook cb) {
            m.beginControlFlow("for (int i = 0; i < $L; i++)", rows * cols);
            m.addStatement("w[i] = cent[" + PackedCodes.field("idx", "i", cb.bits()) + "]");
            m.endControlFlow();
        } else {
            AffineQuantized q = (AffineQuantized) r;
            int inner = 1;
            for (int d = q.axis() + 1; d < q.dims().length && q.axis() >= 0; d++) {
                inner *= q.dims()[d];
            }
            m.beginControlFlow("for (int i = 0; i < $L; i++)", rows * cols);
            m.addStatement(q.axis() < 0 ? "int c = 0" : "int c = (i / $L) % $L", inner, q.scales().length);
            m.addStatement("w[i] = (float) (" + PackedCodes.code("q", "i", q.bits(), q.signed())
                    + " - zp[c]) * scale[c]");
            m.endControlFlow();
        }
    }

    /** The load-time check that lets the Gemm kernels skip zero inputs: every value of the rows is finite. */
    static MethodSpec finiteHelper() {
        return MethodSpec.methodBuilder("allFinite")
                .addJavadoc("Whether every value of {@code rows} is finite (then 0 times any of them adds nothing).\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(boolean.class)
                .addParameter(ROWS, "rows")
                .beginControlFlow("for (float[] row : rows)")
                .beginControlFlow("for (float v : row)")
                .beginControlFlow("if (v - v != 0f)")
                .addStatement("return false")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .addStatement("return true")
                .build();
    }

    /**
     * Gemm {@code y[n] = epilogue(sum_k x[k] * W[k][n])} over decoded rows {@code w[k]} (length n), parameters
     * {@code x, w, finite, [c,] y}: the inputs that are not zero (all of them unless {@code finite}) are listed
     * first, then y (zero on entry) accumulates BLOCK of their rows per pass, k increasing.
     */
    static void gemmRows(MethodSpec.Builder m, int k, int n, CodeBlock epilogue) {
        m.addComment("Rows whose input is zero add nothing (exact for finite weights): list the others, in order.");
        m.addStatement("int[] nz = new int[$L]", k);
        m.addStatement("int count = 0");
        m.beginControlFlow("for (int k = 0; k < $L; k++)", k);
        m.beginControlFlow("if (x[k] != 0f || !finite)");
        m.addStatement("nz[count++] = k");
        m.endControlFlow();
        m.endControlFlow();
        m.addStatement("int j = 0");
        m.beginControlFlow("for (; j + $L <= count; j += $L)", BLOCK, BLOCK);
        StringBuilder sum = new StringBuilder("y[i] = y[i]");
        for (int b = 0; b < BLOCK; b++) {
            m.addStatement("int k$L = nz[j + $L]", b, b);
            m.addStatement("float x$L = x[k$L]", b, b);
            m.addStatement("float[] w$L = w[k$L]", b, b);
            sum.append(" + x").append(b).append(" * w").append(b).append("[i]");
        }
        m.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        m.addStatement(sum.toString());
        m.endControlFlow();
        m.endControlFlow();
        m.beginControlFlow("for (; j < count; j++)");
        m.addStatement("float x0 = x[nz[j]]");
        m.addStatement("float[] w0 = w[nz[j]]");
        m.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        m.addStatement("y[i] += x0 * w0[i]");
        m.endControlFlow();
        m.endControlFlow();
        m.beginControlFlow("for (int o = 0; o < $L; o++)", n);
        m.addStatement("float acc = y[o]");
        m.addCode(epilogue);
        m.endControlFlow();
    }

    /**
     * An ungrouped Conv on a compressed weight: adds to {@code type} the per-thread im2col scratch, the im2col method,
     * a tap-listing helper and the kernel {@code method(x, <weight arrays>, [b,] y)}. {@code params} are the kernel's
     * typed parameters (as the emitter lists them, {@code x} first, then the weight arrays, then {@code b} and {@code
     * y}); {@code tapWeight} is the Java expression of the weight of tap {@code j} of output channel {@code oc} at
     * flat index {@code i} (dense representations), or null for CSR ({@code start}, {@code col}, and {@code val} or
     * {@code idx}/{@code cent}), whose entry {@code e} has tap {@code colRead} and weight {@code csrWeight}.
     *
     * <p>Output channels go in pairs that share each load of the im2col rows (at 64 pixels, LeNet-5's conv2, this
     * ran at 6.6 GMAC/s against 3.7 for one channel at a time): the pair's taps are the union of both channels'
     * (all taps for a dense representation; for CSR, the merge of the two sorted rows, a tap only one channel keeps
     * getting weight 0 in the other). Adding 0 times a column value is what the reference does too (it multiplies
     * the materialized weight, zeros included), so per channel the sum is still bias, then taps increasing.
     */
    static void conv(TypeSpec.Builder type, String method, String doc, DenseKernels.ConvShape s, boolean bias,
            List<Object> params, String tapWeight, String csrWeight, String colRead) {
        String scratch = "SCRATCH_" + method;
        int taps = s.taps();
        int pixels = s.pixels();
        int m = s.m();
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ThreadLocal.class, float[][].class), scratch,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per-thread im2col rows of {@code $L} (one per tap, then two accumulator rows): "
                        + "$L floats.\n", method, (long) (taps + 2) * pixels)
                .initializer("new $T<float[][]>()", ThreadLocal.class)
                .build());
        type.addMethod(im2col(method, scratch, s));
        // The weight arrays: every parameter between x and b / y.
        int weightEnd = params.size() - (bias ? 4 : 2);
        List<Object> weights = params.subList(2, weightEnd);
        CodeBlock.Builder weightArgs = CodeBlock.builder();
        for (int i = 1; i < weights.size(); i += 2) {
            weightArgs.add("$N, ", (String) weights.get(i));
        }
        String tapsMethod = "taps_" + method;
        MethodSpec.Builder t = MethodSpec.methodBuilder(tapsMethod)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(int.class);
        for (int i = 0; i < weights.size(); i += 2) {
            t.addParameter((TypeName) weights.get(i), (String) weights.get(i + 1));
        }
        t.addParameter(int.class, "oa").addParameter(int.class, "ob").addParameter(int[].class, "tj")
                .addParameter(JavaEmitter.FLOATS, "ta").addParameter(JavaEmitter.FLOATS, "tb");
        if (tapWeight == null) {
            t.addJavadoc("The union of the kept taps of output channels oa and ob (increasing), with each "
                    + "channel's weight, 0 where it does not keep the tap; returns their count. Scattered into two "
                    + "dense rows, then compacted without branches (a sorted merge mispredicts on random taps).\n");
            t.addStatement("$T.fill(ta, 0f)", Arrays.class);
            t.addStatement("$T.fill(tb, 0f)", Arrays.class);
            t.addStatement("boolean[] kept = new boolean[$L]", taps);
            t.beginControlFlow("for (int e = start[oa], end = start[oa + 1]; e < end; e++)");
            t.addStatement("int j = " + colRead);
            t.addStatement("ta[j] = " + csrWeight);
            t.addStatement("kept[j] = true");
            t.endControlFlow();
            t.beginControlFlow("for (int e = start[ob], end = start[ob + 1]; e < end; e++)");
            t.addStatement("int j = " + colRead);
            t.addStatement("tb[j] = " + csrWeight);
            t.addStatement("kept[j] = true");
            t.endControlFlow();
            t.addStatement("int n = 0");
            t.beginControlFlow("for (int j = 0; j < $L; j++)", taps);
            t.addStatement("float wa = ta[j]");
            t.addStatement("float wb = tb[j]");
            t.addStatement("tj[n] = j");
            t.addStatement("ta[n] = wa");
            t.addStatement("tb[n] = wb");
            t.addStatement("n += kept[j] ? 1 : 0");
            t.endControlFlow();
            t.addStatement("return n");
        } else {
            t.addJavadoc("Every tap, with the weights of output channels oa and ob; returns the tap count.\n");
            t.beginControlFlow("for (int j = 0, i = oa * $L; j < $L; j++, i++)", taps, taps);
            t.addStatement("int oc = oa");
            t.addStatement("tj[j] = j");
            t.addStatement("ta[j] = " + tapWeight);
            t.endControlFlow();
            t.beginControlFlow("for (int j = 0, i = ob * $L; j < $L; j++, i++)", taps, taps);
            t.addStatement("int oc = ob");
            t.addStatement("tb[j] = " + tapWeight);
            t.endControlFlow();
            t.addStatement("return $L", taps);
        }
        type.addMethod(t.build());

        MethodSpec.Builder k = MethodSpec.methodBuilder(method)
                .addJavadoc(doc + "\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        for (int i = 0; i < params.size(); i += 2) {
            k.addParameter((TypeName) params.get(i), (String) params.get(i + 1));
        }
        k.addStatement("float[][] rows = im2col_$L(x)", method);
        k.addStatement("float[] acc0 = rows[$L]", taps);
        k.addStatement("float[] acc1 = rows[$L]", taps + 1);
        k.addStatement("int[] tj = new int[$L]", taps);
        k.addStatement("float[] ta = new float[$L]", taps);
        k.addStatement("float[] tb = new float[$L]", taps);
        k.beginControlFlow("for (int oa = 0; oa < $L; oa += 2)", m);
        k.addComment("With an odd channel count the last channel is paired with itself (written once).");
        k.addStatement("int ob = oa + 1 < $L ? oa + 1 : oa", m);
        k.addStatement(CodeBlock.builder().add("int count = $N(", tapsMethod).add(weightArgs.build())
                .add("oa, ob, tj, ta, tb)").build());
        k.addStatement(bias ? "$T.fill(acc0, b[oa])" : "$T.fill(acc0, 0f)", Arrays.class);
        k.addStatement(bias ? "$T.fill(acc1, b[ob])" : "$T.fill(acc1, 0f)", Arrays.class);
        k.addStatement("int t = 0");
        k.beginControlFlow("for (; t + $L <= count; t += $L)", BLOCK, BLOCK);
        StringBuilder a0 = new StringBuilder("acc0[p] = acc0[p]");
        StringBuilder a1 = new StringBuilder("acc1[p] = acc1[p]");
        for (int j = 0; j < BLOCK; j++) {
            k.addStatement("float a$L = ta[t + $L]", j, j);
            k.addStatement("float b$L = tb[t + $L]", j, j);
            k.addStatement("float[] c$L = rows[tj[t + $L]]", j, j);
            a0.append(" + a").append(j).append(" * v").append(j);
            a1.append(" + b").append(j).append(" * v").append(j);
        }
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        for (int j = 0; j < BLOCK; j++) {
            k.addStatement("float v$L = c$L[p]", j, j);
        }
        k.addStatement(a0.toString());
        k.addStatement(a1.toString());
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (; t < count; t++)");
        k.addStatement("float a0 = ta[t]");
        k.addStatement("float b0 = tb[t]");
        k.addStatement("float[] c0 = rows[tj[t]]");
        k.beginControlFlow("for (int p = 0; p < $L; p++)", pixels);
        k.addStatement("float v0 = c0[p]");
        k.addStatement("acc0[p] += a0 * v0");
        k.addStatement("acc1[p] += b0 * v0");
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("$T.arraycopy(acc0, 0, y, oa * $L, $L)", System.class, pixels, pixels);
        k.addStatement("$T.arraycopy(acc1, 0, y, ob * $L, $L)", System.class, pixels, pixels);
        k.endControlFlow();
        type.addMethod(k.build());
    }

    /**
     * This thread's im2col rows, {@code col[(ic * kh + i) * kw + j][oh * ow + o]} = the input pixel under tap (i, j)
     * of output pixel (oh, o). Padding positions are never written, so they stay zero.
     */
    private static MethodSpec im2col(String method, String scratch, DenseKernels.ConvShape s) {
        int taps = s.taps();
        MethodSpec.Builder k = MethodSpec.methodBuilder("im2col_" + method)
                .addJavadoc("This thread's im2col rows of {@code $L}, filled from {@code x}.\n", method)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ROWS)
                .addParameter(JavaEmitter.FLOATS, "x");
        k.addStatement("float[][] col = $N.get()", scratch);
        k.beginControlFlow("if (col == null)");
        k.addStatement("col = new float[$L][$L]", taps + 2, s.pixels());
        k.addStatement("$N.set(col)", scratch);
        k.endControlFlow();
        DenseKernels.fillIm2col(k, s, false);
        k.addStatement("return col");
        return k.build();
    }
}
