package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Node;
import dev.tamp.model.ops.Parallelism;

/**
 * One node of a {@link TrainableGraph}: computes its output slot from its input slots, and in the backward pass adds
 * the gradients with respect to its inputs (those that need one) and its trainable weights.
 */
interface Layer {
    Node node();

    void forward(Activations a, Parallelism par);

    /** Called only when the output has a gradient; {@code needsGrad[slot]} says which inputs want one. */
    void backward(Activations a, boolean[] needsGrad, Parallelism par);

    /** The trainable weights this layer reads, in input order. */
    default java.util.List<TrainableWeight> weights() {
        return java.util.List.of();
    }

    /** Input slots. */
    int[] inputs();

    int output();

    /** A layer with one input slot {@code in} and its output slot {@code out}. */
    interface Unary extends Layer {
        int in();

        int out();

        @Override
        default int[] inputs() {
            return new int[] {in()};
        }

        @Override
        default int output() {
            return out();
        }
    }
}
