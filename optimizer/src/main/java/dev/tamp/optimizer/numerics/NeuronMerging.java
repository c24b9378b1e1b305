package dev.tamp.optimizer.numerics;

import java.util.ArrayList;
import java.util.List;

/**
 * Data-free neuron merging (Srinivas &amp; Babu 2015, "Data-free parameter pruning for Deep Neural Networks"). For a
 * hidden layer {@code h = f(W x + b)} with f positively homogeneous (ReLU) read by {@code y = A h + c}: if neuron j's
 * incoming vector equals neuron i's, then h_j = h_i and j's outgoing column can be added to i's without changing y.
 * For near-equal vectors the paper bounds the expected change of y by the saliency
 * {@code s(i, j) = <a_j^2> * ||W_i - W_j||^2}, where {@code <a_j^2>} is the mean of the squared outgoing weights of j.
 *
 * <p>Exactly as here: the incoming vector of a neuron is its weight row with its bias appended (a bias that differs
 * changes h_j as much as a weight does, so it counts in the distance; i keeps its own bias). Each step removes the
 * pair (i, j), i != j, of least saliency among the neurons still alive (ties: lowest j, then lowest i), adds column j
 * of A to column i, and drops j. Distances never change (incoming vectors are not modified), so they are computed
 * once; the {@code <a_i^2>} of a neuron that absorbed another is recomputed from its merged column, as the paper's
 * iterated procedure does.
 */
public final class NeuronMerging {
    private NeuronMerging() {}

    /** One merge: neuron {@code removed} was folded into neuron {@code into} at this saliency. */
    public record Merge(int removed, int into, double saliency) {}

    /**
     * @param incoming one row per neuron: its incoming weights and bias
     * @param outgoing one row per neuron: its outgoing weights (column of A), modified in place by the merges
     * @param count how many neurons to remove (fewer than the number of neurons)
     * @return the merges in the order they were made
     */
    public static List<Merge> merge(double[][] incoming, double[][] outgoing, int count) {
        int n = incoming.length;
        if (count < 0 || count >= n) {
            throw new IllegalArgumentException("cannot remove " + count + " of " + n + " neurons");
        }
        double[][] distance = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < incoming[i].length; k++) {
                    double d = incoming[i][k] - incoming[j][k];
                    sum += d * d;
                }
                distance[i][j] = sum;
                distance[j][i] = sum;
            }
        }
        double[] meanSquare = new double[n];
        for (int j = 0; j < n; j++) {
            meanSquare[j] = meanSquare(outgoing[j]);
        }
        boolean[] alive = new boolean[n];
        java.util.Arrays.fill(alive, true);
        List<Merge> merges = new ArrayList<>();
        for (int step = 0; step < count; step++) {
            int bestI = -1;
            int bestJ = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (!alive[j]) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    if (i != j && alive[i]) {
                        double s = meanSquare[j] * distance[i][j];
                        if (s < best || bestJ < 0) {
                            best = s;
                            bestI = i;
                            bestJ = j;
                        }
                    }
                }
            }
            for (int k = 0; k < outgoing[bestI].length; k++) {
                outgoing[bestI][k] += outgoing[bestJ][k];
            }
            meanSquare[bestI] = meanSquare(outgoing[bestI]);
            alive[bestJ] = false;
            merges.add(new Merge(bestJ, bestI, best));
        }
        return merges;
    }

    private static double meanSquare(double[] a) {
        double sum = 0;
        for (double v : a) {
            sum += v * v;
        }
        return a.length == 0 ? 0 : sum / a.length;
    }
}
