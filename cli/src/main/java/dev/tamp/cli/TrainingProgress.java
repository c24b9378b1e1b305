package dev.tamp.cli;

import dev.tamp.optimizer.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Fine-tuning progress on stderr: on a terminal, one line rewritten in place every few steps (epoch, step, loss,
 * images per second, time left in the epoch); always one line per epoch, which is all a log file or CI gets.
 */
final class TrainingProgress implements TrainingListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int batch;
    private long lastDraw;

    TrainingProgress(PrintWriter err, boolean terminal, int batch) {
        this.err = err;
        this.terminal = terminal;
        this.batch = batch;
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
        double left = s.imagesPerSecond() > 0 ? (double) (s.totalSteps() - s.step()) * batch / s.imagesPerSecond() : 0;
        err.print(String.format(Locale.ROOT, "\r  epoch %d: step %d/%d, loss %.4f, %,.0f images/s, %s left   ",
                s.epoch(), s.step(), s.totalSteps(), s.loss(), s.imagesPerSecond(), duration(left)));
        err.flush();
    }

    @Override
    public void onEpoch(Epoch e) {
        err.print(String.format(Locale.ROOT, "%s  epoch %d/%d: mean loss %.4f, %,.0f images/s, %s%n",
                terminal ? "\r" : "", e.epoch(), e.epochs(), e.meanLoss(), e.imagesPerSecond(),
                duration(e.seconds())));
        err.flush();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }
}
