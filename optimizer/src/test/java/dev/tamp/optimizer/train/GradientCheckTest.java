package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.RepoFiles;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine's float32 backward pass against central finite differences of {@link DoubleReference}, an independent
 * double evaluation of the same loss.
 *
 * <p>Tolerance. The finite differences use {@code h = 1e-5}: truncation error {@code h^2 |L'''| / 6 ~ 1e-11} and
 * rounding {@code eps_double |L| / h ~ 1e-11} are both below 1e-9 relative to the gradients here (norms >= 1e-2), so the
 * comparison measures the engine's float error alone. A float32 value obtained by accumulating {@code n} terms carries
 * a relative error of at most about {@code n u} ({@code u = 2^-24}, Higham's gamma_n, to first order); the gradient of
 * a weight passes through every accumulation between it and the loss, so its error is bounded by {@code N u} with
 * {@code N} the total accumulation length along the longest chain. The norm-wise relative error
 * {@code ||g - g_fd|| / ||g_fd||} is asserted against that bound, with {@code N} counted per graph below. (Measured
 * errors are 1e-7 to 1e-6, far inside: the bound is worst-case, rounding errors mostly cancel.)
 */
class GradientCheckTest {
    private static final double U = Math.ulp(1f) / 2;
    private static final double H = 1e-5;

    @Test
    void gemmWithBiasAlphaBetaAndBothTransposes() {
        // Longest chain: d logits (3 classes) -> Gemm dX (3) -> Gemm dW over the batch (4) and inputs (6): N < 32.
        check(TinyGraphs.mlp(1), new int[] {4, 6}, new int[] {0, 2, 1, 2}, 32, 1);
    }

    @Test
    void matMul() {
        // d logits (3) -> dW over the batch (4): N < 16.
        check(TinyGraphs.matMul(2), new int[] {4, 6}, new int[] {0, 2, 1, 2}, 16, 1);
    }

    @Test
    void convolutionsPoolingBatchNormResidualAndGlobalPooling() {
        // d logits (3) -> Gemm dX (3) -> conv3 dX (6 channels x 4 taps = 24) -> conv2 dX (6 x 9 = 54) -> conv1 dW
        // (2 images x 49 positions = 98): N = 182 < 256.
        check(TinyGraphs.convNet(3), new int[] {2, 4, 7, 7}, new int[] {1, 2}, 256, 1);
    }

    @Test
    void realLeNet5OnRealImages() {
        Graph lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5")).graph();
        LabeledImages train = IdxFiles.locate(java.util.List.of(RepoFiles.fashionMnist().resolve(
                "train-images-idx3-ubyte.gz"), RepoFiles.fashionMnist().resolve("train-labels-idx1-ubyte.gz")));
        int[] labels = {train.label(0), train.label(1)};
        float[] x = Preprocessing.unitScale().batch(train, 0, 2).floats();
        // d logits (10) -> fc2 dX (10) -> fc1 dX (500) -> conv2 dX (50 x 25 = 1,250) -> conv1 dW (2 x 576 = 1,152):
        // N = 2,922 < 4,096. Every element of a 431k-parameter model is too slow to difference in double, so 16
        // elements of each weight, drawn with a fixed seed, are checked.
        checkSampled(lenet5, x, new int[] {2, 1, 28, 28}, labels, 4096, 16);
    }

    @Test
    void distillationLossGradient() {
        Graph mlp = TinyGraphs.mlp(4);
        float[] teacher = TinyGraphs.input(new int[] {4, 3}, 11);
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = 6 * teacher[i] - 3;
        }
        // As the Gemm case, the soft term adding one more 3-class sum: N < 32.
        TrainableGraph tg = TrainableGraph.of(mlp);
        int[] shape = {4, 6};
        int[] labels = {2, 0, 0, 1};
        float[] x = TinyGraphs.input(shape, 7);
        float[] logits = tg.forward(x, shape, Parallelism.sequential());
        float[] grad = new float[logits.length];
        double loss = Losses.distillation(logits, teacher, 4, 3, labels, 2.5, 0.7, grad);
        double[] td = toDouble(teacher);
        double refLoss = new DoubleReference(mlp).loss(Map.of(), toDouble(x), shape, labels, td, 2.5, 0.7);
        // The loss itself: float logits, double loss; their rounding (u relative per logit, times |dL/dz| <= 1+T)
        // keeps the two within 1e-5 of each other.
        assertThat(loss).isCloseTo(refLoss, org.assertj.core.data.Offset.offset(1e-5));
        tg.zeroGrad();
        tg.backward(grad, Parallelism.sequential());
        DoubleReference ref = new DoubleReference(mlp);
        for (TrainableWeight w : tg.weights()) {
            double[] fd = new double[w.dense().length];
            for (int i = 0; i < fd.length; i++) {
                double[] d = toDouble(w.dense());
                d[i] += H;
                double up = ref.loss(Map.of(w.name(), d), toDouble(x), shape, labels, td, 2.5, 0.7);
                d[i] -= 2 * H;
                double down = ref.loss(Map.of(w.name(), d), toDouble(x), shape, labels, td, 2.5, 0.7);
                fd[i] = (up - down) / (2 * H);
            }
            assertThat(relativeError(w.denseGrad(), fd, null)).as(w.name()).isLessThan(32 * U);
        }
    }

    @Test
    void distillationWithWeightZeroIsCrossEntropy() {
        float[] z = {1.5f, -0.25f, 3f, 0f, 0.5f, -1f};
        float[] g1 = new float[6];
        float[] g2 = new float[6];
        int[] labels = {2, 0};
        double ce = Losses.crossEntropy(z, 2, 3, labels, g1);
        double kd = Losses.distillation(z, new float[6], 2, 3, labels, 4, 0, g2);
        assertThat(kd).isEqualTo(ce);
        assertThat(g2).containsExactly(g1);
    }

    static void check(Graph graph, int[] shape, int[] labels, int chainLength, long inputSeed) {
        checkSampled(graph, TinyGraphs.input(shape, inputSeed), shape, labels, chainLength, Integer.MAX_VALUE);
    }

    /** Differences up to {@code perWeight} elements of every trainable weight (all when there are fewer). */
    static void checkSampled(Graph graph, float[] x, int[] shape, int[] labels, int chainLength, int perWeight) {
        TrainableGraph tg = TrainableGraph.of(graph);
        float[] logits = tg.forward(x, shape, Parallelism.sequential());
        float[] grad = new float[logits.length];
        Losses.crossEntropy(logits, labels.length, logits.length / labels.length, labels, grad);
        tg.zeroGrad();
        tg.backward(grad, Parallelism.sequential());
        tg.pullGradients(Parallelism.sequential());
        DoubleReference ref = new DoubleReference(graph);
        double[] xd = toDouble(x);
        SplittableRandom pick = new SplittableRandom(5);
        for (TrainableWeight w : tg.weights()) {
            float[] base = w.dense();
            int[] elements = sample(base.length, perWeight, pick);
            double[] fd = new double[base.length];
            for (int i : elements) {
                double[] d = toDouble(base);
                d[i] = base[i] + H;
                double up = ref.loss(Map.of(w.name(), d), xd, shape, labels, null, 1, 0);
                d[i] = base[i] - H;
                double down = ref.loss(Map.of(w.name(), d), xd, shape, labels, null, 1, 0);
                fd[i] = (up - down) / (2 * H);
            }
            assertThat(relativeError(w.denseGrad(), fd, elements)).as(graph.name() + " " + w.name())
                    .isLessThan(chainLength * U);
        }
    }

    static int[] sample(int n, int k, SplittableRandom r) {
        if (k >= n) {
            return java.util.stream.IntStream.range(0, n).toArray();
        }
        return r.ints(0, n).distinct().limit(k).sorted().toArray();
    }

    /** {@code ||g - fd|| / ||fd||} over the given elements (all when null). */
    static double relativeError(float[] g, double[] fd, int[] elements) {
        double num = 0;
        double den = 0;
        int n = elements == null ? fd.length : elements.length;
        for (int e = 0; e < n; e++) {
            int i = elements == null ? e : elements[e];
            num += (g[i] - fd[i]) * (g[i] - fd[i]);
            den += fd[i] * fd[i];
        }
        return Math.sqrt(num / den);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
