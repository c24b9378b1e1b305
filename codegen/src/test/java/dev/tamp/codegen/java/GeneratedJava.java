package dev.tamp.codegen.java;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;

/** Compiles generated source in-process with {@code javac --release 8} and drives the resulting class reflectively. */
final class GeneratedJava {
    final Class<?> type;
    final Path classes;

    private GeneratedJava(Class<?> type, Path classes) {
        this.type = type;
        this.classes = classes;
    }

    static GeneratedJava compile(String packageName, String className, String source, Path dir) throws IOException {
        Path src = dir.resolve("src").resolve(packageName.replace('.', '/')).resolve(className + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        StringWriter log = new StringWriter();
        java.io.ByteArrayOutputStream errors = new java.io.ByteArrayOutputStream();
        int rc = javac.run(null, errors, errors, "--release", "8", "-encoding", "UTF-8", "-Xlint:all,-options", "-Werror", "-classpath", out.toString(),
                "-d", out.toString(), src.toString());
        assertThat(rc).as("javac --release 8 of %s:%n%s", src, errors.toString(StandardCharsets.UTF_8)).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, null);
        try {
            return new GeneratedJava(loader.loadClass(packageName + "." + className), out);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Class {@code name} from the class files under {@code classes} (the platform loader as parent). */
    static GeneratedJava load(Path classes, String name) throws IOException {
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        try {
            return new GeneratedJava(loader.loadClass(name), classes);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    Object load(byte[] weights) throws Throwable {
        return invoke(type.getMethod("load", java.io.InputStream.class), null, new ByteArrayInputStream(weights));
    }

    float[] predict(Object model, float[] input) throws Throwable {
        return (float[]) invoke(type.getMethod("predict", float[].class), model, (Object) input);
    }

    float[][] predict(Object model, float[][] batch) throws Throwable {
        return (float[][]) invoke(type.getMethod("predict", float[][].class), model, (Object) batch);
    }

    int classify(Object model, float[] input) throws Throwable {
        return (int) invoke(type.getMethod("classify", float[].class), model, (Object) input);
    }

    /**
     * The generated model's outputs beside the reference executor's on the first {@code count} Fashion-MNIST test
     * images: the largest absolute difference of any output, and on how many images {@code classify} picks the
     * reference's argmax (first on ties, as both define it).
     */
    record Comparison(float[][] inputs, float[][] outputs, int classes, double maxDiff, int argmaxAgreement) {}

    Comparison compareWithExecutor(Object model, Graph graph, int count) throws Throwable {
        LabeledImages test = IdxFiles.locate(List.of(JavaEmitterTest.root().resolve("data/fashion-mnist")));
        Tensor batch = Preprocessing.unitScale().batch(test, 0, count);
        float[] reference;
        try (Executor executor = Executor.create(graph, 1)) {
            reference = executor.run(batch).floats();
        }
        int per = batch.size() / count;
        int classes = reference.length / count;
        float[][] inputs = new float[count][per];
        for (int i = 0; i < count; i++) {
            System.arraycopy(batch.floats(), i * per, inputs[i], 0, per);
        }
        float[][] outputs = predict(model, inputs);
        // Differences and argmax from the production comparison; the agreement counted here goes through the
        // generated classify(), so that it is tested too.
        double maxDiff = Verification.of(outputs, reference, null).maxAbsDiff();
        int agree = 0;
        for (int i = 0; i < count; i++) {
            if (classify(model, inputs[i]) == Verification.argmax(reference, i * classes, classes)) {
                agree++;
            }
        }
        return new Comparison(inputs, outputs, classes, maxDiff, agree);
    }

    static Object invoke(Method m, Object target, Object... args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Bytecode length of every method of every compiled class, from {@code javap -c}: the offset of a method's last
     * instruction (an underestimate by at most that instruction's few bytes).
     */
    Map<String, Integer> codeLengths() {
        return codeLengths(classes);
    }

    /** {@link #codeLengths()} of the class files under {@code classes}. */
    static Map<String, Integer> codeLengths(Path classes) {
        Map<String, Integer> lengths = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(classes)) {
            s.filter(p -> p.toString().endsWith(".class")).map(Path::toString).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ToolProvider javap = ToolProvider.findFirst("javap").orElseThrow();
        List<String> args = new ArrayList<>(List.of("-c", "-p"));
        args.addAll(files);
        StringWriter out = new StringWriter();
        assertThat(javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new)))
                .isZero();
        String method = null;
        for (String line : out.toString().split("\n")) {
            String t = line.trim();
            if (line.startsWith("  ") && !line.startsWith("   ") && t.endsWith(";") && t.contains("(")) {
                method = t;
            } else if (method != null && t.matches("\\d+: .*")) {
                int offset = Integer.parseInt(t.substring(0, t.indexOf(':')));
                lengths.merge(method, offset, Math::max);
            }
        }
        return lengths;
    }
}
