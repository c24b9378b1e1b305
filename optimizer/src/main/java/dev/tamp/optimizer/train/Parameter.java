package dev.tamp.optimizer.train;

import java.util.Objects;

/**
 * One array the optimizer updates, with the gradient of the loss with respect to it. The arrays are owned by the
 * {@link TrainableWeight} that created them; the optimizer writes {@code value} in place.
 *
 * @param name for reports and optimizer state, e.g. {@code fc1.weight/centroids}
 * @param rate the learning rate of this parameter relative to the run's (1 for the model's weights; a mixture prior's
 *     means, variances and proportions learn at their own pace, as Ullrich et al. 2017 train them)
 */
public record Parameter(String name, float[] value, float[] grad, double rate) {
    public Parameter {
        Objects.requireNonNull(name, "name");
        if (value.length != grad.length) {
            throw new IllegalArgumentException(name + ": " + value.length + " values but " + grad.length + " gradients");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException(name + ": relative learning rate must be positive, got " + rate);
        }
    }

    /** A parameter learning at the run's rate. */
    public Parameter(String name, float[] value, float[] grad) {
        this(name, value, grad, 1);
    }

    public int size() {
        return value.length;
    }

    /** Adds gradients summed in double (shared values: a bucket or centroid collects many members) to {@link #grad}. */
    public void addGradient(double[] sums) {
        for (int j = 0; j < sums.length; j++) {
            grad[j] += (float) sums[j];
        }
    }
}
