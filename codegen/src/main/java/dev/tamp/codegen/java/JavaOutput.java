package dev.tamp.codegen.java;

import com.palantir.javapoet.JavaFile;
import dev.tamp.model.ir.Graph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The generated Java of one model, compiled: its source (what the user takes home) and the class files {@code javac
 * --release 8 -Werror} made of it (what {@code tamp compile} loads to verify the source before publishing it).
 */
public record JavaOutput(String packageName, String className, String source, JavaBuild.Classes classes,
        String simdSource) {

    /**
     * Emits and compiles the model class of {@code graph}.
     *
     * @throws UnsupportedModelException if a layer or weight has no generated kernel
     * @throws JavaBuild.BuildException if javac rejects the source, a bug in the emitter
     */
    public static JavaOutput build(Graph graph, String packageName, String className)
            throws JavaBuild.BuildException {
        return build(graph, packageName, className, false);
    }

    /**
     * Emits and compiles the model class of {@code graph} and, with {@code simd} (when the model has dense Conv or
     * Gemm layers), its SIMD class ({@code simdSource}, null otherwise): {@code classes} then holds both, and the
     * model class uses the SIMD one when the loading JVM has {@code --add-modules jdk.incubator.vector}.
     */
    public static JavaOutput build(Graph graph, String packageName, String className, boolean simd)
            throws JavaBuild.BuildException {
        List<JavaFile> files = JavaEmitter.emit(graph, packageName, className, simd);
        String source = files.get(0).toString();
        JavaBuild.Source scalar = new JavaBuild.Source(qualified(packageName, className), source);
        JavaBuild.Classes classes = JavaBuild.compile(List.of(scalar));
        String simdSource = null;
        if (files.size() > 1) {
            simdSource = files.get(1).toString();
            classes = JavaBuild.merge(classes, JavaBuild.compileSimd(scalar, new JavaBuild.Source(
                    qualified(packageName, className + VectorKernels.SUFFIX), simdSource)));
        }
        return new JavaOutput(packageName, className, source, classes, simdSource);
    }

    /** The classes without the SIMD class: what a JVM without the Vector API effectively runs. */
    public JavaBuild.Classes scalarClasses() {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>(classes.files());
        files.keySet().removeIf(n -> n.startsWith(qualifiedName() + VectorKernels.SUFFIX));
        return new JavaBuild.Classes(files);
    }

    /** The SIMD source's path relative to a source root, or null without one. */
    public String simdSourcePath() {
        return simdSource == null ? null
                : (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className
                        + VectorKernels.SUFFIX + ".java";
    }

    public byte[] simdSourceBytes() {
        return simdSource == null ? null : simdSource.getBytes(StandardCharsets.UTF_8);
    }

    /** The fully qualified class name. */
    public String qualifiedName() {
        return qualified(packageName, className);
    }

    /** The source file's path relative to a source root, with {@code /} separators. */
    public String sourcePath() {
        return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".java";
    }

    public byte[] sourceBytes() {
        return source.getBytes(StandardCharsets.UTF_8);
    }

    /** The compiled class loaded with {@code weights} (the container {@code WeightsFile.write} produced). */
    public GeneratedModel load(byte[] weights) throws IOException {
        return GeneratedModel.load(classes, qualifiedName(), weights);
    }

    private static String qualified(String packageName, String className) {
        return packageName.isEmpty() ? className : packageName + "." + className;
    }
}
