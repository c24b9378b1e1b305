package dev.tamp.codegen.java;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources in memory with the running JDK's {@code javac}, the way a user's build will: {@code
 * --release 8} (Android and every JVM since 8), all lint warnings as errors, nothing on the class path. Nothing
 * touches the disk, so {@code tamp compile} can prove its output compiles and runs before publishing it.
 */
public final class JavaBuild {
    /** Options of every build: what the README promises users' builds can use. */
    static final List<String> OPTIONS = List.of("--release", "8", "-encoding", "UTF-8", "-Xlint:all,-options",
            "-Werror", "-implicit:none", "-proc:none");

    /**
     * Options of the SIMD class's build: the JDK Vector API is an incubator module from Java 16 on, compiled with
     * {@code --release 17} and the module added. javac always warns that it uses an incubating module (no lint
     * category turns that off), so this build fails on any diagnostic but that one instead of {@code -Werror}.
     */
    static final List<String> SIMD_OPTIONS = List.of("--release", "17", "--add-modules", "jdk.incubator.vector",
            "-encoding", "UTF-8", "-Xlint:all,-options", "-implicit:none", "-proc:none");

    /** javac's key of the one warning the SIMD build accepts. */
    private static final String INCUBATING = "compiler.warn.incubating.modules";

    private JavaBuild() {}

    /** A source file: its fully qualified top-level class name and text. */
    public record Source(String className, String text) {}

    /** Class files by binary name, in name order. */
    public record Classes(Map<String, byte[]> files) {
        public Classes {
            files = Collections.unmodifiableMap(new TreeMap<>(files));
        }

        /** A class loader that defines these classes and delegates everything else to the platform loader. */
        public ClassLoader loader() {
            return new ClassLoader(ClassLoader.getPlatformClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    byte[] b = files.get(name);
                    if (b == null) {
                        throw new ClassNotFoundException(name);
                    }
                    return defineClass(name, b, 0, b.length);
                }
            };
        }

        /** Total bytes of class files (what the generated code adds to an app). */
        public long bytes() {
            return files.values().stream().mapToLong(b -> b.length).sum();
        }
    }

    /** javac's errors, one per line as {@code Class.java:line:col: message}. */
    public static final class BuildException extends Exception {
        BuildException(String message) {
            super(message);
        }
    }

    /** Whether this JVM can compile (a JDK, not a bare runtime). */
    public static boolean available() {
        return ToolProvider.getSystemJavaCompiler() != null;
    }

    /** Compiles {@code sources} together; throws with javac's messages when it reports any error or warning. */
    public static Classes compile(List<Source> sources) throws BuildException {
        return compile(sources, OPTIONS, false);
    }

    /**
     * Compiles the SIMD class {@code simd} against the scalar class {@code scalar} (whose source is compiled again
     * for this, its Java 17 class files dropped: the scalar class ships as {@link #compile} makes it) with {@link
     * #SIMD_OPTIONS}. Returns the SIMD class and its nested classes only. Needs a JDK 16+ with the {@code
     * jdk.incubator.vector} module.
     */
    public static Classes compileSimd(Source scalar, Source simd) throws BuildException {
        Classes both = compile(List.of(scalar, simd), SIMD_OPTIONS, true);
        Map<String, byte[]> files = new TreeMap<>();
        both.files().forEach((name, bytes) -> {
            if (name.equals(simd.className()) || name.startsWith(simd.className() + "$")) {
                files.put(name, bytes);
            }
        });
        return new Classes(files);
    }

    /** {@code a}'s class files and {@code b}'s together (one loader defines them, so they share a package). */
    public static Classes merge(Classes a, Classes b) {
        Map<String, byte[]> files = new TreeMap<>(a.files());
        files.putAll(b.files());
        return new Classes(files);
    }

    private static Classes compile(List<Source> sources, List<String> options, boolean incubating)
            throws BuildException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new BuildException("no Java compiler in this runtime (" + System.getProperty("java.home")
                    + "): run tamp on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> out = new TreeMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (Source s : sources) {
            units.add(new SimpleJavaFileObject(URI.create("string:///" + s.className().replace('.', '/') + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return s.text();
                }
            });
        }
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
        try {
            // Nothing but the JDK: the tool's own class path must not leak into what users compile.
            standard.setLocation(StandardLocation.CLASS_PATH, List.of());
        } catch (java.io.IOException e) {
            throw new BuildException("cannot set up javac: " + e.getMessage());
        }
        JavaFileManager memory = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                    FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension),
                        kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return out.computeIfAbsent(className, k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, memory, diagnostics, options, null, units).call();
        if (!ok || diagnostics.getDiagnostics().stream().anyMatch(d -> d.getKind() != Diagnostic.Kind.NOTE
                && !(incubating && INCUBATING.equals(d.getCode())))) {
            StringBuilder message = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                String file = d.getSource() == null ? "javac" : d.getSource().getName().replaceFirst("^/", "");
                message.append(file).append(':').append(d.getLineNumber()).append(':').append(d.getColumnNumber())
                        .append(": ").append(d.getMessage(Locale.ROOT)).append('\n');
            }
            message.append(log);
            throw new BuildException(message.toString().strip());
        }
        Map<String, byte[]> files = new TreeMap<>();
        out.forEach((name, bytes) -> files.put(name, bytes.toByteArray()));
        return new Classes(files);
    }
}
