package dev.tamp.optimizer.train;

/**
 * Receives the progress of a training run; the engine itself never prints. Called on the training thread, so a
 * listener should return quickly.
 */
public interface TrainingListener {
    /**
     * After each optimizer step.
     *
     * @param epoch 1-based epoch
     * @param step 1-based step over the whole run, out of {@code totalSteps}
     * @param loss the mean loss of this step's mini-batch (before the step), regularization terms included
     * @param imagesPerSecond images trained per second of wall time since the epoch began
     */
    record Step(int epoch, int step, int totalSteps, double loss, double learningRate, double imagesPerSecond) {}

    /** After each epoch (or the part of one that a fractional epoch count runs). */
    record Epoch(int epoch, int epochs, int steps, double meanLoss, double imagesPerSecond, double seconds) {}

    default void onStep(Step step) {}

    default void onEpoch(Epoch epoch) {}

    /**
     * After each epoch, with the model as trained so far, for a listener that measures it (the command line shows
     * validation accuracy); reading {@code trained} changes nothing. By default {@link #onEpoch(Epoch)}.
     */
    default void onEpoch(Epoch epoch, java.util.function.Supplier<dev.tamp.model.ir.Graph> trained) {
        onEpoch(epoch);
    }

    /**
     * Polled before every step: returning true stops training cleanly after the last completed step, and the trainer
     * returns the graph as trained so far (every representation consistent). For Ctrl-C handling.
     */
    default boolean stopRequested() {
        return false;
    }

    static TrainingListener none() {
        return new TrainingListener() {};
    }
}
