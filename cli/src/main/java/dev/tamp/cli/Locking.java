package dev.tamp.cli;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.model.ir.Graph;
import dev.tamp.optimizer.lock.LockFile;
import dev.tamp.optimizer.lock.LockInputs;
import dev.tamp.optimizer.lock.LockParser;
import dev.tamp.optimizer.pass.PassContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code tamp.lock} for {@code tamp compile} and {@code tamp plan}: hashing the inputs, writing, reading (docs/lock.md). */
final class Locking {
    private Locking() {}

    /** The recipe's inputs with their SHA-256, hashed before anything reads them; empty (and said) if unreadable. */
    static Optional<List<LockFile.Input>> inputs(Recipe recipe, PrintWriter err) {
        try {
            return Optional.of(LockInputs.of(recipe));
        } catch (IOException e) {
            err.println("error: cannot read an input of " + recipe.file().name() + " to hash it: " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
    }

    /** The lock for a run with these per-layer settings. */
    static LockFile lock(Recipe recipe, List<LockFile.Input> inputs, Graph graph,
            Map<PassKind, Map<String, Settings>> layers) {
        return LockInputs.lock(Tamp.Version.number(), recipe, inputs, graph, layers);
    }

    /** The text of the lock for a run with this context's per-layer settings. */
    static String text(Recipe recipe, List<LockFile.Input> inputs, Graph graph, PassContext context) {
        Map<PassKind, Map<String, Settings>> layers = new EnumMap<>(PassKind.class);
        for (PassKind kind : PassKind.values()) {
            if (!context.layers(kind).isEmpty()) {
                layers.put(kind, context.layers(kind));
            }
        }
        return lock(recipe, inputs, graph, layers).render();
    }

    /**
     * The lock at {@code file}, checked against the recipe, its inputs and the model; empty with the problems in
     * {@code diagnostics}, or with an unreadable file said on {@code err} (then {@code diagnostics} has no error).
     */
    static Optional<LockFile> read(Path file, Recipe recipe, List<LockFile.Input> inputs, Graph graph,
            Diagnostics diagnostics, PrintWriter err) {
        SourceFile source;
        try {
            source = SourceFile.read(file, file.toString());
        } catch (IOException e) {
            err.println("error: cannot read the lock file `" + file + "`: " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
        Optional<LockFile> lock = LockParser.parse(source, diagnostics::report);
        if (lock.isEmpty()) {
            return lock;
        }
        var problems = LockInputs.verify(lock.get(), source, Tamp.Version.number(), recipe, inputs);
        if (problems.isEmpty()) {
            problems = LockInputs.checkLayers(lock.get(), source, graph);
        }
        problems.forEach(diagnostics::report);
        return problems.isEmpty() ? lock : Optional.empty();
    }
}
