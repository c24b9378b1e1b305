package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The optional SIMD variant of the dense kernels: a second generated class, {@code <Class>Simd}, written against the
 * JDK Vector API ({@code jdk.incubator.vector}, Java 16+, compiled with {@code --release 17 --add-modules
 * jdk.incubator.vector}) that computes the dense one-group Conv and row Gemm layers with explicit register tiles of
 * {@code FloatVector.SPECIES_PREFERRED} fused multiply-adds. The scalar Java 8 class never names it: it declares the
 * nested interface {@value #INTERFACE}, and at class initialization looks the SIMD class up by name through
 * reflection, using it only when it links (the module is present: {@code --add-modules jdk.incubator.vector}) and its
 * species has at least 4 lanes; otherwise, and when the system property {@value #PROPERTY} is {@code false}, it runs
 * its own scalar kernels.
 *
 * <p>Kernels: register tiles of fused multiply-adds, accumulators in registers over the whole reduction. Conv is
 * either the direct kernel of {@link VectorDirectConv} (output channels innermost, the input read in place through
 * tap and pixel offset tables) or, where that pads more lanes than copying the input costs ({@link
 * VectorDirectConv#chosen}), the im2col GEMM with pixels innermost: tiles of {@link #rows} output channels by {@link
 * #VECTORS} vectors of pixels (A = the [M, taps] weight, B = im2col rows padded to whole tiles). Gemm: tiles of 1 row
 * by {@link #GEMM_VECTORS} vectors. Each output is its bias (Conv) then the products in tap order, each fused (one
 * rounding per product-add instead of two), so results differ from the scalar kernels by summation rounding only.
 */
final class VectorKernels {
    static final String INTERFACE = "VectorKernels";
    static final String PROPERTY = "tamp.simd";
    static final String SUFFIX = "Simd";

    /** Vectors per im2col Conv tile row: {@link #rows} x VECTORS accumulators stay in registers. */
    static final int VECTORS = 4;
    /** Vectors per Gemm tile (one row: the batch-1 input). */
    static final int GEMM_VECTORS = 4;

    private static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
    private static final ClassName BYTE_VECTOR = ClassName.get("jdk.incubator.vector", "ByteVector");
    private static final ClassName OPERATORS = ClassName.get("jdk.incubator.vector", "VectorOperators");
    private static final TypeName SPECIES = ParameterizedTypeName.get(
            ClassName.get("jdk.incubator.vector", "VectorSpecies"), ClassName.get(Float.class));

    private VectorKernels() {}

    /** A layer the SIMD class computes. */
    sealed interface Layer permits Conv, Gemm {
        String method();
    }

    /**
     * A dense one-group Conv: weight and bias are container indices (bias -1 when absent); with {@code residual}
     * the kernel also adds the activation {@code r} (a fused residual Add) before the fused Relu, if any.
     */
    record Conv(String method, DenseKernels.ConvShape shape, int weight, int bias, boolean relu, boolean residual)
            implements Layer {}

    /**
     * A Gemm {@code y = epilogue(x W)}, W stored [n, k] ({@code transB}) or [k, n] at container index {@code
     * weight}; {@code epilogue} is the scalar class's (alpha, bias {@code c}, Relu) over {@code acc}, {@code o}. The
     * weight is bound as floats, or with {@code int8} as {@code Object[] {byte[] codes, float[] scales}} (signed
     * int8, zero points 0, one scale or one per output), kept as bytes and widened in registers.
     */
    record Gemm(String method, int k, int n, boolean transB, int weight, boolean bias, CodeBlock epilogue,
            boolean int8) implements Layer {}

    /**
     * Whether the SIMD kernel of a Conv of this shape can fuse a residual Add (and a Relu after it) into its
     * epilogue: the direct kernel can ({@link VectorDirectConv#chosen}), the im2col one does not.
     */
    static boolean fusesResidual(DenseKernels.ConvShape s) {
        return VectorDirectConv.chosen(s);
    }

    /**
     * Output channels per tile of the im2col kernel (by {@link #VECTORS} vectors of pixels): 4 or 5 (6 would take
     * the tile method past 2,000 bytes of bytecode), whichever leaves fewer channels to the one-row remainder tiles.
     */
    static int rows(DenseKernels.ConvShape s) {
        return VectorDirectConv.rowsFor(s.m(), 5);
    }

    // ---- the scalar class's side ----

    /** The nested interface the scalar class declares and the SIMD class implements. */
    static TypeSpec interfaceType(ClassName self, List<Layer> layers) {
        ClassName iface = self.nestedClass(INTERFACE);
        TypeSpec.Builder t = TypeSpec.interfaceBuilder(iface)
                .addJavadoc("The dense layers' kernels of the SIMD variant {@code $L$L} (JDK Vector API), which this "
                        + "class finds by reflection at initialization; never referenced statically.\n",
                        self.simpleName(), SUFFIX);
        t.addMethod(MethodSpec.methodBuilder("bind").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                .addJavadoc("Kernels holding their own layout of the decoded weights {@code w} (container order).\n")
                .returns(iface).addParameter(Object[].class, "w").build());
        for (Layer l : layers) {
            MethodSpec.Builder m = MethodSpec.methodBuilder(l.method()).addModifiers(Modifier.PUBLIC,
                    Modifier.ABSTRACT).addParameter(JavaEmitter.FLOATS, "x");
            if (l instanceof Gemm g && g.bias()) {
                m.addParameter(JavaEmitter.FLOATS, "c");
            }
            if (l instanceof Conv c && c.residual()) {
                m.addParameter(JavaEmitter.FLOATS, "r");
            }
            t.addMethod(m.addParameter(JavaEmitter.FLOATS, "y").build());
        }
        return t.build();
    }

    /**
     * The scalar class's static {@code VECTOR} prototype: the SIMD class if it links, else null. Catches only what a
     * missing module, class or species can throw (linkage errors, including a failed initializer, and reflection).
     */
    static void addLookup(TypeSpec.Builder type, ClassName self) {
        ClassName iface = self.nestedClass(INTERFACE);
        type.addField(FieldSpec.builder(iface, "VECTOR", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The SIMD kernels' prototype, or null: the scalar kernels run.\n")
                .initializer("vectorKernels()").build());
        type.addMethod(MethodSpec.methodBuilder("vectorKernels")
                .addJavadoc("The SIMD class {@code $L$L} if it is on the class path, links (the JVM runs with "
                        + "{@code --add-modules jdk.incubator.vector}) and the system property {@code $L} is not "
                        + "{@code false}; else null.\n", self.simpleName(), SUFFIX, PROPERTY)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(iface)
                .beginControlFlow("if ($S.equals(System.getProperty($S)))", "false", PROPERTY)
                .addStatement("return null")
                .endControlFlow()
                .beginControlFlow("try")
                .addStatement("Class<?> c = Class.forName($T.class.getName() + $S, true, $T.class.getClassLoader())",
                        self, SUFFIX, self)
                .addStatement("return ($T) c.getDeclaredConstructor().newInstance()", iface)
                .nextControlFlow("catch ($T e)", LinkageError.class)
                .addStatement("return null")
                .nextControlFlow("catch ($T e)", ReflectiveOperationException.class)
                .addStatement("return null")
                .nextControlFlow("catch ($T e)", SecurityException.class)
                .addStatement("return null")
                .endControlFlow()
                .build());
    }

    // ---- the SIMD class ----

    /** The SIMD class {@code <self>Simd} computing {@code layers}. */
    static TypeSpec simdType(ClassName self, List<Layer> layers) {
        ClassName simd = ClassName.get(self.packageName(), self.simpleName() + SUFFIX);
        ClassName iface = self.nestedClass(INTERFACE);
        TypeSpec.Builder t = TypeSpec.classBuilder(simd)
                .addJavadoc("The SIMD variant of the dense kernels of {@link $T} (JDK Vector API, preferred species, "
                        + "fused multiply-adds), chosen by it at initialization. Needs {@code --add-modules "
                        + "jdk.incubator.vector} at run time. Instances are immutable; scratch is per thread.\n", self)
                .addModifiers(Modifier.FINAL)
                .addSuperinterface(iface);
        t.addField(FieldSpec.builder(SPECIES, "S", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.SPECIES_PREFERRED", FLOAT_VECTOR).build());
        t.addField(FieldSpec.builder(int.class, "L", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("S.length()").build());
        t.addStaticBlock(CodeBlock.builder()
                .add("// Narrower than 4 lanes the API falls back to slow paths: fail the lookup, run scalar.\n")
                .beginControlFlow("if (L < 4)")
                .addStatement("throw new $T($S + L)", UnsupportedOperationException.class,
                        "preferred float species too narrow: ")
                .endControlFlow().build());
        MethodSpec.Builder bound = MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE)
                .addParameter(Object[].class, "w");
        t.addMethod(MethodSpec.constructorBuilder().addJavadoc("The unbound prototype.\n")
                .addStatement("this(null)").build());
        bound.beginControlFlow("if (w == null)");
        for (Layer l : layers) {
            bound.addStatement("this.$N = null", "w_" + l.method());
            if (l instanceof Conv c && c.bias() >= 0) {
                bound.addStatement("this.$N = null", "b_" + l.method());
            }
            if (l instanceof Gemm g) {
                bound.addStatement("this.$N = false", "finite_" + l.method());
                if (g.int8()) {
                    bound.addStatement("this.$N = null", "s_" + l.method());
                }
            }
        }
        bound.addStatement("return");
        bound.endControlFlow();
        boolean direct = false;
        for (Layer l : layers) {
            if (l instanceof Conv c && VectorDirectConv.chosen(c.shape())) {
                VectorDirectConv.emit(t, bound, c, FLOAT_VECTOR);
                direct = true;
            } else if (l instanceof Conv c) {
                conv(t, bound, c);
            } else {
                gemm(t, bound, (Gemm) l);
            }
        }
        if (direct) {
            VectorDirectConv.addHelpers(t);
        }
        t.addMethod(bound.build());
        t.addMethod(MethodSpec.methodBuilder("bind").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(iface).addParameter(Object[].class, "w").addStatement("return new $T(w)", simd).build());
        t.addMethod(MethodSpec.methodBuilder("padded").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("n rounded up to whole tiles of {@code vectors} vectors.\n")
                .returns(int.class).addParameter(int.class, "n").addParameter(int.class, "vectors")
                .addStatement("int tile = vectors * L")
                .addStatement("return (n + tile - 1) / tile * tile").build());
        if (layers.stream().anyMatch(l -> l instanceof Gemm g && g.int8())) {
            int8Helpers(t);
        }
        if (layers.stream().anyMatch(l -> l instanceof Gemm)) {
            t.addMethod(MethodSpec.methodBuilder("finite").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("Whether every value of {@code w} is finite (then a zero input adds nothing).\n")
                    .returns(boolean.class).addParameter(JavaEmitter.FLOATS, "w")
                    .beginControlFlow("for (float v : w)")
                    .beginControlFlow("if (v - v != 0f)")
                    .addStatement("return false")
                    .endControlFlow()
                    .endControlFlow()
                    .addStatement("return true").build());
        }
        t.addMethod(MethodSpec.methodBuilder("transposed").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("A row-major [rows, cols] weight as [cols][stride] (stride >= rows, zero-padded), or "
                        + "copied into rows of {@code stride} when not {@code transpose}.\n")
                .returns(JavaEmitter.FLOATS).addParameter(JavaEmitter.FLOATS, "w").addParameter(int.class, "rows")
                .addParameter(int.class, "cols").addParameter(int.class, "stride")
                .addParameter(boolean.class, "transpose")
                .addStatement("float[] out = new float[(transpose ? cols : rows) * stride]")
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .beginControlFlow("for (int c = 0; c < cols; c++)")
                .addStatement("out[transpose ? c * stride + r : r * stride + c] = w[r * cols + c]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return out").build());
        return t.build();
    }

    /** The byte species of the int8 Gemms (L lanes, at least 64 bits) and the codes' and scales' layouts. */
    private static void int8Helpers(TypeSpec.Builder t) {
        TypeName bytes = ArrayTypeName.of(TypeName.BYTE);
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get("jdk.incubator.vector", "VectorSpecies"),
                        ClassName.get(Byte.class)), "B", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Bytes widened to one float vector: its first L lanes are used.\n")
                .initializer("$T.of(byte.class, $T.forBitSize($T.max(64, L * 8)))",
                        ClassName.get("jdk.incubator.vector", "VectorSpecies"),
                        ClassName.get("jdk.incubator.vector", "VectorShape"), Math.class).build());
        t.addMethod(MethodSpec.methodBuilder("codes").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Row-major [rows, cols] int8 codes as [cols][stride] (transposed) or [rows][stride], "
                        + "zero-padded, with B lanes of slack at the end.\n")
                .returns(bytes).addParameter(bytes, "q").addParameter(int.class, "rows")
                .addParameter(int.class, "cols").addParameter(int.class, "stride")
                .addParameter(boolean.class, "transpose")
                .addStatement("byte[] out = new byte[(transpose ? cols : rows) * stride + B.length()]")
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .beginControlFlow("for (int c = 0; c < cols; c++)")
                .addStatement("out[transpose ? c * stride + r : r * stride + c] = q[r * cols + c]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("return out").build());
        t.addMethod(MethodSpec.methodBuilder("scales").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Per-output scales (one given: per tensor) padded with zeros to {@code stride}.\n")
                .returns(JavaEmitter.FLOATS).addParameter(JavaEmitter.FLOATS, "s").addParameter(int.class, "n")
                .addParameter(int.class, "stride")
                .addStatement("float[] out = new float[stride]")
                .beginControlFlow("for (int o = 0; o < n; o++)")
                .addStatement("out[o] = s[s.length == 1 ? 0 : o]")
                .endControlFlow()
                .addStatement("return out").build());
    }

    /** The im2col GEMM with pixels innermost: A = the [M, taps] weight as stored, B = im2col rows padded to tiles. */
    private static void conv(TypeSpec.Builder t, MethodSpec.Builder bound, Conv c) {
        DenseKernels.ConvShape s = c.shape();
        String m = c.method();
        int taps = s.taps();
        String wf = "w_" + m;
        String bf = "b_" + m;
        t.addField(JavaEmitter.FLOATS, wf, Modifier.PRIVATE, Modifier.FINAL);
        bound.addStatement("this.$N = (float[]) w[$L]", wf, c.weight());
        if (c.bias() >= 0) {
            t.addField(JavaEmitter.FLOATS, bf, Modifier.PRIVATE, Modifier.FINAL);
            bound.addStatement("this.$N = (float[]) w[$L]", bf, c.bias());
        }
        // The im2col rows: stride padded to whole tiles, then rows x VECTORS x L floats of store scratch.
        String scratch = "SCRATCH_" + m;
        String stride = "padded(" + s.pixels() + ", " + VECTORS + ")";
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(ThreadLocal.class, float[].class), scratch,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per-thread im2col rows of {@code $L} (row stride {@code $L}), then tile scratch.\n", m,
                        stride)
                .initializer("new $T<float[]>()", ThreadLocal.class).build());
        t.addMethod(im2col(m, scratch, s, stride, rows(s)));

        MethodSpec.Builder k = MethodSpec.methodBuilder(m).addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(JavaEmitter.FLOATS, "x").addParameter(JavaEmitter.FLOATS, "y");
        k.addStatement("float[] col = im2col_$L(x)", m);
        k.addStatement("float[] w = $N", wf);
        if (c.bias() >= 0) {
            k.addStatement("float[] b = $N", bf);
        }
        k.addStatement("int cs = $L", stride);
        k.addStatement("int tmp = $L * cs", taps);
        int rows = rows(s);
        String b = c.bias() >= 0 ? "b" : "null";
        k.addStatement("int r = 0");
        k.beginControlFlow("for (; r + $L <= $L; r += $L)", rows, s.m(), rows);
        k.addStatement("tile$L_$L(col, w, $L, cs, tmp, r, y)", rows, m, b);
        k.endControlFlow();
        if (s.m() % rows != 0) {
            k.beginControlFlow("for (; r < $L; r++)", s.m());
            k.addStatement("tile1_$L(col, w, $L, cs, tmp, r, y)", m, b);
            k.endControlFlow();
        }
        t.addMethod(k.build());
        t.addMethod(convTile(c, rows));
        if (s.m() % rows != 0) {
            t.addMethod(convTile(c, 1));
        }
    }

    /**
     * {@code R} output channels of the Conv GEMM starting at row {@code r}, every tile of pixels (A = w[oc * taps +
     * t], B = col[t * cs + p]).
     */
    private static MethodSpec convTile(Conv c, int rowsPerTile) {
        DenseKernels.ConvShape s = c.shape();
        int taps = s.taps();
        int pixels = s.pixels();
        boolean bias = c.bias() >= 0;
        MethodSpec.Builder k = MethodSpec.methodBuilder("tile" + rowsPerTile + "_" + c.method())
                .addJavadoc("Rows r.. r + $L of the GEMM of {@code $L}, every column tile.\n", rowsPerTile - 1,
                        c.method())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(JavaEmitter.FLOATS, "col").addParameter(JavaEmitter.FLOATS, "w")
                .addParameter(JavaEmitter.FLOATS, "b").addParameter(int.class, "cs").addParameter(int.class, "tmp")
                .addParameter(int.class, "r").addParameter(JavaEmitter.FLOATS, "y");
        k.beginControlFlow("for (int j = 0; j < cs; j += $L * L)", VECTORS);
        for (int i = 0; i < rowsPerTile; i++) {
            for (int v = 0; v < VECTORS; v++) {
                String init = bias ? "FloatVector.broadcast(S, b[r + " + i + "])" : "FloatVector.zero(S)";
                k.addStatement("$T c$L$L = " + init.replace("FloatVector", "$T"), FLOAT_VECTOR, i, v, FLOAT_VECTOR);
            }
        }
        // A(i, t) = w[(r + i) * taps + t], B row t = col[t * cs + j ...].
        k.addStatement("int a0 = r * $L", taps);
        k.beginControlFlow("for (int t = 0, a = a0, bj = j; t < $L; t++, a++, bj += cs)", taps);
        for (int v = 0; v < VECTORS; v++) {
            k.addStatement("$T b$L = $T.fromArray(S, col, bj + $L * L)", FLOAT_VECTOR, v, FLOAT_VECTOR, v);
        }
        for (int i = 0; i < rowsPerTile; i++) {
            k.addStatement((i == 0 ? "$T " : "") + "x = $T.broadcast(S, w[$L])",
                    i == 0 ? new Object[] {FLOAT_VECTOR, FLOAT_VECTOR, "a + " + (i * taps)}
                            : new Object[] {FLOAT_VECTOR, "a + " + (i * taps)});
            for (int v = 0; v < VECTORS; v++) {
                k.addStatement("c$L$L = x.fma(b$L, c$L$L)", i, v, v, i, v);
            }
        }
        k.endControlFlow();
        if (c.relu()) {
            k.addComment("The fused Relu: max propagates NaN, as the Relu kernel.");
            for (int i = 0; i < rowsPerTile; i++) {
                for (int v = 0; v < VECTORS; v++) {
                    k.addStatement("c$L$L = c$L$L.max(0f)", i, v, i, v);
                }
            }
        }
        // Whole tiles straight into y, the cut-off last one through the scratch.
        k.beginControlFlow("if (j + $L * L <= $L)", VECTORS, pixels);
        for (int i = 0; i < rowsPerTile; i++) {
            for (int v = 0; v < VECTORS; v++) {
                k.addStatement("c$L$L.intoArray(y, (r + $L) * $L + j + $L * L)", i, v, i, pixels, v);
            }
        }
        k.nextControlFlow("else");
        for (int i = 0; i < rowsPerTile; i++) {
            for (int v = 0; v < VECTORS; v++) {
                k.addStatement("c$L$L.intoArray(col, tmp + $L * L)", i, v, i * VECTORS + v);
            }
        }
        k.addStatement("int count = $T.min($L * L, $L - j)", Math.class, VECTORS, pixels);
        for (int i = 0; i < rowsPerTile; i++) {
            k.addStatement("$T.arraycopy(col, tmp + $L * L, y, (r + $L) * $L + j, count)", System.class,
                    i * VECTORS, i, pixels);
        }
        k.endControlFlow();
        k.endControlFlow();
        return k.build();
    }

    /** Flat im2col: {@code col[t * cs + oh * ow + o]}; padding positions and padded columns stay zero. */
    private static MethodSpec im2col(String method, String scratch, DenseKernels.ConvShape s, String stride,
            int rows) {
        MethodSpec.Builder k = MethodSpec.methodBuilder("im2col_" + method)
                .addJavadoc("This thread's im2col rows of {@code $L}, filled from {@code x}.\n", method)
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(JavaEmitter.FLOATS)
                .addParameter(JavaEmitter.FLOATS, "x");
        k.addStatement("float[] col = $N.get()", scratch);
        k.addStatement("int cs = $L", stride);
        k.beginControlFlow("if (col == null)");
        k.addStatement("col = new float[$L * cs + $L * $L * L]", s.taps(), rows, VECTORS);
        k.addStatement("$N.set(col)", scratch);
        k.endControlFlow();
        DenseKernels.fillIm2col(k, s, true);
        k.addStatement("return col");
        return k.build();
    }

    /**
     * Gemm: W as rows [k][n padded] (bound at load), one tile of GEMM_VECTORS vectors of outputs at a time over the
     * inputs that are not zero (k increasing), then the scalar class's epilogue per output. Skipping a zero input is
     * exact when every weight is finite (0 times a finite weight adds a zero that changes no sum started at +0),
     * which the bind checks; post-Relu activations and Fashion-MNIST's background pixels are about half zeros.
     */
    private static void gemm(TypeSpec.Builder t, MethodSpec.Builder bound, Gemm g) {
        String m = g.method();
        String wf = "w_" + m;
        String ff = "finite_" + m;
        String sf = "s_" + m;
        t.addField(g.int8() ? ArrayTypeName.of(TypeName.BYTE) : JavaEmitter.FLOATS, wf, Modifier.PRIVATE,
                Modifier.FINAL);
        t.addField(boolean.class, ff, Modifier.PRIVATE, Modifier.FINAL);
        if (g.int8()) {
            // Codes as [k][np] bytes (B lanes of slack at the end for the widest byte load), scales padded to np.
            t.addField(JavaEmitter.FLOATS, sf, Modifier.PRIVATE, Modifier.FINAL);
            bound.addStatement("Object[] $N = (Object[]) w[$L]", "q_" + m, g.weight());
            bound.addStatement("this.$N = codes((byte[]) $N[0], $L, $L, padded($L, $L), $L)", wf, "q_" + m,
                    g.transB() ? g.n() : g.k(), g.transB() ? g.k() : g.n(), g.n(), GEMM_VECTORS, g.transB());
            bound.addStatement("this.$N = scales((float[]) $N[1], $L, padded($L, $L))", sf, "q_" + m, g.n(), g.n(),
                    GEMM_VECTORS);
            bound.addStatement("this.$N = finite(this.$N)", ff, sf);
        } else {
            // Stored [n, k] (transB): transpose into [k][np]; stored [k, n]: copy rows into the padded stride.
            bound.addStatement("this.$N = transposed((float[]) w[$L], $L, $L, padded($L, $L), $L)", wf, g.weight(),
                    g.transB() ? g.n() : g.k(), g.transB() ? g.k() : g.n(), g.n(), GEMM_VECTORS, g.transB());
            bound.addStatement("this.$N = finite(this.$N)", ff, wf);
        }
        MethodSpec.Builder k = MethodSpec.methodBuilder(m).addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addParameter(JavaEmitter.FLOATS, "x");
        if (g.bias()) {
            k.addParameter(JavaEmitter.FLOATS, "c");
        }
        k.addParameter(JavaEmitter.FLOATS, "y");
        k.addStatement(g.int8() ? "byte[] w = $N" : "float[] w = $N", wf);
        k.addStatement("int np = padded($L, $L)", g.n(), GEMM_VECTORS);
        k.addComment("The inputs that add something (all of them unless every weight is finite), in order.");
        k.addStatement("int[] nz = new int[$L]", g.k());
        k.addStatement("int count = 0");
        k.addStatement("boolean all = !$N", ff);
        k.beginControlFlow("for (int i = 0; i < $L; i++)", g.k());
        k.beginControlFlow("if (x[i] != 0f || all)");
        k.addStatement("nz[count++] = i");
        k.endControlFlow();
        k.endControlFlow();
        k.addStatement("float[] tmp = null");
        k.beginControlFlow("for (int j = 0; j < np; j += $L * L)", GEMM_VECTORS);
        for (int v = 0; v < GEMM_VECTORS; v++) {
            k.addStatement("$T c$L = $T.zero(S)", FLOAT_VECTOR, v, FLOAT_VECTOR);
        }
        k.beginControlFlow("for (int e = 0; e < count; e++)");
        k.addStatement("int i = nz[e]");
        k.addStatement("int bj = i * np + j");
        k.addStatement("$T xi = $T.broadcast(S, x[i])", FLOAT_VECTOR, FLOAT_VECTOR);
        for (int v = 0; v < GEMM_VECTORS; v++) {
            if (g.int8()) {
                k.addStatement("c$L = xi.fma(($T) $T.fromArray(B, w, bj + $L * L).convertShape($T.B2F, S, 0), c$L)",
                        v, FLOAT_VECTOR, BYTE_VECTOR, v, OPERATORS, v);
            } else {
                k.addStatement("c$L = xi.fma($T.fromArray(S, w, bj + $L * L), c$L)", v, FLOAT_VECTOR, v, v);
            }
        }
        k.endControlFlow();
        if (g.int8()) {
            k.addComment("Each output's integer-weighted sum times its scale.");
            for (int v = 0; v < GEMM_VECTORS; v++) {
                k.addStatement("c$L = c$L.mul($T.fromArray(S, $N, j + $L * L))", v, v, FLOAT_VECTOR, sf, v);
            }
        }
        k.beginControlFlow("if (j + $L * L <= $L)", GEMM_VECTORS, g.n());
        for (int v = 0; v < GEMM_VECTORS; v++) {
            k.addStatement("c$L.intoArray(y, j + $L * L)", v, v);
        }
        k.nextControlFlow("else");
        k.beginControlFlow("if (tmp == null)");
        k.addStatement("tmp = new float[$L * L]", GEMM_VECTORS);
        k.endControlFlow();
        for (int v = 0; v < GEMM_VECTORS; v++) {
            k.addStatement("c$L.intoArray(tmp, $L * L)", v, v);
        }
        k.addStatement("$T.arraycopy(tmp, 0, y, j, $L - j)", System.class, g.n());
        k.endControlFlow();
        k.endControlFlow();
        k.beginControlFlow("for (int o = 0; o < $L; o++)", g.n());
        k.addStatement("float acc = y[o]");
        k.addCode(g.epilogue());
        k.endControlFlow();
        t.addMethod(k.build());
    }
}
