package dev.tamp.optimizer.train;

import dev.tamp.model.ops.Parallelism;

/**
 * {@code strength * sum |w|} over a weight, with the subgradient {@code strength * sign(w)} ({@code sign(0) = 0}, so
 * an exact zero stays put). It drives the weights the loss does not need towards zero; magnitude pruning then cuts
 * them at less cost. Under Adam the elements it drives down hover within a step of zero rather than landing on it.
 */
public record L1Penalty(TrainableWeight weight, double strength) implements Regularizer {
    public L1Penalty {
        if (!(strength > 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("L1 strength must be positive, got " + strength);
        }
    }

    @Override
    public double addGradient(Parallelism par) {
        float[] w = weight.dense();
        float[] g = weight.denseGrad();
        float step = (float) strength;
        double sum = 0;
        for (int k = 0; k < w.length; k++) {
            sum += Math.abs(w[k]);
            g[k] += step * Math.signum(w[k]);
        }
        return strength * sum;
    }
}
