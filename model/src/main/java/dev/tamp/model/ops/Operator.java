package dev.tamp.model.ops;

import java.util.List;

/**
 * One ONNX operator: how it checks a node and infers output types, how it runs, and what it costs. Implementations
 * hold no state; everything per node lives in the prepared {@link Kernel}.
 */
public interface Operator {
    /**
     * Checks the node's attributes and input types against this implementation and returns the output types.
     *
     * @param inputs one entry per node input, {@code null} for omitted optional inputs
     * @throws UnsupportedFeatureException when the node needs a feature tamp does not implement
     * @throws IllegalArgumentException when the node is invalid ONNX
     */
    List<TensorType> infer(NodeContext ctx, List<TensorType> inputs);

    /** Builds the executable form of a node that {@link #infer} accepted. */
    Kernel prepare(NodeContext ctx);

    /** Multiply-accumulate operations the node performs for these input and output types. */
    default long macs(NodeContext ctx, List<TensorType> inputs, List<TensorType> outputs) {
        return 0;
    }
}
