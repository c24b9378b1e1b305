package dev.tamp.compiler;

import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticRenderer;
import dev.tamp.compiler.diag.Diagnostics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the example files of the docs (fenced as {@code ```tamp NAME}) through the front end as {@code tamp check}
 * would, in a scratch {@code examples/} folder next to links to the repository's {@code models/} and {@code data/}.
 */
public final class DocExamples {
    /** Where the docs say their outputs were produced; the scratch folder's path is shown as this. */
    public static final String SHOWN_ROOT = "/tmp/tamp";
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EXAMPLE = Pattern.compile("```tamp (\\S+)\n(.*?)```", Pattern.DOTALL);

    private final Path root;

    /** Prepares {@code root} (an empty scratch folder) to hold examples. */
    public DocExamples(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("examples"));
        Files.createSymbolicLink(root.resolve("models"), REPO.resolve("models"));
        Files.createSymbolicLink(root.resolve("data"), REPO.resolve("data"));
    }

    /** The examples of a doc by file name, in order. */
    public static Map<String, String> examples(String doc) {
        Map<String, String> result = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(doc);
        while (m.find()) {
            if (result.put(m.group(1), m.group(2)) != null) {
                throw new IllegalStateException("two examples named " + m.group(1));
            }
        }
        return result;
    }

    /** What {@code tamp check NAME} prints on stderr for this text, run in the examples folder. */
    public String check(String name, String text) throws IOException {
        Path file = root.resolve("examples").resolve(name);
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Diagnostics diagnostics = new Diagnostics();
        new Frontend(diagnostics).check(file, name);
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : diagnostics.sorted()) {
            out.append(DiagnosticRenderer.render(d)).append('\n');
        }
        if (diagnostics.hasErrors() || diagnostics.warningCount() > 0) {
            out.append(DiagnosticRenderer.summary(diagnostics)).append('\n');
        }
        return out.toString().replace(root.toString(), SHOWN_ROOT);
    }
}
