package dev.tamp.compiler.diag;

import dev.tamp.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects diagnostics from every phase. Keeps at most {@link #LIMIT_PER_FILE} per file so that a binary file fed to
 * the compiler yields a readable report, and counts the rest.
 */
public final class Diagnostics {
    public static final int LIMIT_PER_FILE = 50;

    private final List<Diagnostic> kept = new ArrayList<>();
    private final Map<SourceFile, Integer> perFile = new IdentityHashMap<>();
    private int dropped;
    private int errors;

    public void report(Diagnostic diagnostic) {
        if (diagnostic.isError()) {
            errors++;
        }
        int count = perFile.merge(diagnostic.file(), 1, Integer::sum);
        if (count > LIMIT_PER_FILE) {
            dropped++;
        } else {
            kept.add(diagnostic);
        }
    }

    public void reportAll(Iterable<Diagnostic> diagnostics) {
        diagnostics.forEach(this::report);
    }

    public boolean hasErrors() {
        return errors > 0;
    }

    public int errorCount() {
        return errors;
    }

    public int warningCount() {
        int warnings = 0;
        for (Diagnostic d : kept) {
            if (!d.isError()) {
                warnings++;
            }
        }
        return warnings;
    }

    /** Diagnostics beyond the per-file limit, counted but not kept. */
    public int droppedCount() {
        return dropped;
    }

    /** The kept diagnostics in a stable order: by file name, then position, then code. */
    public List<Diagnostic> sorted() {
        List<Diagnostic> list = new ArrayList<>(kept);
        list.sort(Comparator.comparing((Diagnostic d) -> d.file().name())
                .thenComparingInt(d -> d.span().startOffset())
                .thenComparing(d -> d.code().code())
                .thenComparing(Diagnostic::message));
        return list;
    }
}
