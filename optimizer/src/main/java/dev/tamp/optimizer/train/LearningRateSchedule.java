package dev.tamp.optimizer.train;

/**
 * The learning rate at each optimizer step (0-based): constant; step (multiplied by {@code gamma} every {@code
 * interval} steps); or cosine from the initial rate to 0 over {@code totalSteps} (PyTorch's CosineAnnealingLR stepped
 * per batch with {@code T_max = totalSteps}, as the reference models were trained).
 */
public record LearningRateSchedule(Kind kind, double initial, int interval, double gamma, int totalSteps) {
    public enum Kind { CONSTANT, STEP, COSINE }

    public LearningRateSchedule {
        if (!(initial > 0) || interval < 1 || !(gamma > 0) || totalSteps < 1) {
            throw new IllegalArgumentException("need lr > 0, interval >= 1, gamma > 0 and totalSteps >= 1");
        }
    }

    public double at(int step) {
        return switch (kind) {
            case CONSTANT -> initial;
            case STEP -> initial * Math.pow(gamma, step / interval);
            case COSINE -> initial * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, totalSteps) / totalSteps));
        };
    }
}
