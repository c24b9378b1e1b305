package dev.tamp.optimizer.train;

import java.util.Arrays;

/**
 * The tensors of one forward and backward pass, by slot: value, shape and (during the backward pass) the gradient
 * of the loss with respect to it. Gradients are allocated on first use and then accumulated into, so a tensor read by
 * several layers (a residual branch) receives the sum of their contributions.
 */
final class Activations {
    final float[][] values;
    final int[][] shapes;
    final float[][] grads;

    Activations(int slots) {
        values = new float[slots][];
        shapes = new int[slots][];
        grads = new float[slots][];
    }

    void set(int slot, float[] value, int[] shape) {
        values[slot] = value;
        shapes[slot] = shape;
    }

    /** The gradient of a slot, allocated as zeros on first use. */
    float[] grad(int slot) {
        if (grads[slot] == null) {
            grads[slot] = new float[values[slot].length];
        }
        return grads[slot];
    }

    /**
     * Passes a gradient through unchanged (a reshape): shares the array when the slot has none yet. Safe because
     * layers run backwards in reverse topological order, so nobody reads {@code gradient}'s own slot afterwards.
     */
    void addGrad(int slot, float[] gradient) {
        if (grads[slot] == null) {
            grads[slot] = gradient;
        } else {
            float[] g = grads[slot];
            for (int i = 0; i < g.length; i++) {
                g[i] += gradient[i];
            }
        }
    }

    void clearGrads() {
        Arrays.fill(grads, null);
    }
}
