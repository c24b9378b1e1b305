package dev.tamp.codegen.java;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A generated model class, compiled by {@link JavaBuild} and loaded with its weights, driven through method handles:
 * how {@code tamp compile} verifies what it emits and how benchmarks time it, without the generated class on the
 * tool's class path.
 */
public final class GeneratedModel {
    private final Object instance;
    private final MethodHandle predict;
    private final MethodHandle predictBatch;
    private final MethodHandle classify;
    private final int inputSize;
    private final int outputSize;
    private final boolean simd;

    private GeneratedModel(Object instance, MethodHandle predict, MethodHandle predictBatch, MethodHandle classify,
            int inputSize, int outputSize, boolean simd) {
        this.simd = simd;
        this.instance = instance;
        this.predict = predict;
        this.predictBatch = predictBatch;
        this.classify = classify;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
    }

    /**
     * Loads {@code className} from {@code classes} and calls its {@code load(InputStream)} on {@code weights}; the
     * generated reader's refusal of the container is rethrown as the {@link IOException} it is.
     */
    public static GeneratedModel load(JavaBuild.Classes classes, String className, byte[] weights) throws IOException {
        try {
            Class<?> type = classes.loader().loadClass(className);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Object instance = lookup.findStatic(type, "load", MethodType.methodType(type, InputStream.class))
                    .invoke(new ByteArrayInputStream(weights));
            boolean simd = false;
            try {
                simd = (boolean) lookup.findVirtual(type, "usesSimd", MethodType.methodType(boolean.class))
                        .invoke(instance);
            } catch (NoSuchMethodException e) {
                // Generated without the SIMD variant.
            }
            return new GeneratedModel(instance,
                    lookup.findVirtual(type, "predict", MethodType.methodType(float[].class, float[].class)),
                    lookup.findVirtual(type, "predict", MethodType.methodType(float[][].class, float[][].class)),
                    lookup.findVirtual(type, "classify", MethodType.methodType(int.class, float[].class)),
                    type.getField("INPUT_SIZE").getInt(null), type.getField("OUTPUT_SIZE").getInt(null), simd);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("generated class " + className + " is not a tamp model class", e);
        }
    }

    /** Whether the instance runs its SIMD kernels (generated with them, and the JVM has the Vector API module). */
    public boolean simd() {
        return simd;
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    public float[] predict(float[] input) {
        try {
            return (float[]) predict.invoke(instance, input);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public float[][] predict(float[][] batch) {
        try {
            return (float[][]) predictBatch.invoke(instance, batch);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public int classify(float[] input) {
        try {
            return (int) classify.invoke(instance, input);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
