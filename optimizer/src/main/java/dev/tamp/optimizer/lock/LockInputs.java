package dev.tamp.optimizer.lock;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.ir.Graph;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.pipeline.Finetuning;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inputs a lock pins, hashed, and the checks a lock passes before it is replayed: same tool, same inputs (by
 * SHA-256), the seed and the whole-model statements as the recipe states them, and layers the model has. Paths are
 * written as the recipe names them, relative to its folder, so a lock does not depend on where tamp ran.
 */
public final class LockInputs {
    private LockInputs() {}

    /** The lock of a run of {@code recipe} on {@code graph} with these per-layer settings. */
    public static LockFile lock(String tool, Recipe recipe, List<LockFile.Input> inputs, Graph graph,
            Map<PassKind, Map<String, Settings>> layers) {
        return LockFile.of(tool, recipe.seed(), inputs, graph, layers, statement(recipe, PassKind.FINETUNE),
                statement(recipe, PassKind.DISTILL));
    }

    /** The recipe file, the model, the data files, the target spec and the teacher, each with its SHA-256. */
    public static List<LockFile.Input> of(Recipe recipe) throws IOException {
        List<LockFile.Input> inputs = new ArrayList<>();
        Path recipePath = recipe.file().path();
        Path folder = recipePath == null ? Path.of("").toAbsolutePath()
                : recipePath.toAbsolutePath().normalize().getParent();
        inputs.add(new LockFile.Input("recipe", recipePath == null ? recipe.file().name()
                : recipePath.getFileName().toString(), recipePath == null
                        ? sha256(recipe.file().text().getBytes(StandardCharsets.UTF_8)) : sha256(recipePath)));
        inputs.add(file("model", folder, recipe.model()));
        if (recipe.data().isPresent()) {
            for (Path p : RecipeData.files(recipe.data().get())) {
                inputs.add(file("data", folder, p));
            }
        }
        if (recipe.target().isPresent()) {
            inputs.add(new LockFile.Input("target", recipe.target().get().name(),
                    sha256(recipe.target().get().file().text().getBytes(StandardCharsets.UTF_8))));
        }
        Optional<Path> teacher = Finetuning.teacherFile(recipe);
        if (teacher.isPresent()) {
            inputs.add(file("teacher", folder, teacher.get()));
        }
        return inputs;
    }

    private static LockFile.Input file(String role, Path folder, Path file) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        String shown;
        try {
            shown = folder.relativize(absolute).toString().replace('\\', '/');
        } catch (IllegalArgumentException otherRoot) {
            shown = absolute.toString();
        }
        return new LockFile.Input(role, shown, sha256(absolute));
    }

    static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Why the lock cannot be replayed for this recipe, as diagnostics at the lock's lines: another tamp version, an
     * input whose hash changed, an input one side has and the other not (E5002); a seed or whole-model statement that
     * is not the recipe's (E5001, the lock was edited).
     */
    public static List<Diagnostic> verify(LockFile lock, SourceFile source, String tool, Recipe recipe,
            List<LockFile.Input> current) {
        List<Diagnostic> out = new ArrayList<>();
        SourceSpan top = lock.lines().getOrDefault("tamp", source.span(0, 0));
        if (!lock.tool().equals(tool)) {
            out.add(changed(source, top, "the lock was written by tamp " + lock.tool() + ", and this is tamp " + tool
                    + "; another version may compile differently")
                    .withHint("replay with tamp " + lock.tool() + ", or write a new lock with `tamp compile RECIPE`"));
        }
        SourceSpan recipeLine = lock.inputs().get(0).span().orElse(top);
        for (LockFile.Input now : current) {
            Optional<LockFile.Input> locked = lock.input(now.role(), now.path());
            if (locked.isEmpty()) {
                out.add(changed(source, recipeLine, "the recipe now reads " + describe(now) + ", which the lock "
                        + "does not pin"));
            } else if (!locked.get().sha256().equals(now.sha256())) {
                out.add(changed(source, locked.get().span().orElse(top), describe(now) + " changed since the lock was "
                        + "written: sha256 " + locked.get().sha256().substring(0, 12) + "… in the lock, "
                        + now.sha256().substring(0, 12) + "… now"));
            }
        }
        for (LockFile.Input locked : lock.inputs()) {
            if (current.stream().noneMatch(c -> c.role().equals(locked.role()) && c.path().equals(locked.path()))) {
                out.add(changed(source, locked.span().orElse(top), "the recipe no longer reads " + describe(locked)));
            }
        }
        if (!out.isEmpty()) {
            return out; // a changed recipe explains the differences below
        }
        if (lock.seed() != recipe.seed()) {
            out.add(edited(source, lock.lines().getOrDefault("seed", top), "seed " + lock.seed() + " is not the "
                    + "recipe's seed " + recipe.seed()));
        }
        for (PassKind kind : LockFile.WHOLE_MODEL) {
            Optional<Settings> stated = statement(recipe, kind);
            Optional<LockFile.Step> locked = lock.statement(kind);
            if (stated.isPresent() != locked.isPresent() || stated.isPresent()
                    && !text(stated.get()).equals(text(locked.get().settings()))) {
                out.add(edited(source, locked.flatMap(LockFile.Step::span).orElse(top), "the `" + kind.keyword()
                        + "` line is not the recipe's `" + kind.keyword() + "` statement"));
            }
        }
        return out;
    }

    /** Layers of the lock's pipeline the model does not have (E5001 at the layer's name). */
    public static List<Diagnostic> checkLayers(LockFile lock, SourceFile source, Graph graph) {
        List<Diagnostic> out = new ArrayList<>();
        for (LockFile.Step step : lock.steps()) {
            if (step.layer().isPresent() && graph.node(step.layer().get()).isEmpty()) {
                out.add(edited(source, step.layerSpan().or(step::span).orElse(source.span(0, 0)), "the model has no "
                        + "layer " + LockFile.quote(step.layer().get())));
            }
        }
        return out;
    }

    private static String describe(LockFile.Input in) {
        return switch (in.role()) {
            case "recipe" -> "the recipe `" + in.path() + "`";
            case "target" -> "the target spec `" + in.path() + "`";
            case "data" -> "the data file `" + in.path() + "`";
            default -> "the " + in.role() + " `" + in.path() + "`";
        };
    }

    private static Diagnostic changed(SourceFile source, SourceSpan at, String message) {
        return Diagnostic.of(DiagnosticCode.LOCK_INPUT_CHANGED, source, at, message)
                .withHint("nothing was written; restore the input, or write a new lock with `tamp compile RECIPE`");
    }

    private static Diagnostic edited(SourceFile source, SourceSpan at, String message) {
        return Diagnostic.of(DiagnosticCode.LOCK_MALFORMED, source, at, message)
                .withHint("the lock file was edited: write it again with `tamp compile RECIPE`");
    }

    private static Optional<Settings> statement(Recipe recipe, PassKind kind) {
        return recipe.passes().stream().filter(r -> r.kind() == kind).map(PassRequest::settings).findFirst();
    }

    /** Settings as the lock prints them, origins aside. */
    private static Map<String, String> text(Settings settings) {
        Map<String, String> m = new LinkedHashMap<>();
        settings.values().forEach((k, v) -> m.put(k, LockFile.value(v)));
        return m;
    }

    /** Whether two settings print the same in a lock (equal but for where they came from). */
    public static boolean sameText(Settings a, Settings b) {
        return text(a).equals(text(b));
    }
}
