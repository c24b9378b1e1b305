package dev.tamp.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.Arrays;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The generated code for circulant and block-circulant weights: a nested {@code Fft} class (Java 8; radix-2 for
 * power-of-two sizes, Bluestein's chirp-z through a power-of-two transform otherwise, the same algorithm and twiddle
 * reductions as the optimizer's {@code Fft}), one shared instance per transform size a model needs, and the Gemm
 * kernel that multiplies by a {@code [m, n]} block-circulant matrix ({@code b x b} tiles, block {@code (I, J)}
 * defined by {@code W[i][j] = v[(i - j) mod b]}; a plain circulant is the single tile {@code b = m = n}) through the
 * tile spectra precomputed at load, as the optimizer's {@code CirculantProduct} defines the product: transform each
 * input tile, accumulate {@code C . X} (or {@code conj(C) . X} for {@code W^T x}) over the non-redundant
 * {@code b/2 + 1} frequencies, invert each output tile. Transforms and accumulation are in double; the resident
 * spectra are float32.
 */
final class FftKernels {
    static final String FFT_CLASS = "Fft";

    private FftKernels() {}

    /** The name of the shared transform of size {@code b}. */
    static String instance(int b) {
        return "FFT_" + b;
    }

    /** The static field holding the shared transform of size {@code b}. */
    static FieldSpec instanceField(ClassName self, int b) {
        ClassName fft = self.nestedClass(FFT_CLASS);
        return FieldSpec.builder(fft, instance(b), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("new $T($L)", fft, b).build();
    }

    /** Spectrum floats per tile: the {@code b/2 + 1} non-redundant frequencies of a real vector. */
    static int half(int b) {
        return b / 2 + 1;
    }

    static int tiles(int size, int b) {
        return (size + b - 1) / b;
    }

    /**
     * {@code y = W x} ({@code transposed} false: x has n elements, y m) or {@code y = W^T x} for the block-circulant
     * {@code [m, n]} matrix whose tile spectra are {@code sre}/{@code sim}; each output {@code o} goes through
     * {@code epilogue} with the product in {@code acc}.
     */
    static void gemm(MethodSpec.Builder k, int m, int n, int b, boolean transposed, CodeBlock epilogue) {
        int half = half(b);
        int q = tiles(n, b);
        int inTiles = transposed ? tiles(m, b) : q;
        int outTiles = transposed ? q : tiles(m, b);
        int inLength = transposed ? m : n;
        int outLength = transposed ? n : m;
        String fft = instance(b);
        k.addStatement("double[] xr = new double[$L]", inTiles * half);
        k.addStatement("double[] xi = new double[$L]", inTiles * half);
        k.addStatement("double[] re = new double[$L]", b);
        k.addStatement("double[] im = new double[$L]", b);
        k.addComment("Each input tile's spectrum, once (a cut-off last tile is padded with zeros).");
        k.beginControlFlow("for (int t = 0; t < $L; t++)", inTiles);
        k.addStatement("int from = t * $L", b);
        k.addStatement("int len = $T.min($L, $L - from)", Math.class, b, inLength);
        k.beginControlFlow("for (int i = 0; i < $L; i++)", b);
        k.addStatement("re[i] = i < len ? x[from + i] : 0.0");
        k.addStatement("im[i] = 0.0");
        k.endControlFlow();
        k.addStatement("$N.forward(re, im)", fft);
        k.addStatement("$T.arraycopy(re, 0, xr, t * $L, $L)", System.class, half, half);
        k.addStatement("$T.arraycopy(im, 0, xi, t * $L, $L)", System.class, half, half);
        k.endControlFlow();
        k.beginControlFlow("for (int ot = 0; ot < $L; ot++)", outTiles);
        k.addStatement("$T.fill(re, 0.0)", Arrays.class);
        k.addStatement("$T.fill(im, 0.0)", Arrays.class);
        k.beginControlFlow("for (int t = 0; t < $L; t++)", inTiles);
        if (transposed) {
            k.addComment("W^T x: tile (t, ot) of W, conjugated spectrum (a correlation).");
            k.addStatement("int tile = (t * $L + ot) * $L", q, half);
        } else {
            k.addStatement("int tile = (ot * $L + t) * $L", q, half);
        }
        k.addStatement("int in = t * $L", half);
        k.beginControlFlow("for (int f = 0; f < $L; f++)", half);
        k.addStatement("double cr = sre[tile + f]");
        k.addStatement(transposed ? "double ci = -sim[tile + f]" : "double ci = sim[tile + f]");
        k.addStatement("double ar = xr[in + f]");
        k.addStatement("double ai = xi[in + f]");
        k.addStatement("re[f] += cr * ar - ci * ai");
        k.addStatement("im[f] += cr * ai + ci * ar");
        k.endControlFlow();
        k.endControlFlow();
        k.addComment("The spectrum of a real output is Hermitian: mirror the accumulated half.");
        k.beginControlFlow("for (int f = $L; f < $L; f++)", half, b);
        k.addStatement("re[f] = re[$L - f]", b);
        k.addStatement("im[f] = -im[$L - f]", b);
        k.endControlFlow();
        k.addStatement("$N.inverse(re, im)", fft);
        k.addStatement("int from = ot * $L", b);
        k.addStatement("int len = $T.min($L, $L - from)", Math.class, b, outLength);
        k.beginControlFlow("for (int i = 0; i < len; i++)");
        k.addStatement("int o = from + i");
        k.addStatement("float acc = (float) re[i]");
        k.addCode(epilogue);
        k.endControlFlow();
        k.endControlFlow();
    }

    /** The nested transform class: fixed Java text, the same for every model and size. */
    static TypeSpec fftType() {
        TypeName doubles = ArrayTypeName.of(TypeName.DOUBLE);
        TypeName floats = ArrayTypeName.of(TypeName.FLOAT);
        return TypeSpec.classBuilder(FFT_CLASS)
                .addJavadoc("An in-place complex DFT of one fixed size n: radix-2 when n is a power of two, else "
                        + "Bluestein's chirp-z\nthrough a power-of-two length m >= 2n - 1. Forward is sum_j x_j "
                        + "exp(-2 pi i jk / n); inverse includes the 1/n.\nImmutable; safe to share between "
                        + "threads.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addField(int.class, "n", Modifier.PRIVATE, Modifier.FINAL)
                .addField(int.class, "m", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "cos", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "sin", Modifier.PRIVATE, Modifier.FINAL)
                .addField(ArrayTypeName.of(TypeName.INT), "reversed", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "chirpRe", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "chirpIm", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "kernelRe", Modifier.PRIVATE, Modifier.FINAL)
                .addField(doubles, "kernelIm", Modifier.PRIVATE, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder().addParameter(int.class, "n").addCode(text("""
                        this.n = n;
                        boolean pow2 = Integer.bitCount(n) == 1;
                        m = pow2 ? n : Integer.highestOneBit(2 * n - 1) << 1;
                        cos = new double[Math.max(1, m / 2)];
                        sin = new double[cos.length];
                        for (int k = 0; k < m / 2; k++) {
                        double angle = 2 * Math.PI * k / m;
                        cos[k] = Math.cos(angle);
                        sin[k] = Math.sin(angle);
                        }
                        reversed = new int[m];
                        int bits = Integer.numberOfTrailingZeros(m);
                        for (int i = 0; i < m; i++) {
                        reversed[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
                        }
                        if (pow2) {
                        chirpRe = chirpIm = kernelRe = kernelIm = null;
                        return;
                        }
                        // The chirp exp(-i pi j^2 / n) with j^2 reduced mod 2n exactly, in integers.
                        chirpRe = new double[n];
                        chirpIm = new double[n];
                        for (int j = 0; j < n; j++) {
                        double angle = Math.PI * (double) (((long) j * j) % (2L * n)) / n;
                        chirpRe[j] = Math.cos(angle);
                        chirpIm[j] = -Math.sin(angle);
                        }
                        kernelRe = new double[m];
                        kernelIm = new double[m];
                        kernelRe[0] = chirpRe[0];
                        kernelIm[0] = -chirpIm[0];
                        for (int j = 1; j < n; j++) {
                        kernelRe[j] = kernelRe[m - j] = chirpRe[j];
                        kernelIm[j] = kernelIm[m - j] = -chirpIm[j];
                        }
                        radix2(kernelRe, kernelIm);
                        """)).build())
                .addMethod(MethodSpec.methodBuilder("forward").addJavadoc("(re, im), of length n, to its DFT.\n")
                        .addParameter(doubles, "re").addParameter(doubles, "im").addCode(text("""
                        if (chirpRe == null) {
                        radix2(re, im);
                        return;
                        }
                        double[] ar = new double[m];
                        double[] ai = new double[m];
                        for (int j = 0; j < n; j++) {
                        ar[j] = re[j] * chirpRe[j] - im[j] * chirpIm[j];
                        ai[j] = re[j] * chirpIm[j] + im[j] * chirpRe[j];
                        }
                        radix2(ar, ai);
                        for (int k = 0; k < m; k++) {
                        double r = ar[k] * kernelRe[k] - ai[k] * kernelIm[k];
                        ai[k] = ar[k] * kernelIm[k] + ai[k] * kernelRe[k];
                        ar[k] = r;
                        }
                        // The inverse radix-2 transform as conj(F(conj a)) / m.
                        for (int k = 0; k < m; k++) {
                        ai[k] = -ai[k];
                        }
                        radix2(ar, ai);
                        double scale = 1.0 / m;
                        for (int k = 0; k < m; k++) {
                        ar[k] *= scale;
                        ai[k] *= -scale;
                        }
                        for (int k = 0; k < n; k++) {
                        re[k] = ar[k] * chirpRe[k] - ai[k] * chirpIm[k];
                        im[k] = ar[k] * chirpIm[k] + ai[k] * chirpRe[k];
                        }
                        """)).build())
                .addMethod(MethodSpec.methodBuilder("inverse").addJavadoc("(re, im) to its inverse DFT, 1/n "
                                + "included.\n")
                        .addParameter(doubles, "re").addParameter(doubles, "im").addCode(text("""
                        for (int j = 0; j < n; j++) {
                        im[j] = -im[j];
                        }
                        forward(re, im);
                        double scale = 1.0 / n;
                        for (int j = 0; j < n; j++) {
                        re[j] *= scale;
                        im[j] *= -scale;
                        }
                        """)).build())
                .addMethod(MethodSpec.methodBuilder("radix2").addJavadoc("The iterative Cooley-Tukey forward "
                                + "transform of length m, in place.\n")
                        .addModifiers(Modifier.PRIVATE)
                        .addParameter(doubles, "re").addParameter(doubles, "im").addCode(text("""
                        for (int i = 0; i < m; i++) {
                        int r = reversed[i];
                        if (r > i) {
                        double t = re[i];
                        re[i] = re[r];
                        re[r] = t;
                        t = im[i];
                        im[i] = im[r];
                        im[r] = t;
                        }
                        }
                        for (int len = 2; len <= m; len <<= 1) {
                        int half = len >> 1;
                        int step = m / len;
                        for (int start = 0; start < m; start += len) {
                        for (int k = 0; k < half; k++) {
                        double wr = cos[k * step];
                        double wi = -sin[k * step];
                        int a = start + k;
                        int b = a + half;
                        double tr = re[b] * wr - im[b] * wi;
                        double ti = re[b] * wi + im[b] * wr;
                        re[b] = re[a] - tr;
                        im[b] = im[a] - ti;
                        re[a] += tr;
                        im[a] += ti;
                        }
                        }
                        }
                        """)).build())
                .addMethod(MethodSpec.methodBuilder("spectra")
                        .addJavadoc("The non-redundant half (n/2 + 1 frequencies) of the spectrum of each of the "
                                + "{@code tiles}\nconsecutive n-float vectors, as float32: {real parts, imaginary "
                                + "parts}, tile t at t * (n/2 + 1).\n")
                        .returns(ArrayTypeName.of(floats))
                        .addParameter(floats, "vectors").addParameter(int.class, "tiles").addCode(text("""
                        int half = n / 2 + 1;
                        float[] sre = new float[tiles * half];
                        float[] sim = new float[tiles * half];
                        double[] re = new double[n];
                        double[] im = new double[n];
                        for (int t = 0; t < tiles; t++) {
                        for (int k = 0; k < n; k++) {
                        re[k] = vectors[t * n + k];
                        im[k] = 0.0;
                        }
                        forward(re, im);
                        for (int k = 0; k < half; k++) {
                        sre[t * half + k] = (float) re[k];
                        sim[t * half + k] = (float) im[k];
                        }
                        }
                        return new float[][] {sre, sim};
                        """)).build())
                .build();
    }

    /** Fixed Java text as a code block: one statement, comment or brace per line, indented by its braces. */
    static CodeBlock text(String text) {
        CodeBlock.Builder b = CodeBlock.builder();
        for (String line : text.strip().split("\n")) {
            String l = line.strip().replace("$", "$$");
            if (l.startsWith("}")) {
                b.unindent();
            }
            b.add(l + "\n");
            if (l.endsWith("{")) {
                b.indent();
            }
        }
        return b.build();
    }

    /** The parameters of a circulant or block-circulant kernel: the tile spectra. */
    static List<Object> params() {
        TypeName floats = ArrayTypeName.of(TypeName.FLOAT);
        return List.of(floats, "sre", floats, "sim");
    }
}
