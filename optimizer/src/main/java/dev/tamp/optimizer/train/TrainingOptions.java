package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Graph;
import java.util.Objects;
import java.util.Optional;

/**
 * How to fine-tune: the recipe's {@code finetune} options (see {@code Schemas.FINETUNE}), plus the seed, the thread
 * count and an optional {@code distill} teacher. Results are bit-identical for the same options, data and graph.
 *
 * @param epochs passes over the training images (fractions allowed: training stops after that share of steps)
 * @param stepEpochs interval of a {@code STEP} schedule, in epochs
 * @param threads worker threads (results depend on the count, through the order partial gradients are summed)
 */
public record TrainingOptions(double epochs, OptimizerKind optimizer, double lr, double momentum, double weightDecay,
        LearningRateSchedule.Kind schedule, double stepEpochs, double gamma, int batch, long seed, int threads,
        Optional<Distillation> distillation) {

    public enum OptimizerKind { SGD, ADAM }

    /**
     * Soft targets from a teacher graph at temperature T, mixed with the hard loss: the soft term gets {@code weight},
     * the hard one {@code 1 - weight} ({@code Schemas.DISTILL}).
     */
    public record Distillation(Graph teacher, double temperature, double weight) {
        public Distillation {
            Objects.requireNonNull(teacher, "teacher");
            if (!(temperature > 0) || !(weight >= 0 && weight <= 1)) {
                throw new IllegalArgumentException("need temperature > 0 and weight in [0, 1]");
            }
        }
    }

    public TrainingOptions {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(distillation, "distillation");
        if (!(epochs > 0) || !(lr > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)
                || !(stepEpochs > 0) || !(gamma > 0) || batch < 1 || threads < 1) {
            throw new IllegalArgumentException("invalid training options: " + epochsText(epochs) + " epochs, lr " + lr
                    + ", momentum " + momentum + ", weight decay " + weightDecay + ", step " + stepEpochs + ", gamma "
                    + gamma + ", batch " + batch + ", threads " + threads);
        }
    }

    private static String epochsText(double e) {
        return Double.toString(e);
    }

    /** The recipe defaults: 1 epoch of Adam at 1e-3, cosine schedule, batch 128; seed 42, one thread. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(1, OptimizerKind.ADAM, 1e-3, 0.9, 0, LearningRateSchedule.Kind.COSINE, 1, 0.1, 128,
                42, 1, Optional.empty());
    }

    public TrainingOptions withEpochs(double e) {
        return new TrainingOptions(e, optimizer, lr, momentum, weightDecay, schedule, stepEpochs, gamma, batch, seed,
                threads, distillation);
    }

    public TrainingOptions withOptimizer(OptimizerKind kind, double learningRate, double mom, double decay) {
        return new TrainingOptions(epochs, kind, learningRate, mom, decay, schedule, stepEpochs, gamma, batch, seed,
                threads, distillation);
    }

    public TrainingOptions withSchedule(LearningRateSchedule.Kind kind, double stepInEpochs, double factor) {
        return new TrainingOptions(epochs, optimizer, lr, momentum, weightDecay, kind, stepInEpochs, factor, batch,
                seed, threads, distillation);
    }

    public TrainingOptions withBatch(int size) {
        return new TrainingOptions(epochs, optimizer, lr, momentum, weightDecay, schedule, stepEpochs, gamma, size, seed,
                threads, distillation);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(epochs, optimizer, lr, momentum, weightDecay, schedule, stepEpochs, gamma, batch, s,
                threads, distillation);
    }

    public TrainingOptions withThreads(int t) {
        return new TrainingOptions(epochs, optimizer, lr, momentum, weightDecay, schedule, stepEpochs, gamma, batch, seed,
                t, distillation);
    }

    public TrainingOptions withDistillation(Distillation d) {
        return new TrainingOptions(epochs, optimizer, lr, momentum, weightDecay, schedule, stepEpochs, gamma, batch, seed,
                threads, Optional.of(d));
    }

    Optimizer newOptimizer() {
        return optimizer == OptimizerKind.SGD ? Optimizer.sgd(momentum, weightDecay) : Optimizer.adam(weightDecay);
    }
}
