package dev.tamp.optimizer.train;

import java.util.Objects;

/**
 * One array the optimizer updates, with the gradient of the loss with respect to it. The arrays are owned by the
 * {@link TrainableWeight} that created them; the optimizer writes {@code value} in place.
 *
 * @param name for reports and optimizer state, e.g. {@code fc1.weight/centroids}
 */
public record Parameter(String name, float[] value, float[] grad) {
    public Parameter {
        Objects.requireNonNull(name, "name");
        if (value.length != grad.length) {
            throw new IllegalArgumentException(name + ": " + value.length + " values but " + grad.length + " gradients");
        }
    }

    public int size() {
        return value.length;
    }
}
