package dev.tamp.optimizer.train;

/**
 * Classification losses over a batch of logits {@code [batch, classes]}, each returning the mean loss and writing
 * dLoss/dLogits. Computed in double per row (max-shifted log-sum-exp) and rounded once to float.
 */
public final class Losses {
    private Losses() {}

    /** Mean softmax cross-entropy: {@code -log softmax(z)[label]}; gradient {@code (softmax(z) - onehot) / batch}. */
    public static double crossEntropy(float[] logits, int batch, int classes, int[] labels, float[] grad) {
        return distillation(logits, null, batch, classes, labels, 1, 0, grad);
    }

    /**
     * Knowledge distillation (Hinton et al. 2015), mean over the batch:
     * {@code (1 - w) CE(z, label) + w T^2 KL(softmax(t/T) || softmax(z/T))}, with {@code z} the student's and
     * {@code t} the teacher's logits. The {@code T^2} keeps the soft term's gradient, {@code T (softmax(z/T) -
     * softmax(t/T))}, on the scale of the hard one when T changes. With {@code weight = 0} this is the cross-entropy
     * and {@code teacher} may be null.
     */
    public static double distillation(float[] logits, float[] teacher, int batch, int classes, int[] labels,
            double temperature, double weight, float[] grad) {
        if (logits.length != batch * classes || grad.length != logits.length) {
            throw new IllegalArgumentException("logits and gradient must hold " + batch + " x " + classes);
        }
        if (!(temperature > 0) || !(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("need temperature > 0 and weight in [0, 1]");
        }
        boolean soft = weight > 0;
        double[] p = new double[classes];
        double[] pT = new double[classes];
        double[] qT = new double[classes];
        double total = 0;
        for (int i = 0; i < batch; i++) {
            int base = i * classes;
            int label = labels[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " outside " + classes + " classes");
            }
            double logZ = softmax(logits, base, classes, 1, p);
            double hard = logZ - logits[base + label];
            double kl = 0;
            if (soft) {
                softmax(logits, base, classes, temperature, pT);
                softmax(teacher, base, classes, temperature, qT);
                for (int c = 0; c < classes; c++) {
                    if (qT[c] > 0) {
                        kl += qT[c] * (Math.log(qT[c]) - Math.log(pT[c]));
                    }
                }
            }
            total += (1 - weight) * hard + weight * temperature * temperature * kl;
            for (int c = 0; c < classes; c++) {
                double g = (1 - weight) * (p[c] - (c == label ? 1 : 0));
                if (soft) {
                    g += weight * temperature * (pT[c] - qT[c]);
                }
                grad[base + c] = (float) (g / batch);
            }
        }
        return total / batch;
    }

    /** softmax(z / T) of one row into {@code out}; returns log sum exp(z / T) for the cross-entropy. */
    private static double softmax(float[] z, int base, int classes, double temperature, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, z[base + c] / temperature);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            out[c] = Math.exp(z[base + c] / temperature - max);
            sum += out[c];
        }
        for (int c = 0; c < classes; c++) {
            out[c] /= sum;
        }
        return max + Math.log(sum);
    }
}
