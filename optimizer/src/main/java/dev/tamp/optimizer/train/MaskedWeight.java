package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ops.Parallelism;
import java.util.List;
import java.util.function.Function;

/**
 * A weight whose pruned elements stay exactly zero: the gradient of a pruned element is dropped before the optimizer
 * sees it, and the element is zeroed again after every step (so neither weight decay nor momentum can revive it).
 */
public final class MaskedWeight extends TrainableWeight {
    private final boolean[] keep;
    private final Parameter parameter;
    private final Function<float[], Representation> rebuild;

    /**
     * @param keep which elements are trained; the others are zero from the start
     * @param rebuild the representation holding the trained dense elements
     */
    public MaskedWeight(String name, int[] dims, float[] values, boolean[] keep,
            Function<float[], Representation> rebuild) {
        super(name, dims, values.clone());
        if (keep.length != values.length) {
            throw new IllegalArgumentException(name + ": mask of " + keep.length + " for " + values.length + " elements");
        }
        this.keep = keep.clone();
        this.rebuild = rebuild;
        this.parameter = new Parameter(name, dense(), denseGrad());
        applyMask(dense());
    }

    /** A sparse weight: its kept positions are trained, the rest stay zero, and it is rebuilt with the same ones. */
    public static MaskedWeight ofSparse(String name, Sparse sparse) {
        int[] positions = sparse.positions();
        boolean[] keep = new boolean[Math.toIntExact(Tensor.elementCount(sparse.dims()))];
        for (int p : positions) {
            keep[p] = true;
        }
        int[] dims = sparse.dims();
        int indexBits = sparse.indexBits();
        return new MaskedWeight(name, dims, sparse.materialize().floats(), keep, w -> {
            float[] values = new float[positions.length];
            for (int k = 0; k < positions.length; k++) {
                values[k] = w[positions[k]];
            }
            return new Sparse(dims, indexBits, positions, values);
        });
    }

    /** A dense weight trained with a mask: elements outside it become and stay zero; rebuilt dense. */
    public static MaskedWeight ofDense(String name, Tensor dense, boolean[] keep) {
        int[] dims = dense.shape();
        return new MaskedWeight(name, dims, dense.floats(), keep, w -> new Dense(Tensor.ofFloats(dims, w.clone())));
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(parameter);
    }

    @Override
    public void pullGradient(Parallelism par) {
        applyMask(denseGrad());
    }

    @Override
    public void afterStep(Parallelism par) {
        applyMask(dense());
    }

    private void applyMask(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!keep[i]) {
                a[i] = 0f;
            }
        }
    }

    @Override
    public Representation toRepresentation() {
        return rebuild.apply(dense());
    }
}
