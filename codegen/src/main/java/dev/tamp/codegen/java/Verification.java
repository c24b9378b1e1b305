package dev.tamp.codegen.java;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            int chunk = Math.max(1, (inputs.length + threads - 1) / Math.max(1, threads));
            List<Future<?>> parts = new ArrayList<>();
            for (int from = 0; from < inputs.length; from += chunk) {
                int start = from;
                int end = Math.min(inputs.length, from + chunk);
                parts.add(pool.submit(() -> {
                    for (int i = start; i < end; i++) {
                        outputs[i] = model.predict(inputs[i]);
                    }
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        double maxDiff = 0;
        int agree = 0;
        int correct = 0;
        for (int i = 0; i < inputs.length; i++) {
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
        return new Verification(inputs.length, maxDiff, agree, labels == null ? -1 : correct);
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
