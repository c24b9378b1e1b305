package dev.tamp.codegen.java;

import dev.tamp.model.ir.Graph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The generated Java of one model, compiled: its source (what the user takes home) and the class files {@code javac
 * --release 8 -Werror} made of it (what {@code tamp compile} loads to verify the source before publishing it).
 */
public record JavaOutput(String packageName, String className, String source, JavaBuild.Classes classes) {

    /**
     * Emits and compiles the model class of {@code graph}.
     *
     * @throws UnsupportedModelException if a layer or weight has no generated kernel
     * @throws JavaBuild.BuildException if javac rejects the source, a bug in the emitter
     */
    public static JavaOutput build(Graph graph, String packageName, String className)
            throws JavaBuild.BuildException {
        String source = JavaEmitter.source(graph, packageName, className);
        JavaBuild.Classes classes = JavaBuild.compile(List.of(new JavaBuild.Source(qualified(packageName, className),
                source)));
        return new JavaOutput(packageName, className, source, classes);
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
