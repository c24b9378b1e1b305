package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ops.Parallelism;
import java.util.List;

/** A dense float weight, trained element by element: its one parameter is the dense array itself. */
public final class DenseWeight extends TrainableWeight {
    private final Parameter parameter;

    public DenseWeight(String name, Dense weight) {
        super(name, weight.dims(), weight.materialize().floats().clone());
        this.parameter = new Parameter(name, dense(), denseGrad());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(parameter);
    }

    @Override
    public void pullGradient(Parallelism par) {
        // The parameter's gradient is the dense gradient itself.
    }

    @Override
    public void afterStep(Parallelism par) {
        // The optimizer wrote the dense weight in place.
    }

    @Override
    public Representation toRepresentation() {
        return new Dense(Tensor.ofFloats(dims(), dense().clone()));
    }
}
