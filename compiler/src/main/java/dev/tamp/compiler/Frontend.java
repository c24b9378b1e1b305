package dev.tamp.compiler;

import dev.tamp.compiler.ast.CompilationUnit;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.sema.ModelBinding;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.ModelLoadException;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.compiler.parse.AstBuilder;
import dev.tamp.compiler.parse.ParsedFile;
import dev.tamp.compiler.parse.Parsing;
import dev.tamp.compiler.sema.Analyzer;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.sema.TargetLoader;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiler's front end: reads, parses and checks recipe and target files into the typed IR, reporting into one
 * {@link Diagnostics}. Target files a recipe refers to are checked once each and their problems reported in their
 * own files.
 */
public final class Frontend {
    /** Larger inputs are refused unread: a recipe is a few KB; this bounds memory for anything fed by mistake. */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private final Diagnostics diagnostics;
    private final Map<Path, Optional<TargetSpec>> loadedTargets = new HashMap<>();
    private final Map<Path, Optional<Model>> loadedModels = new HashMap<>();
    private final Loader loader = new Loader();

    public Frontend(Diagnostics diagnostics) {
        this.diagnostics = diagnostics;
    }

    /** A file after checking: its parse, its AST when it parsed cleanly, and what it declares. */
    public record CheckedFile(SourceFile source, ParsedFile parsed, Optional<CompilationUnit> ast, Analyzer.Result declared) {}

    /** Reads and checks a file; a file that cannot be read yields an error diagnostic and empty results. */
    public Optional<CheckedFile> check(Path path, String displayName) {
        Optional<SourceFile> source = read(path, displayName, null, null);
        return source.map(s -> check(s, FileKind.of(path)));
    }

    public CheckedFile check(SourceFile source, FileKind kind) {
        ParsedFile parsed = Parsing.parse(source, diagnostics::report);
        if (parsed.tree().isEmpty()) {
            return new CheckedFile(source, parsed, Optional.empty(), new Analyzer.Result(List.of(), List.of()));
        }
        int before = diagnostics.errorCount();
        CompilationUnit unit = AstBuilder.build(source, parsed.tree().get(), diagnostics::report);
        boolean partial = !parsed.isClean() || diagnostics.errorCount() > before;
        Analyzer.Result result = Analyzer.analyze(source, unit, kind, partial, loader, diagnostics::report);
        if (partial) {
            result = new Analyzer.Result(List.of(), List.of());
        }
        for (Recipe recipe : result.recipes()) {
            model(recipe).ifPresent(model -> ModelBinding.check(recipe, model,
                    recipe.model().getFileName().toString(), diagnostics::report));
        }
        return new CheckedFile(source, parsed, Optional.of(unit), result);
    }

    /**
     * The recipe's model, loaded once per file; a model that cannot be loaded is one error at the recipe's
     * {@code model} line listing every problem the importer found. A missing file was reported by the analyzer.
     */
    public Optional<Model> model(Recipe recipe) {
        Path path = recipe.model().toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        Optional<Model> cached = loadedModels.get(path);
        if (cached != null) {
            return cached;
        }
        Optional<Model> model;
        try {
            model = Optional.of(ModelCache.load(path));
        } catch (ModelLoadException e) {
            Diagnostic d = Diagnostic.of(DiagnosticCode.MODEL_NOT_LOADED, recipe.file(), recipe.modelSpan(),
                    "cannot load model `" + recipe.model().getFileName() + "`: " + describe(e.kind()));
            for (ModelLoadException.Problem p : e.problems().stream().limit(20).toList()) {
                d = d.withNote(Note.of(p.toString()));
            }
            diagnostics.report(d.withHint(e.kind() == ModelLoadException.Kind.UNSUPPORTED
                    ? "docs/models.md lists the supported operators" : "is this the ONNX file exported from your model?"));
            model = Optional.empty();
        }
        loadedModels.put(path, model);
        return model;
    }

    private static String describe(ModelLoadException.Kind kind) {
        return switch (kind) {
            case IO -> "the file cannot be read";
            case MALFORMED -> "the file is not a valid ONNX model";
            case LIMIT -> "it declares tensors beyond tamp's limits";
            case INVALID_GRAPH -> "its graph is invalid";
            case UNSUPPORTED -> "it uses operators or features tamp does not support";
        };
    }

    private Optional<SourceFile> read(Path path, String displayName, SourceFile from, SourceSpan at) {
        try {
            if (Files.isDirectory(path)) {
                throw new IOException("is a folder, not a file");
            }
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new IOException("is " + size + " bytes; recipe and target files are limited to " + MAX_FILE_BYTES);
            }
            return Optional.of(SourceFile.read(path, displayName));
        } catch (IOException | SecurityException e) {
            String reason = e instanceof java.nio.file.NoSuchFileException ? "does not exist" : e.getMessage();
            SourceFile where = from != null ? from : SourceFile.of(displayName, "");
            SourceSpan span = at != null ? at : where.span(0, 0);
            diagnostics.report(Diagnostic.of(DiagnosticCode.FILE_NOT_FOUND, where, span,
                    "cannot read `" + displayName + "`: " + reason));
            return Optional.empty();
        }
    }

    private final class Loader implements TargetLoader {
        @Override
        public Optional<TargetSpec> load(Path path, SourceFile from, SourceSpan at) {
            Path key = path.toAbsolutePath().normalize();
            Optional<TargetSpec> cached = loadedTargets.get(key);
            if (cached != null) {
                return cached;
            }
            Optional<TargetSpec> spec = read(path, displayName(path), from, at)
                    .flatMap(source -> first(check(source, FileKind.TARGET)));
            loadedTargets.put(key, spec);
            return spec;
        }

        @Override
        public Optional<TargetSpec> bundled(String name, SourceFile from, SourceSpan at) {
            if (!bundledNames().contains(name)) {
                return Optional.empty();
            }
            String resource = "specs/" + name + ".target";
            try (InputStream in = Frontend.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    return Optional.empty();
                }
                SourceFile source = SourceFile.of(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return first(check(source, FileKind.TARGET)).filter(t -> t.name().equals(name));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public List<String> bundledNames() {
            return BundledTargets.names();
        }

        private Optional<TargetSpec> first(CheckedFile checked) {
            return checked.declared().targets().stream().findFirst();
        }
    }

    /** A path as diagnostics show it: relative to the working directory when it lies below it. */
    public static String displayName(Path path) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
