package dev.tamp.cli;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostic;
import dev.tamp.compiler.diag.DiagnosticCode;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.model.data.DataLoadException;
import dev.tamp.model.ir.Model;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.lock.LockFile;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.Pipeline;
import dev.tamp.optimizer.pipeline.Preflight;
import dev.tamp.optimizer.plan.FrontierSvg;
import dev.tamp.optimizer.plan.Plan;
import dev.tamp.optimizer.plan.Planner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tamp plan RECIPE}: the planner's dry run. Chooses each layer's compression under the recipe's budgets,
 * applies it to measure (without fine-tuning), prints the per-layer table and the budgets, and writes
 * {@code plan.txt}, {@code plan.json}, {@code frontier.svg} and the {@code tamp.lock} that {@code tamp compile --lock}
 * replays into the output folder, replacing it as a whole or not at all; writes no model.
 */
@Command(name = "plan", description = "Choose each layer's compression under the recipe's budgets and explain it (dry run).")
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE", description = "A .recipe file.")
    Path recipeFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Folder for plan.txt, plan.json, frontier.svg and tamp.lock, replaced as a whole "
                    + "(default: tamp-out/<recipe name>).")
    Path output;

    @Option(names = "--images", defaultValue = "" + Planner.Options.IMAGES,
            description = "Validation images scoring each candidate (default " + Planner.Options.IMAGES + ").")
    int images;

    @Option(names = "--threads", defaultValue = "0",
            description = "Threads; 0 for one per core. Changes speed, never results.")
    int threads;

    @Option(names = "--json", description = "Print the plan as JSON instead of text.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no warnings on stderr, only errors.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = Reporting.errors(spec.commandLine().getErr(), quiet);
        if (threads < 0 || images < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 0, --images >= 1");
        }
        Diagnostics diagnostics = new Diagnostics();
        Frontend frontend = new Frontend(diagnostics);
        var checked = frontend.check(recipeFile, recipeFile.toString());
        if (diagnostics.hasErrors() || checked.isEmpty()) {
            return Reporting.finish(diagnostics, err);
        }
        if (checked.get().declared().recipes().size() != 1) {
            err.println("error: " + recipeFile + " declares no recipe; `tamp plan` takes a .recipe file");
            err.flush();
            return ExitCode.INPUT_ERROR;
        }
        Recipe recipe = checked.get().declared().recipes().get(0);
        Optional<Model> loaded = frontend.model(recipe);
        if (loaded.isEmpty()) {
            return Reporting.finish(diagnostics, err);
        }
        if (!Preflight.check(recipe, PassContext.forRecipe(recipe, loaded.get().graph()), diagnostics::report)) {
            return Reporting.finish(diagnostics, err);
        }
        Optional<List<LockFile.Input>> inputs = Locking.inputs(recipe, err);
        if (inputs.isEmpty()) {
            return ExitCode.INPUT_ERROR;
        }
        Path dir = output != null ? output : Path.of("tamp-out", recipe.name());
        try (OutputFolder folder = OutputFolder.open(dir, err)) {
            Optional<Plan> plan = plan(recipe, loaded.get(), images, threads, Optional.empty(), diagnostics,
                    Reporting.progress(err, quiet));
            if (plan.isEmpty()) {
                return Reporting.finish(diagnostics, err);
            }
            LockFile lock = Locking.lock(recipe, inputs.get(), loaded.get().graph(), plan.get().layers());
            // The table, then the chosen pipeline as `tamp compile --lock` runs it.
            String text = plan.get().renderText() + "pipeline (" + LockFile.FILE_NAME + "):\n" + lock.renderPipeline();
            try {
                folder.publish(into -> {
                    Files.writeString(into.resolve("plan.txt"), text, StandardCharsets.UTF_8);
                    Files.writeString(into.resolve("plan.json"), plan.get().toJson(), StandardCharsets.UTF_8);
                    Files.writeString(into.resolve("frontier.svg"), FrontierSvg.render(plan.get()),
                            StandardCharsets.UTF_8);
                    Files.writeString(into.resolve(LockFile.FILE_NAME), lock.render(), StandardCharsets.UTF_8);
                });
            } catch (IOException e) {
                err.println("error: cannot write `" + dir + "`: " + e.getMessage());
                err.flush();
                return ExitCode.INPUT_ERROR;
            }
            out.print(json ? plan.get().toJson() : text + "wrote " + dir.resolve("plan.txt")
                    + ", " + dir.resolve("plan.json") + ", " + dir.resolve("frontier.svg") + ", "
                    + dir.resolve(LockFile.FILE_NAME) + "\n");
            out.flush();
            return Reporting.finish(diagnostics, err);
        }
    }

    /**
     * Plans the recipe, reporting progress on stderr and budgets out of reach as diagnostics; empty when the plan
     * could not be made (the problems are in {@code diagnostics}). Shared with {@code tamp compile}.
     */
    static Optional<Plan> plan(Recipe recipe, Model model, int images, int threads,
            Optional<dev.tamp.optimizer.pipeline.Finetuning> finetuning, Diagnostics diagnostics, PrintWriter err) {
        if (recipe.data().isEmpty()) {
            diagnostics.report(Diagnostic.of(DiagnosticCode.NEEDS_DATA, recipe.file(), recipe.span(),
                    "the planner scores candidates on validation images, and the recipe has no `data`")
                    .withHint("add a `data` statement with a `validation` split"));
            return Optional.empty();
        }
        RecipeData data;
        try {
            data = RecipeData.load(recipe.data().get(), recipe.seed());
        } catch (DataLoadException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            diagnostics.report(Diagnostic.of(DiagnosticCode.FILE_NOT_FOUND, recipe.file(), recipe.data().get().span(),
                    e.getMessage()));
            return Optional.empty();
        }
        int workers = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        long t0 = System.nanoTime();
        int[] lastShown = {-1};
        // Progress and timing only for a person watching: piped stderr stays deterministic.
        boolean show = System.console() != null;
        Planner planner = new Planner(recipe, model, data, new Planner.Options(images, workers, 4),
                g -> WeightsFile.write(g).length, finetuning, (phase, done, total) -> {
                    int percent = total == 0 ? 100 : 100 * done / total;
                    synchronized (lastShown) {
                        if (show && phase.equals("sensitivity") && percent / 10 > lastShown[0] / 10) {
                            lastShown[0] = percent;
                            // Time left at the pace so far: candidates cost about the same.
                            double elapsed = (System.nanoTime() - t0) / 1e9;
                            err.println("planning: sensitivity " + done + "/" + total + (done == 0 || done == total
                                    ? "" : String.format(Locale.ROOT, ", about %.0f s left",
                                            elapsed * (total - done) / done)));
                            err.flush();
                        }
                    }
                });
        // On this machine, a latency budget is held to the generated code's measured time (docs/planner.md).
        MeasuredLatency.forRecipe(recipe, data).ifPresent(planner::measuringLatency);
        Plan plan;
        try {
            plan = planner.plan();
        } catch (Pipeline.Refusal e) {
            diagnostics.report(Diagnostic.of(DiagnosticCode.IMPOSSIBLE_FOR_LAYER, recipe.file(), recipe.span(),
                    "`" + e.pass().name() + "` cannot apply: " + e.getMessage()));
            return Optional.empty();
        }
        if (show) {
            err.printf("planning took %.1f s%n", (System.nanoTime() - t0) / 1e9);
            err.flush();
        }
        plan.problems().forEach(diagnostics::report);
        return plan.rows().isEmpty() ? Optional.empty() : Optional.of(plan);
    }
}
