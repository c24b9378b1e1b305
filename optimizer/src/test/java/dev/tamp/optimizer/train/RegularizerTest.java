package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Dense;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ops.Parallelism;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The regularization terms: their gradients (with respect to the weight and to a mixture prior's own parameters)
 * against central finite differences of independent double-precision formulas, their groups, and what they do to a
 * real model in a short run.
 *
 * <p>Tolerance. A term's gradient is computed in double from the float weights and rounded to float once when it is
 * added to the (zeroed) dense gradient or parameter gradient: relative error u. The differences use {@code h = 1e-6} on
 * values of order 0.1 to 1, whose truncation ({@code h^2 |R'''|}) and rounding ({@code 1e-16 |R| / h}) errors stay
 * below 1e-8 relative for these small terms; asserted: 4 u (1e-7 relative error has margin for the sums' rounding).
 */
class RegularizerTest {
    private static final double U = Math.ulp(1f) / 2;
    private static final double H = 1e-6;

    @Test
    void l1GradientIsTheStrengthTimesTheSign() {
        TrainableWeight w = weight(TinyGraphs.mlp(3), "w1");
        L1Penalty l1 = new L1Penalty(w, 0.01);
        double value = l1.addGradient(Parallelism.sequential());
        double[] x = GradientCheckTest.toDouble(w.dense());
        ToDoubleFunction<double[]> reference = v -> {
            double s = 0;
            for (double e : v) {
                s += Math.abs(e);
            }
            return 0.01 * s;
        };
        assertThat(value).isCloseTo(reference.applyAsDouble(x), org.assertj.core.data.Offset.offset(1e-9));
        assertGradient(w.denseGrad(), x, reference);
    }

    @Test
    void groupLassoOverFiltersChannelsAndShapesOfAConvAndAGemm() {
        Graph conv = TinyGraphs.convNet(4);
        Graph mlp = TinyGraphs.mlp(4);
        // Conv c2 [6, 6, 3, 3]: 6 filters, 6 input channels, 54 shapes. Gemm w1 [5, 6] with transB=1 (outputs on axis
        // 0): 5 filters, 6 channels; Gemm w2 [5, 3] (outputs on axis 1): 3 filters, 5 channels. A filter's group holds
        // its bias too.
        record Case(Graph graph, String name, String bias, int axis, GroupLassoPenalty.Groups groups, int count,
                int[] firstTwo) {}
        for (Case c : List.of(
                new Case(conv, "c2", "c2b", 0, GroupLassoPenalty.Groups.FILTERS, 6, new int[] {0, 54}),
                new Case(conv, "c2", "c2b", 0, GroupLassoPenalty.Groups.CHANNELS, 6, new int[] {0, 9}),
                new Case(conv, "c2", "c2b", 0, GroupLassoPenalty.Groups.SHAPES, 54, new int[] {0, 1}),
                new Case(mlp, "w1", "b1", 0, GroupLassoPenalty.Groups.FILTERS, 5, new int[] {0, 6}),
                new Case(mlp, "w1", "b1", 0, GroupLassoPenalty.Groups.CHANNELS, 6, new int[] {0, 1}),
                new Case(mlp, "w2", "b2", 1, GroupLassoPenalty.Groups.FILTERS, 3, new int[] {0, 1}),
                new Case(mlp, "w2", "b2", 1, GroupLassoPenalty.Groups.CHANNELS, 5, new int[] {0, 3}))) {
            TrainableWeight w = weight(c.graph(), c.name());
            TrainableWeight b = weight(c.graph(), c.bias());
            GroupLassoPenalty lasso = GroupLassoPenalty.of(w, b, 0.05, c.groups(), c.axis());
            assertThat(lasso.groups()).as(c.toString()).isEqualTo(c.count());
            assertThat(lasso.bias() != null).as(c.toString()).isEqualTo(c.groups() == GroupLassoPenalty.Groups.FILTERS);
            int[] groupOf = lasso.groupOf();
            // The first element where group 1 begins (filters: a whole filter later; shapes: the next tap).
            int firstOfGroup1 = 0;
            while (groupOf[firstOfGroup1] != 1) {
                firstOfGroup1++;
            }
            assertThat(new int[] {groupOf[0], firstOfGroup1}).as(c.toString()).isEqualTo(c.firstTwo());
            lasso.addGradient(Parallelism.sequential());
            double[] x = GradientCheckTest.toDouble(w.dense());
            double[] bias = lasso.bias() == null ? new double[c.count()] : GradientCheckTest.toDouble(b.dense());
            assertGradient(w.denseGrad(), x, v -> groupLasso(v, bias, groupOf, 0.05));
            if (lasso.bias() != null) {
                assertGradient(b.denseGrad(), bias, v -> groupLasso(x, v, groupOf, 0.05));
            } else {
                assertThat(b.denseGrad()).containsOnly(0f);
            }
        }
    }

    /** {@code strength * sum_g sqrt(sum of w^2 over g + b_g^2)}. */
    private static double groupLasso(double[] w, double[] b, int[] groupOf, double strength) {
        double[] norms = new double[b.length];
        for (int k = 0; k < w.length; k++) {
            norms[groupOf[k]] += w[k] * w[k];
        }
        double s = 0;
        for (int j = 0; j < norms.length; j++) {
            s += Math.sqrt(norms[j] + b[j] * b[j]);
        }
        return strength * s;
    }

    @Test
    void mixturePriorGradientsForWeightsMeansPrecisionsAndProportions() {
        TrainableWeight w = weight(TinyGraphs.mlp(7), "w1");
        MixturePrior prior = new MixturePrior(w, 0.002, 4);
        // Move the prior off its symmetric start so that every gradient is generic.
        float[][] start = {{-0.3f, 0.05f, 0.25f}, {3.1f, 2.4f, 2.9f, 3.6f}, {0.4f, -0.2f, 0.1f}};
        List<Parameter> ps = prior.parameters();
        for (int p = 0; p < 3; p++) {
            System.arraycopy(start[p], 0, ps.get(p).value(), 0, start[p].length);
        }
        double value = prior.addGradient(Parallelism.sequential());
        double[] x = GradientCheckTest.toDouble(w.dense());
        double[][] theta = {GradientCheckTest.toDouble(ps.get(0).value()), GradientCheckTest.toDouble(ps.get(1).value()),
            GradientCheckTest.toDouble(ps.get(2).value())};
        assertThat(value).isCloseTo(negativeLogPrior(x, theta, prior, true), org.assertj.core.data.Offset.offset(1e-9));
        // The hyper-prior depends on the log-precisions only; leaving its large constant out of the other differences
        // keeps their rounding error (eps |R| / h) small.
        assertGradient(w.denseGrad(), x, v -> negativeLogPrior(v, theta, prior, false));
        for (int p = 0; p < 3; p++) {
            int which = p;
            assertGradient(ps.get(p).grad(), theta[p], v -> {
                double[][] t = theta.clone();
                t[which] = v;
                return negativeLogPrior(x, t, prior, which == 1);
            });
        }
    }

    /**
     * A quarter epoch of LeNet-300-100 with each term on fc1: L1 drives many weights near zero, the group lasso empties
     * neurons' rows, and the snapped mixture prior is a sparse codebook of its learned means.
     */
    @Test
    void termsShapeARealModelInAShortRun() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        float[] before = RepresentationTrainingTest.weight(dense, "fc1.weight").floats();
        TrainingOptions options = TrainingOptions.defaults().withEpochs(0.25).withBatch(64).withThreads(2);

        TrainableGraph l1Model = TrainableGraph.of(dense);
        Graph l1 = Trainer.train(l1Model, List.of(new L1Penalty(find(l1Model, "fc1.weight"), 1e-4)),
                TrainingFixtures.train(), Preprocessing.unitScale(), options, TrainingListener.none());
        float[] after = RepresentationTrainingTest.weight(l1, "fc1.weight").floats();
        assertThat(tiny(after)).as("weights below 1e-3 after L1").isGreaterThan(2 * tiny(before));

        TrainableGraph lassoModel = TrainableGraph.of(dense);
        Graph lasso = Trainer.train(lassoModel, List.of(GroupLassoPenalty.of(find(lassoModel, "fc1.weight"),
                find(lassoModel, "fc1.bias"), 1e-2,
                GroupLassoPenalty.Groups.FILTERS, 0)), TrainingFixtures.train(), Preprocessing.unitScale(), options,
                TrainingListener.none());
        Graph plain = Trainer.train(dense, TrainingFixtures.train(), Preprocessing.unitScale(), options,
                TrainingListener.none());
        double smallestPlain = smallestRows(RepresentationTrainingTest.weight(plain, "fc1.weight").floats());
        double smallestLasso = smallestRows(RepresentationTrainingTest.weight(lasso, "fc1.weight").floats());
        // Measured: 24.4 at the start, 24.4 after the plain steps, 16.7 with the group lasso (Adam moves each
        // weight by at most about lr = 1e-3 per step, so 21 steps cannot empty a row).
        assertThat(smallestLasso).as("the 30 smallest neuron norms, against the same steps without the term")
                .isLessThan(0.8 * smallestPlain);

        TrainableGraph priorModel = TrainableGraph.of(dense);
        MixturePrior prior = new MixturePrior(find(priorModel, "fc1.weight"), 5e-7, 16);
        Trainer.train(priorModel, List.of(prior), TrainingFixtures.train(), Preprocessing.unitScale(), options,
                TrainingListener.none());
        SparseCodebook snapped = prior.snap();
        assertThat(snapped.centroids()).hasSize(15);
        assertThat(snapped.bits()).isEqualTo(4);
        assertThat(snapped.positions().length).as("the zero component took most weights")
                .isLessThan(300 * 784 / 2).isPositive();
    }

    /**
     * FFT layers, straight-through shadows, hash buckets and a mixture prior (their chunked sums included) give
     * bit-identical weights and prior parameters whatever the thread count.
     */
    @Test
    void compressedLayersAndTermsTrainBitIdenticallyWhateverTheThreads() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Graph compressed = RepresentationTrainingTest.replace(dense, java.util.Map.of(
                "fc1.weight", new dev.tamp.model.ir.BlockCirculant(new int[] {300, 784}, 16,
                        dev.tamp.optimizer.numerics.CirculantProjection.blockCirculant(
                                RepresentationTrainingTest.weight(dense, "fc1.weight").floats(), 300, 784, 16)),
                "fc2.weight", dev.tamp.optimizer.numerics.SignQuantization.ternary(
                        RepresentationTrainingTest.weight(dense, "fc2.weight"), 0),
                "fc3.weight", dev.tamp.optimizer.numerics.HashProjection.fit(new int[] {10, 100},
                        RepresentationTrainingTest.weight(dense, "fc3.weight").floats(), 5, true, 200)));
        List<List<float[]>> runs = new java.util.ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            TrainableGraph model = TrainableGraph.of(compressed);
            MixturePrior prior = new MixturePrior(find(model, "fc1.weight"), 1e-6, 8);
            Graph trained = Trainer.train(model, List.of(prior, new L1Penalty(find(model, "fc3.weight"), 1e-4)),
                    TrainingFixtures.train().slice(0, 640), Preprocessing.unitScale(),
                    TrainingOptions.defaults().withBatch(64).withThreads(threads), TrainingListener.none());
            List<float[]> state = new java.util.ArrayList<>();
            trained.weights().values().forEach(w -> state.add(w.representation().materialize().floats()));
            prior.parameters().forEach(p -> state.add(p.value().clone()));
            runs.add(state);
        }
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertThat(runs.get(1).get(i)).as("array %d", i).isEqualTo(runs.get(0).get(i));
        }
        assertThat(runs.get(0).get(0)).isNotEqualTo(RepresentationTrainingTest.weight(compressed, "fc1.weight")
                .floats());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static TrainableWeight weight(Graph g, String name) {
        return new DenseWeight(name, (Dense) g.weights().get(name).representation());
    }

    private static TrainableWeight find(TrainableGraph g, String name) {
        return g.weights().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
    }

    private static int tiny(float[] w) {
        int n = 0;
        for (float v : w) {
            n += Math.abs(v) < 1e-3 ? 1 : 0;
        }
        return n;
    }

    /** The sum of the 30 smallest row norms of fc1's [300, 784] weight: its least needed neurons. */
    private static double smallestRows(float[] w) {
        double[] n = new double[300];
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 784; j++) {
                n[i] += (double) w[i * 784 + j] * w[i * 784 + j];
            }
            n[i] = Math.sqrt(n[i]);
        }
        return java.util.Arrays.stream(n).sorted().limit(30).sum();
    }

    /** The float gradient against central differences of {@code f} at {@code x}, norm-wise, within 4 u. */
    private static void assertGradient(float[] grad, double[] x, ToDoubleFunction<double[]> f) {
        double[] fd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] v = x.clone();
            v[i] += H;
            double up = f.applyAsDouble(v);
            v[i] -= 2 * H;
            fd[i] = (up - f.applyAsDouble(v)) / (2 * H);
        }
        assertThat(GradientCheckTest.relativeError(grad, fd, null)).isLessThan(4 * U);
    }

    /**
     * {@code strength * (-sum_i log sum_j pi_j N(w_i | mu_j, 1 / lambda_j) + sum_j (-(alpha_j - 1) gamma_j + beta_j
     * lambda_j))} written out directly from Ullrich et al.'s definition: theta = {means of components 1.., log
     * precisions, mixing logits}; beta from the prior's construction (the initial precision's mode).
     */
    private static double negativeLogPrior(double[] w, double[][] theta, MixturePrior prior, boolean hyper) {
        int j0 = theta[1].length;
        double[] mu = new double[j0];
        double[] pi = new double[j0];
        double z = 0;
        for (double r : theta[2]) {
            z += Math.exp(r);
        }
        pi[0] = MixturePrior.PI_ZERO;
        for (int j = 1; j < j0; j++) {
            mu[j] = theta[0][j - 1];
            pi[j] = (1 - MixturePrior.PI_ZERO) * Math.exp(theta[2][j - 1]) / z;
        }
        double r = 0;
        for (double v : w) {
            double p = 0;
            for (int j = 0; j < j0; j++) {
                double lambda = Math.exp(theta[1][j]);
                p += pi[j] * Math.sqrt(lambda / (2 * Math.PI)) * Math.exp(-0.5 * lambda * (v - mu[j]) * (v - mu[j]));
            }
            r -= Math.log(p);
        }
        for (int j = 0; j < j0 && hyper; j++) {
            double alpha = j == 0 ? MixturePrior.ALPHA_ZERO : MixturePrior.ALPHA;
            r += -(alpha - 1) * theta[1][j] + prior.beta(j) * Math.exp(theta[1][j]);
        }
        return prior.strength() * r;
    }
}
