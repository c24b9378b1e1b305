package dev.tamp.optimizer.pipeline;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.PassRequest;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.compiler.ir.Setting;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.optimizer.pass.PassInfo;
import dev.tamp.optimizer.train.LearningRateSchedule;
import dev.tamp.optimizer.train.TrainingListener;
import dev.tamp.optimizer.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The recipe's {@code finetune} (and {@code distill}) statements as the pipeline runs them: after each stage that
 * loses accuracy (the structural, structure, factorization, pruning and hashing passes; then quantization), the
 * model is retrained for the statement's epochs with every compressed representation kept intact (masks stay zero,
 * k-means centroids move with the sum of their members' gradients, factors train as two layers, integer codes follow
 * straight-through shadows, hash buckets and circulant vectors train as themselves; see {@code TrainableWeight}), as
 * Deep Compression retrains after pruning and again after sharing. Entropy coding is lossless and comes after.
 *
 * @param images the training images (the recipe's training split)
 * @param listener progress, per step and epoch
 */
public record Finetuning(TrainingOptions options, LabeledImages images, Preprocessing pre, TrainingListener listener) {

    /** How a fine-tuning run appears among the pipeline's passes (progress lines and the report). */
    static PassInfo info(TrainingOptions options) {
        return new PassInfo("finetune", "Retrain with every compressed representation kept intact.", PassKind.FINETUNE,
                options.optimizer().name().toLowerCase(java.util.Locale.ROOT), List.of(), List.of("images-seen",
                        "steps"));
    }

    /**
     * The training options of the recipe's {@code finetune} statement, with its {@code distill} teacher ({@code
     * original}: the model before compression, else loaded by {@code loadTeacher} from a path relative to the
     * recipe); empty without {@code finetune}.
     */
    public static Optional<TrainingOptions> options(Recipe recipe, Graph original, Function<Path, Graph> loadTeacher,
            int threads) {
        Optional<Settings> finetune = statement(recipe, PassKind.FINETUNE);
        if (finetune.isEmpty()) {
            return Optional.empty();
        }
        Settings s = finetune.get();
        TrainingOptions options = new TrainingOptions(s.number("epochs"),
                s.word("optimizer").equals("sgd") ? TrainingOptions.OptimizerKind.SGD : TrainingOptions.OptimizerKind.ADAM,
                s.number("lr"), s.number("momentum"), s.number("weight-decay"), schedule(s.word("schedule")),
                s.number("step"), s.number("gamma"), (int) s.number("batch"), recipe.seed(), threads,
                Optional.empty());
        Optional<Settings> distill = statement(recipe, PassKind.DISTILL);
        if (distill.isPresent()) {
            Settings d = distill.get();
            Setting teacher = d.get("teacher").orElseThrow();
            Graph graph = teacher instanceof Setting.Text path
                    ? loadTeacher.apply(recipe.file().path().resolveSibling(path.text()))
                    : original;
            options = options.withDistillation(new TrainingOptions.Distillation(graph, d.number("temperature"),
                    d.number("weight")));
        }
        return Optional.of(options);
    }

    /** The distill statement's teacher file, when it names one rather than {@code original}. */
    public static Optional<Path> teacherFile(Recipe recipe) {
        return statement(recipe, PassKind.DISTILL).flatMap(d -> d.get("teacher"))
                .filter(t -> t instanceof Setting.Text)
                .map(t -> recipe.file().path().resolveSibling(((Setting.Text) t).text()));
    }

    private static Optional<Settings> statement(Recipe recipe, PassKind kind) {
        return recipe.passes().stream().filter(r -> r.kind() == kind).map(PassRequest::settings).findFirst();
    }

    private static LearningRateSchedule.Kind schedule(String word) {
        return switch (word) {
            case "constant" -> LearningRateSchedule.Kind.CONSTANT;
            case "step" -> LearningRateSchedule.Kind.STEP;
            default -> LearningRateSchedule.Kind.COSINE;
        };
    }
}
