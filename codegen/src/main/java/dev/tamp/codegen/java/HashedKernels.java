package dev.tamp.codegen.java;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.tamp.model.ir.Hashed;
import javax.lang.model.element.Modifier;

/**
 * The generated code for hashed weights (HashedNets): element {@code k} of the weight (flat row-major index) is
 * {@code sign(k) * buckets[h(k) mod B]} with {@code Hashed}'s SplitMix64 hash, recomputed in the kernel's inner loop so
 * that only the buckets (and the seed) stay resident, never the dense matrix. The helpers reproduce
 * {@code Hashed.hash}, {@code bucket} and {@code sign} bit for bit (Java's long arithmetic wraps as the definition's
 * unsigned 64-bit one does, and {@code -v} equals {@code -1f * v} for every float).
 */
final class HashedKernels {
    private HashedKernels() {}

    /** The expression of weight element {@code i} (an int in scope) of {@code h}, from {@code buckets} and {@code seed}. */
    static String weight(Hashed h) {
        return "hashedWeight(buckets, seed, i, " + h.signHash() + ")";
    }

    /** Adds {@code mix64} and {@code hashedWeight} to the model class. */
    static void addHelpers(TypeSpec.Builder type) {
        type.addMethod(MethodSpec.methodBuilder("mix64")
                .addJavadoc("SplitMix64's finalizer, on the bits of an unsigned 64-bit integer.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class)
                .addParameter(long.class, "z")
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("return z ^ (z >>> 31)")
                .build());
        type.addMethod(MethodSpec.methodBuilder("hashedWeight")
                .addJavadoc("Element k of a hashed weight: the bucket its hash picks, negated when the sign hash's "
                        + "top bit is set.\n")
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(float.class)
                .addParameter(float[].class, "buckets")
                .addParameter(long.class, "seed")
                .addParameter(int.class, "k")
                .addParameter(boolean.class, "signs")
                .addStatement("long h = mix64(seed + (k + 1L) * 0x9E3779B97F4A7C15L)")
                .addStatement("float v = buckets[(int) $T.remainderUnsigned(h, buckets.length)]", Long.class)
                .addStatement("return signs && mix64(h) < 0 ? -v : v")
                .build());
    }
}
