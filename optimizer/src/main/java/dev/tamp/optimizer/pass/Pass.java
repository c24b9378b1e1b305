package dev.tamp.optimizer.pass;

import dev.tamp.model.ir.Model;

/**
 * A compression pass: metadata plus a function from model to model. Implementations hold no mutable state, count
 * into the context's statistics, give the same result for the same seed, and return their input unchanged when no
 * layer asks for them.
 */
public interface Pass {
    PassInfo info();

    Model apply(Model model, PassContext context);
}
