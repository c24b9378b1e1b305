package dev.tamp.cli;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.codegen.java.JavaEmitter;
import dev.tamp.codegen.java.JavaOutput;
import dev.tamp.codegen.java.ResidentBytes;
import dev.tamp.codegen.java.UnsupportedModelException;
import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.EmitSpec;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.source.SourceSpan;
import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.ModelLoadException;
import dev.tamp.model.onnx.OnnxExporter;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.lock.LockFile;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.CompileReport;
import dev.tamp.optimizer.pipeline.Finetuning;
import dev.tamp.optimizer.pipeline.Pipeline;
import dev.tamp.optimizer.pipeline.Preflight;
import dev.tamp.optimizer.plan.Explanations;
import dev.tamp.optimizer.plan.Plan;
import dev.tamp.optimizer.report.HtmlReport;
import dev.tamp.optimizer.report.MarkdownReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tamp compile RECIPE}: checks the recipe and everything it can before any heavy work, runs its passes, and
 * writes the compressed model (standard ONNX and the weights container of docs/format.md) with its report into one
 * output folder, all or nothing.
 */
@Command(name = "compile", description = "Run a recipe's compression passes and write the compressed model and a report.")
final class CompileCommand implements Callable<Integer> {
    private static final int PROBE_IMAGES = 256;

    @Parameters(paramLabel = "RECIPE", description = "A .recipe file.")
    Path recipeFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Output folder, replaced as a whole when the compile succeeds (default: tamp-out/<recipe name>).")
    Path output;

    @Option(names = "--no-eval", description = "Skip measuring accuracy before and after on the test images.")
    boolean noEval;

    @Option(names = "--threads", defaultValue = "0",
            description = "Threads for calibration and evaluation; 0 for one per core. Changes speed, never results.")
    int threads;

    @Option(names = "--json", description = "Print the report as JSON instead of text.")
    boolean json;

    @Option(names = "--lock", paramLabel = "FILE", description = "Replay a tamp.lock exactly: its pipeline, no "
            + "planning; refused if the lock is damaged or an input it hashes changed (docs/lock.md).")
    Path lockFile;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no warnings on stderr, only errors.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = Reporting.errors(spec.commandLine().getErr(), quiet);
        if (threads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 0");
        }
        int workers = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;

        Diagnostics diagnostics = new Diagnostics();
        Frontend frontend = new Frontend(diagnostics);
        var checked = frontend.check(recipeFile, recipeFile.toString());
        if (diagnostics.hasErrors() || checked.isEmpty()) {
            return Reporting.finish(diagnostics, err);
        }
        if (checked.get().declared().recipes().size() != 1) {
            err.println("error: " + recipeFile + " declares no recipe (is it a target spec?); `tamp compile` takes a .recipe file");
            err.flush();
            return ExitCode.INPUT_ERROR;
        }
        Recipe recipe = checked.get().declared().recipes().get(0);
        Path dir = output != null ? output : Path.of("tamp-out", recipe.name());
        try (OutputFolder folder = OutputFolder.open(dir, err)) {
            return compile(recipe, frontend, diagnostics, folder, workers, out, err);
        }
    }

    private int compile(Recipe recipe, Frontend frontend, Diagnostics diagnostics, OutputFolder folder, int workers,
            PrintWriter out, PrintWriter err) {
        PrintWriter progress = Reporting.progress(err, quiet);
        Optional<Model> loaded = frontend.model(recipe);
        if (loaded.isEmpty()) {
            return Reporting.finish(diagnostics, err);
        }
        Model model = loaded.get();
        Optional<List<LockFile.Input>> inputs = Locking.inputs(recipe, err);
        Optional<LockFile> locked = Optional.empty();
        if (inputs.isPresent() && lockFile != null) {
            locked = Locking.read(lockFile, recipe, inputs.get(), model.graph(), diagnostics, err);
        }
        if (inputs.isEmpty() || lockFile != null && locked.isEmpty()) {
            return diagnostics.hasErrors() ? Reporting.finish(diagnostics, err) : ExitCode.INPUT_ERROR;
        }
        // Before reading the data set: what this version cannot do is reported without any heavy work.
        if (!Preflight.check(recipe, PassContext.forRecipe(recipe, model.graph()), diagnostics::report)) {
            return Reporting.finish(diagnostics, err);
        }
        if (recipe.emit().isPresent() && !javaTranslatable(recipe, model, diagnostics)) {
            return Reporting.finish(diagnostics, err);
        }
        Optional<Graph> teacher = Optional.empty();
        Optional<Path> teacherFile = Finetuning.teacherFile(recipe);
        if (teacherFile.isPresent()) {
            try {
                teacher = Optional.of(OnnxImporter.withDefaults().load(teacherFile.get()).graph());
            } catch (ModelLoadException e) {
                return ModelErrors.report(e, teacherFile.get().toString(), err);
            }
        }
        Optional<RecipeData> data;
        try {
            data = recipe.data().map(spec -> RecipeData.load(spec, recipe.seed()));
        } catch (DataLoadException e) {
            return ModelErrors.report(e, err);
        }
        PassContext context = PassContext.forRecipe(recipe, model.graph(), data, workers);
        Optional<Graph> teacherGraph = teacher;
        Optional<Finetuning> finetuning = Finetuning.options(recipe, model.graph(), p -> teacherGraph.orElseThrow(),
                workers).map(options -> new Finetuning(options, data.orElseThrow().train(), data.get().pre(),
                        new TrainingProgress(progress, !quiet, System.console() != null, options.batch(),
                                data.get().validation(), data.get().pre(), workers)));
        Optional<Plan> plan = Optional.empty();
        if (locked.isPresent()) {
            // The locked pipeline as the run that wrote the lock ran it: no planning (docs/lock.md).
            context = new PassContext(recipe.seed(), locked.get().layers(model.graph()), data, workers);
        } else if (dev.tamp.optimizer.plan.Planner.needed(recipe, model.graph())) {
            // `auto` values: the planner chooses them (docs/planner.md) and the pipeline runs its choices.
            plan = PlanCommand.plan(recipe, model, dev.tamp.optimizer.plan.Planner.Options.IMAGES, threads,
                    finetuning, diagnostics, progress);
            if (plan.isEmpty() || !plan.get().ok()) {
                return Reporting.finish(diagnostics, err);
            }
            progress.print(plan.get().renderText());
            progress.flush();
            context = new PassContext(recipe.seed(), plan.get().layers(), data, workers);
        }

        Pipeline.Result result;
        try {
            result = Pipeline.run(model, context, finetuning, info -> {
                progress.println("running " + info.name());
                progress.flush();
            });
        } catch (Pipeline.Refusal e) {
            diagnostics.report(refusal(recipe, context, e));
            return Reporting.finish(diagnostics, err);
        }

        OptionalDouble before = OptionalDouble.empty();
        OptionalDouble after = OptionalDouble.empty();
        Optional<Evaluation.Result> afterRun = Optional.empty();
        int images = 0;
        if (!noEval && data.isPresent()) {
            progress.println("measuring accuracy on " + data.get().test().count() + " test images");
            progress.flush();
            before = OptionalDouble.of(evaluate(model, data.get(), workers, false).accuracy());
            afterRun = Optional.of(evaluate(result.model(), data.get(), workers, recipe.emit().isPresent()));
            after = OptionalDouble.of(afterRun.get().accuracy());
            images = data.get().test().count();
        }
        // Per-layer output errors on validation images: what each layer's compression did to what it computes.
        Optional<Tensor> probe = data.filter(d -> d.validation().count() > 0)
                .map(d -> d.pre().batch(d.validation(), 0, Math.min(PROBE_IMAGES, d.validation().count())));
        byte[] weights = WeightsFile.write(result.model().graph());

        Optional<JavaOutput> java = Optional.empty();
        Optional<CompileReport.GeneratedCode> code = Optional.empty();
        if (recipe.emit().isPresent()) {
            EmitSpec emit = recipe.emit().get();
            progress.println("generating Java and verifying it against the reference executor");
            progress.flush();
            try {
                java = Optional.of(JavaVerification.build(result.model().graph(), emit.settings().text("package"),
                        emit.settings().text("class"), !emit.settings().word("simd").equals("off")));
                code = Optional.of(JavaVerification.run(java.get(), weights, result.model(), data, afterRun, probe,
                        recipe.seed(), workers, !emit.settings().word("simd").equals("off")));
            } catch (UnsupportedModelException e) {
                diagnostics.report(Diagnostic.of(DiagnosticCode.NOT_AVAILABLE, recipe.file(), emit.span(),
                        "`emit java` cannot translate the compressed model: " + e.getMessage()));
                return Reporting.finish(diagnostics, err);
            } catch (JavaVerification.Failure e) {
                err.println("internal error: " + e.getMessage());
                err.println("nothing was written; please report this with the recipe and the model");
                err.flush();
                return ExitCode.INTERNAL_ERROR;
            }
        }
        CompileReport measured = new CompileReport(recipe.name(), recipe.model().getFileName().toString(),
                CompileReport.rows(model, result.model(), probe, workers,
                        // With generated code, resident bytes are what its kernels keep (some decode at load).
                        java.isPresent() ? ResidentBytes.of(result.model().graph()) : Map.of()),
                result.runs(), before, after, images, weights.length, code, afterRun.map(r -> confusion(r, data.get().test())));
        // Per layer: predicted latency on the target, the planner's sensitivity and why; each budget's verdict.
        CompileReport report = Explanations.explain(measured, recipe, model, result.model(), plan);

        Path dir = folder.path();
        Optional<JavaOutput> generated = java;
        String lock = Locking.text(recipe, inputs.get(), model.graph(), context);
        try {
            folder.publish(into -> {
                writeAll(into, result.model(), weights, report, generated);
                Files.writeString(into.resolve(LockFile.FILE_NAME), lock, StandardCharsets.UTF_8);
            });
        } catch (IOException e) {
            err.println("error: cannot write `" + dir + "`: " + e.getMessage());
            err.flush();
            return ExitCode.INPUT_ERROR;
        }
        out.print(json ? report.toJson() : report.renderText(true) + "\nwrote " + dir + "\n");
        out.flush();
        return Reporting.finish(diagnostics, err);
    }

    /**
     * A pass's refusal of a layer, which only the pass could see; nothing has been written. It points at the
     * statement that set the pass's method for that layer.
     */
    private static Diagnostic refusal(Recipe recipe, PassContext context, Pipeline.Refusal e) {
        SourceSpan at = e.layer().flatMap(layer -> context.settings(e.pass().family(), layer))
                .flatMap(s -> s.get("method").flatMap(Setting::origin))
                .or(() -> recipe.passes().stream().filter(r -> r.kind() == e.pass().family()).findFirst()
                        .map(PassRequest::span))
                .orElse(recipe.span());
        return Diagnostic.of(DiagnosticCode.IMPOSSIBLE_FOR_LAYER, recipe.file(), at,
                "`" + e.pass().name() + "` cannot apply: " + e.getMessage());
    }

    private static CompileReport.Confusion confusion(Evaluation.Result run, LabeledImages test) {
        int classes = 0;
        int[] labels = new int[test.count()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = test.label(i);
            classes = Math.max(classes, Math.max(labels[i], run.predictions()[i]) + 1);
        }
        return CompileReport.Confusion.of(classes, labels, run.predictions());
    }

    private static Evaluation.Result evaluate(Model model, RecipeData data, int threads, boolean keepLogits) {
        try (Executor executor = Executor.create(model.graph(), threads)) {
            return Evaluation.evaluate(executor, data.test(), data.pre(), 100, keepLogits);
        }
    }

    /**
     * Whether the emitter can translate every operator and attribute of the original model: checked before any heavy
     * work, so only a representation chosen by a pass can still be refused after the passes.
     */
    private static boolean javaTranslatable(Recipe recipe, Model model, Diagnostics diagnostics) {
        EmitSpec emit = recipe.emit().get();
        try {
            JavaEmitter.emit(model.graph(), emit.settings().text("package"), emit.settings().text("class"));
            return true;
        } catch (UnsupportedModelException e) {
            diagnostics.report(Diagnostic.of(DiagnosticCode.NOT_AVAILABLE, recipe.file(), emit.span(),
                    "`emit java` cannot translate " + recipe.model().getFileName() + ": " + e.getMessage()));
            return false;
        }
    }

    /** The output folder's files (written into the hidden folder {@link OutputFolder} swaps in). */
    private static void writeAll(Path dir, Model model, byte[] weights, CompileReport report,
            Optional<JavaOutput> java) throws IOException {
        Files.write(dir.resolve("model.onnx"), OnnxExporter.toBytes(model));
        // The compressed weights as generated code will load them (docs/format.md).
        Files.write(dir.resolve("weights.tamp"), weights);
        Files.writeString(dir.resolve("report.txt"), report.renderText(false), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.json"), report.toJson(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.md"), MarkdownReport.render(report), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(report), StandardCharsets.UTF_8);
        // The charts as files too, for report.md.
        Files.writeString(dir.resolve("bytes.svg"), HtmlReport.bytesChart(report.rows()) + "\n",
                StandardCharsets.UTF_8);
        if (!report.frontier().isEmpty()) {
            Files.writeString(dir.resolve("frontier.svg"), HtmlReport.frontierChart(report) + "\n",
                    StandardCharsets.UTF_8);
        }
        if (java.isPresent()) {
            Path source = dir.resolve("java").resolve(java.get().sourcePath());
            Files.createDirectories(source.getParent());
            Files.write(source, java.get().sourceBytes());
            if (java.get().simdSource() != null) {
                Files.write(dir.resolve("java").resolve(java.get().simdSourcePath()), java.get().simdSourceBytes());
            }
        }
    }
}
