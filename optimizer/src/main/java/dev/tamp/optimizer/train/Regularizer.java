package dev.tamp.optimizer.train;

import dev.tamp.model.ops.Parallelism;
import java.util.List;

/**
 * A term added to the training objective over one weight ({@code regularize} in a recipe): after each backward pass
 * the trainer asks it for its value and gradient, which it adds to the weight's {@link TrainableWeight#denseGrad()}
 * before that gradient is mapped onto the representation's parameters (so a pruned element's share is dropped like
 * the loss's). The value is reported as part of the step's loss.
 */
public sealed interface Regularizer permits L1Penalty, GroupLassoPenalty, MixturePrior {
    /** The weight the term is over. */
    TrainableWeight weight();

    /** The term's own parameters, trained by the same optimizer (a mixture prior's); none by default. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Adds the term's gradient with respect to the weight's current dense values to its dense gradient, and with
     * respect to the term's own parameters to theirs; returns the term's value. Results do not depend on the thread
     * count.
     */
    double addGradient(Parallelism par);
}
