package dev.tamp.optimizer.train;

import dev.tamp.model.ops.Parallelism;

/**
 * The group lasso of structured sparsity learning (Wen et al. 2016): {@code strength * sum over groups g of ||w_g||_2},
 * with the gradient {@code strength * w_g / ||w_g||} (0 for a group already all zero). It drives whole groups to zero
 * together, so that filter pruning ({@code prune method l1-filter}) then removes them at little cost. A filter's
 * group also holds its bias, when the layer has one: an emptied filter then outputs zero rather than a constant
 * (after a Relu, {@code relu(b)}) that its readers rely on and that removing it would take away.
 *
 * @param groupOf the group of each element of the weight, in {@code [0, groups)}
 * @param bias the layer's bias, one element per group ({@link Groups#FILTERS}), or null
 */
public record GroupLassoPenalty(TrainableWeight weight, double strength, int[] groupOf, int groups,
        TrainableWeight bias) implements Regularizer {
    /** What a group is, for a weight whose output channels lie along one axis. */
    public enum Groups {
        /** One group per output channel: a Conv filter, a Gemm neuron's incoming weights. */
        FILTERS,
        /** One group per input channel: the weights reading it across every filter (a Gemm: a column). */
        CHANNELS,
        /**
         * One group per position within a filter (input channel and kernel tap) across every filter, Wen et al.'s
         * filter shapes; for a Gemm, where each input is one tap, the same as {@link #CHANNELS}.
         */
        SHAPES
    }

    public GroupLassoPenalty {
        if (!(strength > 0) || Double.isInfinite(strength)) {
            throw new IllegalArgumentException("group lasso strength must be positive, got " + strength);
        }
        if (groupOf.length != weight.dense().length) {
            throw new IllegalArgumentException(weight.name() + ": " + groupOf.length + " group indices for "
                    + weight.dense().length + " elements");
        }
        groupOf = groupOf.clone();
        if (bias != null && bias.dense().length != groups) {
            throw new IllegalArgumentException(bias.name() + ": " + bias.dense().length + " bias elements for "
                    + groups + " groups");
        }
    }

    /**
     * The penalty with the groups of {@code kind} on a weight whose output channels lie along {@code outputAxis}: 0
     * for a Conv ({@code [M, C/group, kh, kw]}), 0 or 1 for a 2-D Gemm or MatMul weight (its input axis is the other).
     * With {@link Groups#FILTERS}, {@code bias} (the layer's, or null) joins its filters' groups.
     */
    public static GroupLassoPenalty of(TrainableWeight weight, TrainableWeight bias, double strength, Groups kind,
            int outputAxis) {
        int[] dims = weight.dims();
        if (dims.length < 2 || outputAxis < 0 || outputAxis > (dims.length == 2 ? 1 : 0)) {
            throw new IllegalArgumentException(weight.name() + ": no output axis " + outputAxis + " in a weight of "
                    + java.util.Arrays.toString(dims));
        }
        int n = weight.dense().length;
        int[] groupOf = new int[n];
        int groups;
        if (dims.length == 2) {
            // Row-major [d0, d1]: element k is (k / d1, k % d1).
            boolean byRow = (kind == Groups.FILTERS) == (outputAxis == 0);
            groups = byRow ? dims[0] : dims[1];
            for (int k = 0; k < n; k++) {
                groupOf[k] = byRow ? k / dims[1] : k % dims[1];
            }
        } else {
            int perFilter = n / dims[0];
            int taps = perFilter / dims[1];
            groups = switch (kind) {
                case FILTERS -> dims[0];
                case CHANNELS -> dims[1];
                case SHAPES -> perFilter;
            };
            for (int k = 0; k < n; k++) {
                groupOf[k] = switch (kind) {
                    case FILTERS -> k / perFilter;
                    case CHANNELS -> (k % perFilter) / taps;
                    case SHAPES -> k % perFilter;
                };
            }
        }
        return new GroupLassoPenalty(weight, strength, groupOf, groups, kind == Groups.FILTERS ? bias : null);
    }

    @Override
    public double addGradient(Parallelism par) {
        float[] w = weight.dense();
        float[] g = weight.denseGrad();
        double[] norms = new double[groups];
        for (int k = 0; k < w.length; k++) {
            norms[groupOf[k]] += (double) w[k] * w[k];
        }
        float[] b = bias == null ? null : bias.dense();
        for (int j = 0; b != null && j < groups; j++) {
            norms[j] += (double) b[j] * b[j];
        }
        double total = 0;
        double[] scale = new double[groups];
        for (int j = 0; j < groups; j++) {
            norms[j] = Math.sqrt(norms[j]);
            total += norms[j];
            scale[j] = norms[j] > 0 ? strength / norms[j] : 0;
        }
        for (int k = 0; k < w.length; k++) {
            g[k] += (float) (scale[groupOf[k]] * w[k]);
        }
        for (int j = 0; b != null && j < groups; j++) {
            bias.denseGrad()[j] += (float) (scale[j] * b[j]);
        }
        return strength * total;
    }
}
