package dev.tamp.model.data;

import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Tensor;

/** Top-1 accuracy and mean cross-entropy of a classifier on a labelled data set. */
public final class Evaluation {
    /** The outcome of an evaluation; {@code logits} holds every image's output row when kept. */
    public record Result(int count, int correct, double meanLoss, int[] predictions, float[] logits) {
        public double accuracy() {
            return count == 0 ? 0 : (double) correct / count;
        }
    }

    private Evaluation() {}

    /** Runs the model over the data in batches; the model must map [N, 1, rows, cols] to [N, classes] logits. */
    public static Result evaluate(Executor executor, LabeledImages data, Preprocessing pre, int batchSize,
            boolean keepLogits) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1");
        }
        int[] predictions = new int[data.count()];
        float[] all = null;
        int correct = 0;
        double loss = 0;
        int classes = -1;
        for (int from = 0; from < data.count(); from += batchSize) {
            int to = Math.min(data.count(), from + batchSize);
            Tensor out = executor.run(pre.batch(data, from, to));
            if (out.rank() != 2 || out.dim(0) != to - from) {
                throw new IllegalStateException("model output " + out + " is not [batch, classes]");
            }
            classes = out.dim(1);
            if (keepLogits && all == null) {
                all = new float[data.count() * classes];
            }
            float[] z = out.floats();
            for (int i = 0; i < to - from; i++) {
                int label = data.label(from + i);
                if (label >= classes) {
                    throw new IllegalStateException("label " + label + " but the model has " + classes + " outputs");
                }
                int best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    float v = z[i * classes + c];
                    // Ties and NaN resolve to the lowest index, as numpy's argmax does.
                    if (v > max || Double.isNaN(v) && !Double.isNaN(max)) {
                        max = v;
                        best = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(z[i * classes + c] - max);
                }
                loss += Math.log(sum) + max - z[i * classes + label];
                predictions[from + i] = best;
                if (best == label) {
                    correct++;
                }
                if (all != null) {
                    System.arraycopy(z, i * classes, all, (from + i) * classes, classes);
                }
            }
        }
        return new Result(data.count(), correct, data.count() == 0 ? 0 : loss / data.count(), predictions, all);
    }
}
