package dev.tamp.codegen.java;

import dev.tamp.model.ops.Parallelism;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The generated model's outputs against the reference executor's on the same inputs: the largest absolute difference
 * of any output, on how many inputs the argmax agrees, and (with labels) how many the generated code classifies
 * correctly.
 *
 * @param inputs inputs compared
 * @param maxAbsDiff largest |generated − reference| over every output (NaN if either side produced one the other did
 *     not)
 * @param argmaxAgreement inputs whose largest output has the same index on both sides (first on ties)
 * @param correct inputs the generated code classifies as labelled ({@code -1} without labels)
 */
public record Verification(int inputs, double maxAbsDiff, int argmaxAgreement, int correct) {

    /** The argmax agrees on every input. */
    public boolean agreesEverywhere() {
        return argmaxAgreement == inputs;
    }

    /**
     * Runs {@code model} on every input on {@code threads} threads (the generated class is thread-safe) and compares
     * with {@code reference}, the executor's outputs row-major {@code [inputs, outputSize]}; {@code labels} may be
     * null.
     */
    public static Verification compare(GeneratedModel model, float[][] inputs, float[] reference, int[] labels,
            int threads) {
        int n = model.outputSize();
        if (reference.length != inputs.length * n) {
            throw new IllegalArgumentException("reference has " + reference.length + " outputs for " + inputs.length
                    + " inputs of " + n);
        }
        float[][] outputs = new float[inputs.length][];
        int workers = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            new Parallelism(pool, workers).forRange(inputs.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    outputs[i] = model.predict(inputs[i]);
                }
            });
        } finally {
            pool.shutdownNow();
        }
        return of(outputs, reference, labels);
    }

    /**
     * The comparison of {@code outputs} (one row per input, as {@code predict} returns them) with {@code reference}
     * (row-major, the same width); {@code labels} may be null.
     */
    public static Verification of(float[][] outputs, float[] reference, int[] labels) {
        int n = outputs.length == 0 ? 0 : outputs[0].length;
        double maxDiff = 0;
        int agree = 0;
        int correct = 0;
        for (int i = 0; i < outputs.length; i++) {
            float[] out = outputs[i];
            for (int c = 0; c < n; c++) {
                float r = reference[i * n + c];
                if (Float.isNaN(r) != Float.isNaN(out[c])) {
                    maxDiff = Double.NaN;
                } else if (!Double.isNaN(maxDiff) && !Float.isNaN(r)) {
                    maxDiff = Math.max(maxDiff, Math.abs(out[c] - r));
                }
            }
            int mine = argmax(out, 0, n);
            if (mine == argmax(reference, i * n, n)) {
                agree++;
            }
            if (labels != null && mine == labels[i]) {
                correct++;
            }
        }
        return new Verification(outputs.length, maxDiff, agree, labels == null ? -1 : correct);
    }

    /** Index of the largest of {@code n} values from {@code from}: the first on ties, NaN as in the evaluation. */
    static int argmax(float[] v, int from, int n) {
        int best = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < n; c++) {
            float x = v[from + c];
            if (x > max || Double.isNaN(x) && !Double.isNaN(max)) {
                max = x;
                best = c;
            }
        }
        return best;
    }
}
