package dev.tamp.compiler.sema;

import dev.tamp.compiler.ast.Bound;
import dev.tamp.compiler.ast.BudgetEntry;
import dev.tamp.compiler.ast.CompilationUnit;
import dev.tamp.compiler.ast.Declaration;
import dev.tamp.compiler.ast.Option;
import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ast.Quantity;
import dev.tamp.compiler.ast.Selector;
import dev.tamp.compiler.ast.SelectorTerm;
import dev.tamp.compiler.ast.Statement;
import dev.tamp.compiler.ast.Unit;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Note;
import dev.tamp.compiler.diag.Suggestions;
import dev.tamp.compiler.ir.Budget;
import dev.tamp.compiler.ir.DataSpec;
import dev.tamp.compiler.ir.EmitSpec;
import dev.tamp.compiler.ir.LayerSelector;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.compiler.schema.OptionChecker;
import dev.tamp.compiler.schema.OptionSchema;
import dev.tamp.compiler.schema.Schemas;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.PatternSyntaxException;

/**
 * Semantic analysis: checks a file's declarations and turns them into the typed IR. Each statement is checked on its
 * own and then against the others (duplicates, statements that need fine-tuning or data); every problem is reported,
 * and analysis goes on past it.
 */
public final class Analyzer {
    private final SourceFile file;
    private final Consumer<Diagnostic> report;
    private final TargetLoader targets;
    private final OptionChecker options;
    /** The file had syntax errors: statements are missing, so checks of what a recipe lacks would mislead. */
    private final boolean partial;

    private Analyzer(SourceFile file, boolean partial, TargetLoader targets, Consumer<Diagnostic> report) {
        this.file = file;
        this.partial = partial;
        this.report = report;
        this.targets = targets;
        this.options = new OptionChecker(file, report);
    }

    /** The recipes and targets a file declares, checked. */
    public record Result(List<Recipe> recipes, List<TargetSpec> targets) {
        public Result {
            recipes = List.copyOf(recipes);
            targets = List.copyOf(targets);
        }
    }

    /**
     * Checks a file's declarations. With {@code partial}, the unit lacks statements that had syntax errors, and
     * checks for missing statements are skipped.
     */
    public static Result analyze(SourceFile file, CompilationUnit unit, FileKind kind, boolean partial,
                                 TargetLoader targets, Consumer<Diagnostic> report) {
        return new Analyzer(file, partial, targets, report).analyze(unit, kind);
    }

    private Result analyze(CompilationUnit unit, FileKind kind) {
        List<Recipe> recipes = new ArrayList<>();
        List<TargetSpec> specs = new ArrayList<>();
        if (unit.declarations().isEmpty() && !partial) {
            String what = switch (kind) {
                case RECIPE -> "a recipe file must declare a recipe: `recipe NAME { ... }`";
                case TARGET -> "a target file must declare a target: `target NAME { ... }`";
                case ANY -> "the file declares no recipe or target";
            };
            report.accept(Diagnostic.of(DiagnosticCode.NO_DECLARATION, file, file.span(0, 0), what));
            return new Result(recipes, specs);
        }
        Map<String, Declaration> seen = new HashMap<>();
        for (Declaration declaration : unit.declarations()) {
            Declaration first = seen.putIfAbsent(declaration.name().text(), declaration);
            if (first != null) {
                report.accept(Diagnostic.of(DiagnosticCode.DUPLICATE_DECLARATION, file, declaration.name().span(),
                                "`" + declaration.name().text() + "` is declared twice in this file")
                        .withNote(Note.at(file, first.name().span(), "first declared here")));
                continue;
            }
            if (declaration instanceof Declaration.Recipe recipe) {
                if (kind == FileKind.TARGET) {
                    wrongKind(declaration, "a `.target` file holds targets; put recipes in `.recipe` files");
                } else if (kind == FileKind.RECIPE && !recipes.isEmpty()) {
                    wrongKind(declaration, "a `.recipe` file holds one recipe; put this one in a file of its own");
                } else {
                    recipe(recipe).ifPresent(recipes::add);
                }
            } else {
                Declaration.Target target = (Declaration.Target) declaration;
                if (kind == FileKind.RECIPE) {
                    wrongKind(declaration, "a `.recipe` file holds one recipe; put targets in `.target` files (see specs/)");
                } else {
                    specs.add(target(target));
                }
            }
        }
        return new Result(recipes, specs);
    }

    private void wrongKind(Declaration declaration, String message) {
        report.accept(Diagnostic.of(DiagnosticCode.WRONG_DECLARATION_KIND, file, declaration.name().span(), message));
    }

    // ---- Targets ------------------------------------------------------------------------------------------------

    private TargetSpec target(Declaration.Target target) {
        Settings settings = options.check(Optional.of(target.properties()), Schemas.TARGET,
                "target", target.name().span());
        TargetSpec spec = new TargetSpec(target.name().text(), settings, file, target.span());
        checkTargetConsistency(target, settings);
        return spec;
    }

    private void checkTargetConsistency(Declaration.Target target, Settings settings) {
        Map<String, Option> given = new LinkedHashMap<>();
        target.properties().options().forEach(o -> given.putIfAbsent(o.key().text(), o));
        settings.get("simd").ifPresent(s -> {
            int bits = (int) ((Setting.Num) s).value();
            if (bits != 0 && (bits < 64 || Integer.bitCount(bits) != 1)) {
                report.accept(Diagnostic.of(DiagnosticCode.VALUE_OUT_OF_RANGE, file, given.get("simd").value().span(),
                                "SIMD width " + bits + " bit is not a register width")
                        .withHint("use 0 (no SIMD), 64, 128 (NEON, SSE), 256 (AVX2) or 512 (AVX-512)"));
            }
        });
        Optional<Settings> peak = group(settings, "peak");
        if (settings.get("int8-dot").map(s -> ((Setting.Flag) s).value()).orElse(false)
                && peak.isPresent() && peak.get().get("int8").isEmpty()) {
            report.accept(Diagnostic.of(DiagnosticCode.MISSING_TARGET_PROPERTY, file, given.get("int8-dot").span(),
                            "the target has a fast int8 dot product but gives no int8 throughput")
                    .withHint("add `int8 ... GOPS` to `peak`, so the cost model can weigh int8 kernels"));
        }
        group(settings, "memory").ifPresent(memory -> {
            double previous = 0;
            String previousName = null;
            for (String level : List.of("l1", "l2", "l3")) {
                Optional<Setting> s = memory.get(level);
                if (s.isEmpty()) {
                    continue;
                }
                double size = ((Setting.Num) s.get()).value();
                if (previousName != null && size < previous) {
                    report.accept(Diagnostic.of(DiagnosticCode.INCONSISTENT_TARGET, file, s.get().origin().orElse(target.span()),
                            "cache `" + level + "` is smaller than `" + previousName + "`")
                            .withHint("outer cache levels are at least as large as inner ones; check the figures"));
                }
                previous = size;
                previousName = level;
            }
        });
    }

    private static Optional<Settings> group(Settings settings, String name) {
        return settings.get(name).map(s -> new Settings(((Setting.Group) s).settings()));
    }

    // ---- Recipes ------------------------------------------------------------------------------------------------

    private Optional<Recipe> recipe(Declaration.Recipe recipe) {
        Map<String, Statement> singletons = new HashMap<>();
        Path model = null;
        SourceSpan modelSpan = recipe.name().span();
        Optional<DataSpec> data = Optional.empty();
        Optional<TargetSpec> target = Optional.empty();
        List<Budget> budgets = new ArrayList<>();
        long seed = 0;
        List<PassRequest> passes = new ArrayList<>();
        Optional<EmitSpec> emit = Optional.empty();

        for (Statement statement : recipe.statements()) {
            String keyword = keyword(statement);
            if (!(statement instanceof Statement.Pass) || statement instanceof Statement.Pass p && !Schemas.takesSelector(p.kind())) {
                Statement first = singletons.putIfAbsent(keyword, statement);
                if (first != null) {
                    report.accept(Diagnostic.of(DiagnosticCode.DUPLICATE_STATEMENT, file, head(statement),
                                    "`" + keyword + "` is given twice in recipe `" + recipe.name().text() + "`")
                            .withNote(Note.at(file, head(first), "first given here"))
                            .withHint("a recipe has one `" + keyword + "`; merge them"));
                    continue;
                }
            }
            if (statement instanceof Statement.Model m) {
                model = existingFile(m.path().value(), m.path().span(), "model").orElse(null);
                modelSpan = m.path().span();
                if (model == null) {
                    model = Path.of(m.path().value().isEmpty() ? "." : sanitize(m.path().value()));
                }
            } else if (statement instanceof Statement.Data d) {
                data = data(d);
            } else if (statement instanceof Statement.TargetRef t) {
                target = targetRef(t);
            } else if (statement instanceof Statement.Seed s) {
                seed = seed(s);
            } else if (statement instanceof Statement.Budget b) {
                budgets.addAll(budget(b));
            } else if (statement instanceof Statement.Emit e) {
                emit = emit(e, recipe.name().text());
            } else {
                Statement.Pass pass = (Statement.Pass) statement;
                pass(pass).ifPresent(passes::add);
            }
        }

        if (partial) {
            return Optional.empty();
        }
        if (!singletons.containsKey("model")) {
            report.accept(Diagnostic.of(DiagnosticCode.MISSING_STATEMENT, file, recipe.name().span(),
                            "recipe `" + recipe.name().text() + "` names no model")
                    .withHint("add `model \"path/to/model.onnx\"`"));
        }
        checkDependencies(recipe, passes, singletons, budgets);
        if (model == null) {
            return Optional.empty();
        }
        return Optional.of(new Recipe(recipe.name().text(), file, recipe.span(), model, modelSpan, data, target, budgets, seed,
                passes, emit));
    }

    private void checkDependencies(Declaration.Recipe recipe, List<PassRequest> passes, Map<String, Statement> singletons,
                                   List<Budget> budgets) {
        boolean finetune = singletons.containsKey("finetune");
        boolean data = singletons.containsKey("data");
        boolean compresses = false;
        for (PassRequest p : passes) {
            String needsTraining = null;
            String needsData = null;
            switch (p.kind()) {
                case PRUNE -> {
                    // A misspelled word was reported and left no value; what it would need is unknown.
                    Optional<String> schedule = word(p, "schedule");
                    if (schedule.isPresent() && !schedule.get().equals("oneshot")) {
                        needsTraining = "a `" + schedule.get() + "` pruning schedule";
                    }
                    Optional<String> method = word(p, "method");
                    if (method.isPresent() && (method.get().equals("obd") || method.get().equals("obs"))) {
                        needsData = "pruning method `" + method.get() + "` (it estimates saliency from training images)";
                    }
                    compresses = true;
                }
                case QUANTIZE, HASH -> compresses = true;
                case DISTILL -> needsTraining = "`distill`";
                case REGULARIZE -> {
                    needsTraining = "`regularize`";
                    // Soft weight-sharing snaps its layers to codebooks, which `encode` then has to code.
                    compresses |= word(p, "method").filter("soft-sharing"::equals).isPresent();
                }
                case COMPACT -> needsData = "`compact` (it fits the new filters to sample outputs)";
                case FINETUNE -> needsData = "`finetune`";
                default -> { }
            }
            if (needsTraining != null && !finetune) {
                report.accept(Diagnostic.of(DiagnosticCode.NEEDS_FINETUNE, file, p.span(),
                                needsTraining + " needs fine-tuning, but the recipe has no `finetune`")
                        .withHint("add `finetune { epochs 2 }`, or remove this"));
            }
            if (needsData == null) {
                for (Map.Entry<String, Setting> e : p.settings().values().entrySet()) {
                    if (e.getValue() instanceof Setting.Auto auto) {
                        needsData = auto.origin().isPresent()
                                ? "`auto` (the planner measures each choice on validation data)"
                                : "option `" + e.getKey() + "`, which defaults to `auto` (the planner measures each "
                                        + "choice on validation data),";
                        break;
                    }
                }
            }
            if (needsData != null && !data) {
                report.accept(Diagnostic.of(DiagnosticCode.NEEDS_DATA, file, p.span(),
                                needsData + " needs a data set, but the recipe has no `data`")
                        .withHint("add `data fashion \"path/to/idx-folder\"`"));
            }
            if (p.kind() == PassKind.ENCODE && !compresses) {
                report.accept(Diagnostic.of(DiagnosticCode.NO_EFFECT, file, p.span(),
                                "`encode` before any `prune`, `quantize`, `hash` or soft-sharing `regularize` has "
                                + "nothing to code")
                        .withHint("Huffman coding compresses codebook and sparse indices; put `encode` after them"));
            }
        }
        for (Budget b : budgets) {
            if (b.metric().equals("accuracy") && !data) {
                report.accept(Diagnostic.of(DiagnosticCode.NEEDS_DATA, file, b.span(),
                                "an accuracy budget needs a data set, but the recipe has no `data`")
                        .withHint("add `data fashion \"path/to/idx-folder\"`"));
            }
        }
    }

    private static Optional<String> word(PassRequest p, String option) {
        return p.settings().get(option).filter(s -> s instanceof Setting.Word).map(s -> ((Setting.Word) s).word());
    }

    private static String keyword(Statement statement) {
        if (statement instanceof Statement.Model) {
            return "model";
        } else if (statement instanceof Statement.Data) {
            return "data";
        } else if (statement instanceof Statement.TargetRef) {
            return "target";
        } else if (statement instanceof Statement.Seed) {
            return "seed";
        } else if (statement instanceof Statement.Budget) {
            return "budget";
        } else if (statement instanceof Statement.Emit) {
            return "emit";
        }
        return ((Statement.Pass) statement).kind().keyword();
    }

    /** The first line of a statement, where "given twice" points. */
    private SourceSpan head(Statement statement) {
        SourceSpan s = statement.span();
        int length = Math.min(keyword(statement).length(), s.endOffset() - s.startOffset());
        return file.span(s.startOffset(), s.startOffset() + length);
    }

    private Optional<Path> existingFile(String written, SourceSpan at, String what) {
        Optional<Path> resolved = resolve(written, at, what);
        if (resolved.isEmpty()) {
            return Optional.empty();
        }
        Path path = resolved.get();
        if (!Files.isRegularFile(path)) {
            String problem = Files.isDirectory(path) ? "is a folder, not a file" : "does not exist";
            report.accept(Diagnostic.of(DiagnosticCode.FILE_NOT_FOUND, file, at, what + " file `" + written + "` " + problem)
                    .withNote(Note.of("looked for " + path.toAbsolutePath().normalize()))
                    .withHint("paths are relative to the folder of " + file.name()));
            return Optional.empty();
        }
        return Optional.of(path);
    }

    private Optional<Path> resolve(String written, SourceSpan at, String what) {
        try {
            if (written.isEmpty() || written.indexOf('\0') >= 0) {
                throw new InvalidPathException(written, "empty or contains a NUL character");
            }
            Path p = Path.of(written);
            Path base = file.path() != null && file.path().toAbsolutePath().getParent() != null
                    ? file.path().toAbsolutePath().getParent() : Path.of("").toAbsolutePath();
            return Optional.of(p.isAbsolute() ? p : base.resolve(p).normalize());
        } catch (InvalidPathException e) {
            report.accept(Diagnostic.of(DiagnosticCode.FILE_NOT_FOUND, file, at,
                    what + " path `" + written + "` is not a valid path: " + e.getReason()));
            return Optional.empty();
        }
    }

    private static String sanitize(String path) {
        return path.replace('\0', '_');
    }

    private Optional<DataSpec> data(Statement.Data d) {
        Settings settings = options.check(d.options(), Schemas.DATA, "data", d.span());
        Optional<Option> pathOption = d.options().flatMap(b -> b.options().stream()
                .filter(o -> o.key().text().equals("path")).findFirst());
        String written;
        SourceSpan at;
        if (d.path().isPresent() && pathOption.isPresent()) {
            report.accept(Diagnostic.of(DiagnosticCode.CONFLICTING_OPTIONS, file, pathOption.get().key().span(),
                            "the data path is given twice")
                    .withNote(Note.at(file, d.path().get().span(), "also given here"))
                    .withHint("keep one"));
            return Optional.empty();
        } else if (d.path().isPresent()) {
            written = d.path().get().value();
            at = d.path().get().span();
        } else if (settings.get("path").isPresent()) {
            written = settings.text("path");
            at = pathOption.get().value().span();
        } else {
            report.accept(Diagnostic.of(DiagnosticCode.MISSING_OPTION, file, d.span(), "`data` needs a path")
                    .withHint("write `data fashion \"path/to/idx-folder\"`"));
            return Optional.empty();
        }
        Optional<Path> path = resolve(written, at, "data");
        if (path.isPresent() && !Files.exists(path.get())) {
            report.accept(Diagnostic.of(DiagnosticCode.FILE_NOT_FOUND, file, at, "data path `" + written + "` does not exist")
                    .withNote(Note.of("looked for " + path.get().toAbsolutePath().normalize()))
                    .withHint("paths are relative to the folder of " + file.name()));
            return Optional.empty();
        }
        String name = d.name().map(n -> n.text()).orElse("data");
        return path.map(p -> new DataSpec(name, p, settings, d.span()));
    }

    private Optional<TargetSpec> targetRef(Statement.TargetRef t) {
        if (t.path().isPresent()) {
            Optional<Path> path = existingFile(t.path().get().value(), t.path().get().span(), "target");
            return path.flatMap(p -> targets.load(p, file, t.path().get().span()));
        }
        String name = t.name().orElseThrow().text();
        Optional<TargetSpec> spec = targets.bundled(name, file, t.name().get().span());
        if (spec.isEmpty()) {
            Diagnostic d = Diagnostic.of(DiagnosticCode.UNKNOWN_TARGET, file, t.name().get().span(),
                    "no target named `" + name + "` ships with tamp");
            Optional<String> close = Suggestions.closest(name, targets.bundledNames());
            d = d.withNote(Note.of("shipped targets: " + Suggestions.quotedList(targets.bundledNames(), 20)));
            d = d.withHint(close.map(c -> "did you mean `" + c + "`?")
                    .orElse("write a target file and refer to it by path: `target \"my-device.target\"`"));
            report.accept(d);
        }
        return spec;
    }

    private long seed(Statement.Seed s) {
        BigDecimal v = s.value().quantity().number();
        if (v.signum() < 0 || v.stripTrailingZeros().scale() > 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            report.accept(Diagnostic.of(DiagnosticCode.VALUE_OUT_OF_RANGE, file, s.value().span(),
                    "seed must be a whole number from 0 to " + Long.MAX_VALUE + ", found `" + v.toPlainString() + "`"));
            return 0;
        }
        return v.longValueExact();
    }

    private List<Budget> budget(Statement.Budget b) {
        List<Budget> result = new ArrayList<>();
        Map<String, BudgetEntry> seen = new HashMap<>();
        for (BudgetEntry entry : b.entries()) {
            String metric = entry.metric().text();
            Schemas.BudgetMetric spec = Schemas.BUDGETS.get(metric);
            if (spec == null) {
                Diagnostic d = Diagnostic.of(DiagnosticCode.UNKNOWN_BUDGET, file, entry.metric().span(),
                        "unknown budget `" + metric + "`");
                Optional<String> close = Suggestions.closest(metric, Schemas.BUDGETS.keySet());
                d = d.withNote(Note.of("budgets: " + Suggestions.quotedList(Schemas.BUDGET_ORDER, 10)));
                report.accept(close.map(c -> "did you mean `" + c + "`?").map(d::withHint).orElse(d));
                continue;
            }
            BudgetEntry first = seen.putIfAbsent(metric, entry);
            if (first != null) {
                report.accept(Diagnostic.of(DiagnosticCode.DUPLICATE_BUDGET, file, entry.metric().span(),
                                "budget `" + metric + "` is given twice")
                        .withNote(Note.at(file, first.metric().span(), "first given here")));
                continue;
            }
            budgetEntry(entry, spec).ifPresent(result::add);
        }
        return result;
    }

    private Optional<Budget> budgetEntry(BudgetEntry entry, Schemas.BudgetMetric spec) {
        String metric = spec.name();
        BudgetEntry.Comparison cmp = entry.comparison();
        boolean ok = spec.upperBound() ? cmp.isUpperBound() : cmp.isLowerBound();
        if (!ok) {
            String right = spec.upperBound() ? "<=" : ">=";
            report.accept(Diagnostic.of(DiagnosticCode.WRONG_BUDGET_DIRECTION, file, entry.comparisonSpan(),
                            "`" + metric + " " + cmp.symbol() + "` is no budget: " + metric + " is bounded from "
                                    + (spec.upperBound() ? "above" : "below"))
                    .withHint("write `" + metric + " " + right + " ...`"));
            return Optional.empty();
        }
        if (entry.bound() instanceof Bound.Baseline baseline) {
            if (!spec.baselineAllowed()) {
                report.accept(Diagnostic.of(DiagnosticCode.BASELINE_NOT_ALLOWED, file, baseline.span(),
                                "`baseline` applies to accuracy only; " + metric + " needs an absolute bound")
                        .withHint("write `" + metric + " <= " + spec.dimension().example() + "`"));
                return Optional.empty();
            }
            double offset = 0;
            if (baseline.offset().isPresent()) {
                Quantity q = baseline.offset().get();
                Optional<Double> v = measure(q, spec, metric, true);
                if (v.isEmpty()) {
                    return Optional.empty();
                }
                offset = baseline.negative() ? -v.get() : v.get();
            }
            return Optional.of(new Budget(metric, cmp, offset, true, entry.span()));
        }
        Quantity q = ((Bound.Absolute) entry.bound()).value();
        return measure(q, spec, metric, false).map(v -> new Budget(metric, cmp, v, false, entry.span()));
    }

    private Optional<Double> measure(Quantity q, Schemas.BudgetMetric spec, String metric, boolean offset) {
        Unit.Dimension dim = spec.dimension();
        if (q.unit().isEmpty() || q.unit().get().dimension() != dim) {
            String found = q.unit().map(u -> u.dimension().description() + " (`" + q.text() + "`)").orElse("`" + q.text() + "`");
            report.accept(Diagnostic.of(DiagnosticCode.WRONG_UNIT, file, q.span(),
                            "budget `" + metric + "` takes " + dim.description() + " such as `" + dim.example()
                                    + "`, found " + found)
                    .withHint(dim == Unit.Dimension.FRACTION ? "accuracy is written in percent: `90 %`"
                            : "add a unit, as in `" + dim.example() + "`"));
            return Optional.empty();
        }
        double v = q.canonical().doubleValue();
        boolean valid = dim == Unit.Dimension.FRACTION
                ? (offset ? v >= 0 && v <= 1 : v > 0 && v <= 1)
                : v > 0 && Double.isFinite(v);
        if (!valid) {
            report.accept(Diagnostic.of(DiagnosticCode.VALUE_OUT_OF_RANGE, file, q.span(),
                    "budget `" + metric + "` of `" + q.text() + "` is out of range ("
                            + (dim == Unit.Dimension.FRACTION ? "0 % to 100 %" : "it must be positive") + ")"));
            return Optional.empty();
        }
        return Optional.of(v);
    }

    private Optional<EmitSpec> emit(Statement.Emit e, String recipeName) {
        String language = e.language().text();
        OptionSchema schema = Schemas.EMIT.get(language);
        if (schema == null) {
            Diagnostic d = Diagnostic.of(DiagnosticCode.UNKNOWN_EMIT_LANGUAGE, file, e.language().span(),
                    "tamp cannot emit `" + language + "`");
            Optional<String> close = Suggestions.closest(language, Schemas.EMIT.keySet());
            d = d.withNote(Note.of("languages: " + Suggestions.quotedList(Schemas.EMIT.keySet(), 10)));
            report.accept(close.map(c -> "did you mean `" + c + "`?").map(d::withHint).orElse(d));
            return Optional.empty();
        }
        Settings settings = options.check(e.options(), schema, "emit " + language, e.span());
        if (settings.get("class").isEmpty()) {
            Map<String, Setting> values = new LinkedHashMap<>(settings.values());
            values.put("class", new Setting.Text(upperCamel(recipeName), Optional.empty()));
            settings = new Settings(values);
        }
        return Optional.of(new EmitSpec(language, settings, e.span()));
    }

    /** {@code lenet5_phone} → {@code Lenet5Phone}; always a valid Java identifier for a valid recipe name. */
    static String upperCamel(String name) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : name.toCharArray()) {
            if (c == '_' || c == '-' || c == '.') {
                upper = true;
            } else if (Character.isLetterOrDigit(c)) {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) {
            out.insert(0, "Model");
        }
        return out.toString();
    }

    private Optional<PassRequest> pass(Statement.Pass pass) {
        String keyword = pass.kind().keyword();
        if (pass.selector().isPresent() && !Schemas.takesSelector(pass.kind())) {
            report.accept(Diagnostic.of(DiagnosticCode.SELECTOR_NOT_ALLOWED, file, pass.selector().get().span(),
                            "`" + keyword + "` applies to the whole model and takes no layer selector")
                    .withHint("remove `" + file.slice(pass.selector().get().span()) + "`"));
        }
        Optional<LayerSelector> selector = pass.selector().isPresent()
                ? selector(pass.selector().get())
                : Optional.of(LayerSelector.all(pass.kindSpan()));
        int[] optionErrors = {0};
        OptionChecker checker = new OptionChecker(file, d -> {
            optionErrors[0] += d.isError() ? 1 : 0;
            report.accept(d);
        });
        Settings settings = checker.check(pass.options(), Schemas.pass(pass.kind()), keyword, pass.kindSpan());
        if (pass.kind() == PassKind.FINETUNE && settings.get("lr").isPresent() && settings.number("lr") > 1) {
            report.accept(Diagnostic.of(DiagnosticCode.SUSPICIOUS_VALUE, file,
                            settings.get("lr").get().origin().orElse(pass.kindSpan()),
                            "learning rate " + BigDecimal.valueOf(settings.number("lr")).stripTrailingZeros().toPlainString()
                                    + " is unusually large; training will likely diverge")
                    .withHint("typical values are 1e-4 to 1e-2"));
        }
        if (optionErrors[0] > 0) {
            // A mistyped option left a default in its place; checking what that default implies would mislead.
            return Optional.empty();
        }
        return selector.map(s -> new PassRequest(pass.kind(), s, settings, pass.span()));
    }

    private Optional<LayerSelector> selector(Selector selector) {
        List<LayerSelector.Term> include = new ArrayList<>();
        List<LayerSelector.Term> exclude = new ArrayList<>();
        boolean ok = true;
        for (SelectorTerm t : selector.include()) {
            Optional<LayerSelector.Term> term = term(t);
            term.ifPresent(include::add);
            ok &= term.isPresent();
        }
        for (SelectorTerm t : selector.exclude()) {
            Optional<LayerSelector.Term> term = term(t);
            term.ifPresent(exclude::add);
            ok &= term.isPresent();
        }
        return ok ? Optional.of(new LayerSelector(include, exclude, selector.span())) : Optional.empty();
    }

    private Optional<LayerSelector.Term> term(SelectorTerm t) {
        if (t instanceof SelectorTerm.All a) {
            return Optional.of(new LayerSelector.Term.All(a.span()));
        } else if (t instanceof SelectorTerm.Exact e) {
            return Optional.of(new LayerSelector.Term.Exact(e.name(), e.span()));
        } else if (t instanceof SelectorTerm.Glob g) {
            return Optional.of(new LayerSelector.Term.Pattern(g.pattern(), LayerSelector.compileGlob(g.pattern()), true, g.span()));
        } else if (t instanceof SelectorTerm.Regex r) {
            try {
                return Optional.of(new LayerSelector.Term.Pattern(r.pattern(), java.util.regex.Pattern.compile(r.pattern()),
                        false, r.span()));
            } catch (PatternSyntaxException | StackOverflowError e) {
                String reason = e instanceof PatternSyntaxException p ? p.getDescription() : "too deeply nested";
                report.accept(Diagnostic.of(DiagnosticCode.INVALID_SELECTOR, file, r.span(),
                                "invalid regular expression: " + reason)
                        .withHint("selectors use Java regular expressions, matched against the whole layer name"));
                return Optional.empty();
            }
        } else if (t instanceof SelectorTerm.OpType o) {
            return Optional.of(new LayerSelector.Term.OpType(o.opType(), o.span()));
        }
        SelectorTerm.Position p = (SelectorTerm.Position) t;
        return Optional.of(new LayerSelector.Term.Position(p.index(), p.span()));
    }
}
