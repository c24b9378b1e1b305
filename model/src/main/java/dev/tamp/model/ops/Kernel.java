package dev.tamp.model.ops;

import dev.tamp.model.ir.Tensor;

/** A prepared node: computes its outputs from its inputs (null for omitted optional inputs). */
@FunctionalInterface
public interface Kernel {
    Tensor[] run(Tensor[] inputs, Parallelism parallelism);
}
