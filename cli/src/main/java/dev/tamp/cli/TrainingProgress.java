package dev.tamp.cli;

import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Graph;
import dev.tamp.optimizer.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Fine-tuning progress on stderr: on a terminal, one line rewritten in place every few steps (epoch, step, loss,
 * images per second, time left in this training run); always one line per epoch, which is all a log file or CI gets,
 * with the validation accuracy of the model as trained so far (on the first {@value #VALIDATION_IMAGES} validation
 * images) and the time the run still needs. Nothing is measured under {@code --quiet}.
 */
final class TrainingProgress implements TrainingListener {
    static final int VALIDATION_IMAGES = 1000;

    private final PrintWriter err;
    private final boolean terminal;
    private final int batch;
    private final LabeledImages validation;
    private final Preprocessing pre;
    private final int threads;
    private final boolean shown;
    private long lastDraw;

    /**
     * @param shown      false under {@code --quiet}: nothing printed, nothing measured
     * @param validation the images to score after each epoch (the first {@value #VALIDATION_IMAGES}); may be empty
     */
    TrainingProgress(PrintWriter err, boolean shown, boolean terminal, int batch, LabeledImages validation,
            Preprocessing pre, int threads) {
        this.err = err;
        this.shown = shown;
        this.terminal = terminal && shown;
        this.batch = batch;
        this.validation = validation.slice(0, Math.min(VALIDATION_IMAGES, validation.count()));
        this.pre = pre;
        this.threads = threads;
    }

    @Override
    public void onStep(Step s) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && s.step() != s.totalSteps()) {
            return;
        }
        lastDraw = now;
        err.print(String.format(Locale.ROOT, "\r  epoch %d: step %d/%d, loss %.4f, %,.0f images/s, %s left   ",
                s.epoch(), s.step(), s.totalSteps(), s.loss(), s.imagesPerSecond(),
                duration(left(s.totalSteps() - s.step(), s.imagesPerSecond()))));
        err.flush();
    }

    @Override
    public void onEpoch(Epoch e) {
        onEpoch(e, null);
    }

    @Override
    public void onEpoch(Epoch e, Supplier<Graph> trained) {
        if (!shown) {
            return;
        }
        String accuracy = "";
        if (trained != null && validation.count() > 0) {
            try (Executor executor = Executor.create(trained.get(), threads)) {
                accuracy = String.format(Locale.ROOT, ", validation %.2f %%",
                        100 * Evaluation.evaluate(executor, validation, pre, 100, false).accuracy());
            }
        }
        // Steps still to run in this training run: the epochs after this one, at this epoch's pace.
        int stepsLeft = (e.epochs() - e.epoch()) * e.steps();
        err.print(String.format(Locale.ROOT, "%s  epoch %d/%d: mean loss %.4f%s, %,.0f images/s, %s%s%n",
                terminal ? "\r" : "", e.epoch(), e.epochs(), e.meanLoss(), accuracy, e.imagesPerSecond(),
                duration(e.seconds()), stepsLeft > 0 ? ", about " + duration(left(stepsLeft, e.imagesPerSecond()))
                        + " left" : ""));
        err.flush();
    }

    private double left(int steps, double imagesPerSecond) {
        return imagesPerSecond > 0 ? (double) steps * batch / imagesPerSecond : 0;
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }
}
