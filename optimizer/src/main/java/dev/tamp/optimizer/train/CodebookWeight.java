package dev.tamp.optimizer.train;

import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ops.Parallelism;
import java.util.List;
import java.util.function.Function;

/**
 * A weight-shared weight (Deep Compression): every element is a centroid, the assignments never change, and only the
 * centroids are trained, each with the sum of its members' gradients (dL/dc_j = sum over k with index j of dL/dW_k).
 * Pruned positions of a sparse codebook have no centroid and stay zero.
 */
public final class CodebookWeight extends TrainableWeight {
    private final int[] positions;
    private final int[] indices;
    private final Parameter centroids;
    private final Function<float[], Representation> rebuild;

    private CodebookWeight(String name, int[] dims, int size, float[] centroids, int[] positions, int[] indices,
            Function<float[], Representation> rebuild) {
        super(name, dims, new float[size]);
        this.positions = positions;
        this.indices = indices;
        this.centroids = new Parameter(name + "/centroids", centroids.clone(), new float[centroids.length]);
        this.rebuild = rebuild;
        materialize();
    }

    public static CodebookWeight ofCodebook(String name, Codebook c) {
        int[] indices = c.indices();
        int[] positions = new int[indices.length];
        for (int k = 0; k < positions.length; k++) {
            positions[k] = k;
        }
        int[] dims = c.dims();
        int bits = c.bits();
        return new CodebookWeight(name, dims, indices.length, c.centroids(), positions, indices,
                cs -> new Codebook(dims, bits, cs, indices));
    }

    public static CodebookWeight ofSparseCodebook(String name, SparseCodebook c) {
        int[] dims = c.dims();
        int indexBits = c.indexBits();
        int bits = c.bits();
        int[] positions = c.positions();
        int[] indices = c.indices();
        int size = Math.toIntExact(dev.tamp.model.ir.Tensor.elementCount(dims));
        return new CodebookWeight(name, dims, size, c.centroids(), positions, indices,
                cs -> new SparseCodebook(dims, indexBits, bits, cs, positions, indices));
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(centroids);
    }

    @Override
    public void pullGradient(Parallelism par) {
        // Summed in double: a centroid can have hundreds of thousands of members, and float sums of that length
        // lose several digits.
        double[] sums = new double[centroids.size()];
        float[] g = denseGrad();
        for (int k = 0; k < positions.length; k++) {
            sums[indices[k]] += g[positions[k]];
        }
        centroids.addGradient(sums);
    }

    @Override
    public void afterStep(Parallelism par) {
        materialize();
    }

    private void materialize() {
        float[] w = dense();
        float[] c = centroids.value();
        for (int k = 0; k < positions.length; k++) {
            w[positions[k]] = c[indices[k]];
        }
    }

    @Override
    public Representation toRepresentation() {
        return rebuild.apply(centroids.value().clone());
    }
}
