package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ops.Parallelism;
import java.util.List;

/**
 * A hashed weight (HashedNets, Chen et al. 2015), {@code w_k = sign(k) * bucket[h(k)]}, trained through its table:
 * {@code dL/dbucket_j = sum over k with h(k) = j of sign(k) dL/dw_k}, as the paper back-propagates. The hash, its seed,
 * the sign hash and the table size never change.
 */
public final class HashedWeight extends TrainableWeight {
    private final Hashed original;
    private final int[] bucketOf;
    private final float[] signOf;
    private final Parameter buckets;

    public HashedWeight(String name, Hashed h) {
        super(name, h.dims(), new float[Math.toIntExact(dev.tamp.model.ir.Tensor.elementCount(h.dims()))]);
        this.original = h;
        int n = dense().length;
        // The hashes are recomputed once here rather than per step: two 64-bit mixes per element.
        this.bucketOf = new int[n];
        this.signOf = new float[n];
        for (int k = 0; k < n; k++) {
            bucketOf[k] = h.bucket(k);
            signOf[k] = h.sign(k);
        }
        float[] table = h.buckets();
        this.buckets = new Parameter(name + "/buckets", table, new float[table.length]);
        materialize();
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(buckets);
    }

    @Override
    public void pullGradient(Parallelism par) {
        // Summed in double: a bucket collects n / B elements, thousands in a large layer.
        double[] sums = new double[buckets.size()];
        float[] g = denseGrad();
        for (int k = 0; k < g.length; k++) {
            sums[bucketOf[k]] += signOf[k] * g[k];
        }
        buckets.addGradient(sums);
    }

    @Override
    public void afterStep(Parallelism par) {
        materialize();
    }

    /** {@code sign(k) * bucket[h(k)]}, as {@link Hashed#materialize()} computes it. */
    private void materialize() {
        float[] w = dense();
        float[] table = buckets.value();
        for (int k = 0; k < w.length; k++) {
            w[k] = signOf[k] * table[bucketOf[k]];
        }
    }

    @Override
    public Representation toRepresentation() {
        return new Hashed(original.dims(), original.seed(), original.signHash(), buckets.value().clone());
    }
}
