package dev.tamp.optimizer.train;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Parallelism;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A weight being trained through its representation. Layers read the dense weight {@link #dense()} and add the
 * gradient of the loss with respect to it into {@link #denseGrad()}; this class maps that gradient onto the
 * representation's own parameters (the chain rule through {@code materialize()}), lets the optimizer update them,
 * re-imposes the representation's constraints and recomputes the dense weight.
 *
 * <p>This is the hook for new representations: subclass it, expose the trainable arrays as {@link #parameters()},
 * and implement {@link #pullGradient}, {@link #afterStep} and {@link #toRepresentation()}. {@link #of} builds the
 * standard ones: dense, sparse (masked), codebook and sparse codebook (centroids only), factored (U and V),
 * affine-quantized, binary and ternary (float shadows through a straight-through estimator, {@link QuantizedWeight}),
 * hashed (the buckets) and circulant or block-circulant (the defining vectors, through FFTs: {@link CirculantWeight}).
 */
public abstract class TrainableWeight {
    private final String name;
    private final int[] dims;
    private final float[] dense;
    private final float[] denseGrad;

    protected TrainableWeight(String name, int[] dims, float[] dense) {
        this.name = name;
        this.dims = dims.clone();
        this.dense = dense;
        this.denseGrad = new float[dense.length];
    }

    public final String name() {
        return name;
    }

    public final int[] dims() {
        return dims.clone();
    }

    /** The dense weight the layers compute with; valid after construction and after every {@link #afterStep}. */
    public final float[] dense() {
        return dense;
    }

    /** Where layers accumulate dLoss/dW for the dense weight. */
    public final float[] denseGrad() {
        return denseGrad;
    }

    /** The arrays the optimizer updates, in a fixed order. */
    public abstract List<Parameter> parameters();

    /** Adds the gradient with respect to the parameters, derived from {@link #denseGrad()}, to their gradients. */
    public abstract void pullGradient(Parallelism par);

    /** After an optimizer step: re-imposes the constraints on the parameters and recomputes {@link #dense()}. */
    public abstract void afterStep(Parallelism par);

    /** The representation of the same kind and structure as the original, holding the trained parameters. */
    public abstract Representation toRepresentation();

    /** Clears the dense gradient and the parameters' gradients before a backward pass. */
    public void zeroGrad() {
        java.util.Arrays.fill(denseGrad, 0f);
        for (Parameter p : parameters()) {
            if (p.grad() != denseGrad) {
                java.util.Arrays.fill(p.grad(), 0f);
            }
        }
    }

    /**
     * The standard trainable form of a weight read by {@code node}; refuses what cannot be trained (a Huffman-coded
     * weight: coding comes after fine-tuning; integer tensors), naming the node and the reason.
     */
    public static TrainableWeight of(Node node, Weight weight) {
        return of(node, weight, null);
    }

    /**
     * The standard trainable forms, where a quantized weight's straight-through shadows start at the float weights
     * its quantizer rounded, {@code floats} by weight name (see {@link QuantizedWeight}); others as {@link #of(Node,
     * Weight)}.
     */
    public static BiFunction<Node, Weight, TrainableWeight> withFloats(Map<String, float[]> floats) {
        Map<String, float[]> copy = Map.copyOf(floats);
        return (node, weight) -> of(node, weight, copy.get(weight.name()));
    }

    private static TrainableWeight of(Node node, Weight weight, float[] floats) {
        Representation r = weight.representation();
        if (r.dataType() != DataType.FLOAT) {
            throw ConvGeometry.refuse(node, "weight " + weight.name() + " is " + r.dataType() + ", not float32");
        }
        if (r instanceof Dense d) {
            return new DenseWeight(weight.name(), d);
        } else if (r instanceof Sparse s) {
            return MaskedWeight.ofSparse(weight.name(), s);
        } else if (r instanceof Codebook c) {
            return QuantizedWeight.isBinaryCodebook(c) ? QuantizedWeight.ofBinaryCodebook(weight.name(), c, floats)
                    : CodebookWeight.ofCodebook(weight.name(), c);
        } else if (r instanceof SparseCodebook c) {
            return CodebookWeight.ofSparseCodebook(weight.name(), c);
        } else if (r instanceof Factored f) {
            return new FactoredWeight(weight.name(), f);
        } else if (r instanceof AffineQuantized q) {
            return QuantizedWeight.of(weight.name(), q, floats);
        } else if (r instanceof Hashed h) {
            return new HashedWeight(weight.name(), h);
        } else if (r instanceof Circulant c) {
            return CirculantWeight.ofCirculant(weight.name(), c);
        } else if (r instanceof BlockCirculant c) {
            return CirculantWeight.ofBlockCirculant(weight.name(), c);
        }
        throw ConvGeometry.refuse(node, "weight " + weight.name() + " is stored as " + r.kind() + " ("
                + r.getClass().getSimpleName() + "), which is not trained: entropy coding comes after fine-tuning");
    }
}
