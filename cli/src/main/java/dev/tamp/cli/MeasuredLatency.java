package dev.tamp.cli;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.codegen.java.GeneratedModel;
import dev.tamp.codegen.java.JavaBuild;
import dev.tamp.codegen.java.JavaOutput;
import dev.tamp.codegen.java.LatencyTimer;
import dev.tamp.codegen.java.UnsupportedModelException;
import dev.tamp.compiler.ir.EmitSpec;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.TargetSpec;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.plan.Planner;
import dev.tamp.optimizer.target.HostProbe;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The latency budget as the generated code meets it: each plan the planner applies is emitted as {@code emit java}
 * would emit it (with the SIMD class unless {@code simd off}), compiled, loaded with its weights file and timed at
 * batch 1 on validation images ({@link LatencyTimer}: a warm-up, then the median of 1-ms samples, so a machine as
 * loaded as this one is what the budget is held to). Only possible when the recipe's target is this machine: a
 * spec written by {@code tamp target probe} here (same CPU and core count).
 */
final class MeasuredLatency implements Planner.LatencyMeter {
    /** Validation images cycled through while timing. */
    static final int IMAGES = 64;

    private static final LatencyTimer TIMER = new LatencyTimer(1.0, 1.0);

    private final EmitSpec emit;
    private final float[][] inputs;

    private MeasuredLatency(EmitSpec emit, float[][] inputs) {
        this.emit = emit;
        this.inputs = inputs;
    }

    /**
     * The meter for a recipe with {@code emit java}, a latency budget and this machine as its target; empty
     * otherwise (the planner then says the latency is only predicted, and why).
     */
    static Optional<Planner.LatencyMeter> forRecipe(Recipe recipe, RecipeData data) {
        if (recipe.emit().isEmpty() || recipe.target().isEmpty() || !isHost(recipe.target().get())
                || recipe.budgets().stream().noneMatch(b -> b.metric().equals("latency"))
                || data.validation().count() == 0) {
            return Optional.empty();
        }
        int n = Math.min(IMAGES, data.validation().count());
        Tensor batch = data.pre().batch(data.validation(), 0, n);
        int per = batch.size() / n;
        float[][] inputs = new float[n][per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.floats(), i * per, inputs[i], 0, per);
        }
        return Optional.of(new MeasuredLatency(recipe.emit().get(), inputs));
    }

    /** Whether {@code target} describes this machine: its CPU and core count, on HotSpot (what probe writes). */
    static boolean isHost(TargetSpec target) {
        return target.runtime().equals("hotspot") && target.cores() == Runtime.getRuntime().availableProcessors()
                && target.settings().get("cpu").filter(s -> s instanceof Setting.Text t
                        && t.text().equals(HostProbe.cpu())).isPresent();
    }

    @Override
    public OptionalDouble seconds(Model model) {
        boolean simd = !emit.settings().word("simd").equals("off");
        GeneratedModel generated;
        try {
            JavaOutput java = JavaOutput.build(model.graph(), emit.settings().text("package"),
                    emit.settings().text("class"), simd);
            generated = java.load(WeightsFile.write(model.graph()));
        } catch (UnsupportedModelException | JavaBuild.BuildException | IOException e) {
            // `tamp compile` reports the same problem at `emit` when it builds the code to publish.
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(TIMER.time(generated, inputs).median());
    }
}
