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
 * {@code plan.txt}, {@code plan.json} and {@code frontier.svg} into the output folder; writes no model.
 */
@Command(name = "plan", description = "Choose each layer's compression under the recipe's budgets and explain it (dry run).")
final class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE", description = "A .recipe file.")
    Path recipeFile;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Folder for plan.txt, plan.json and frontier.svg (default: tamp-out/<recipe name>).")
    Path output;

    @Option(names = "--images", defaultValue = "1000",
            description = "Validation images scoring each candidate (default 1000).")
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
        Optional<Plan> plan = plan(recipe, loaded.get(), images, threads, Optional.empty(), diagnostics,
                Reporting.progress(err, quiet));
        if (plan.isEmpty()) {
            return Reporting.finish(diagnostics, err);
        }
        Path dir = output != null ? output : Path.of("tamp-out", recipe.name());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("plan.txt"), plan.get().renderText(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("plan.json"), plan.get().toJson(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("frontier.svg"), FrontierSvg.render(plan.get()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("error: cannot write `" + dir + "`: " + e.getMessage());
            err.flush();
            return ExitCode.INPUT_ERROR;
        }
        out.print(json ? plan.get().toJson() : plan.get().renderText() + "wrote " + dir.resolve("plan.txt") + ", "
                + dir.resolve("plan.json") + ", " + dir.resolve("frontier.svg") + "\n");
        out.flush();
        return Reporting.finish(diagnostics, err);
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
