package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.numerics.AffineQuantization;
import dev.tamp.optimizer.numerics.CirculantProjection;
import dev.tamp.optimizer.numerics.HashProjection;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The gradients of the representations' own parameters (hash buckets, circulant vectors through the FFT, binary and
 * ternary scales) against central finite differences of {@link DoubleReference}, the dense weight rebuilt in double
 * from the perturbed parameter; and the straight-through estimator's defining property, that a shadow weight's
 * gradient is the gradient with respect to its dequantized weight, which is itself checked against finite
 * differences of the dense weight.
 *
 * <p>Tolerance, as {@link RepresentationTrainingTest#chainRuleOntoCentroidsAndFactorsMatchesFiniteDifferences()}: the
 * tiny graphs' longest float chains are under 32 accumulations (3 classes, widths of 6, a batch of 4), doubled for the
 * one extra sum of the chain rule (members, buckets or a channel summed in double; the FFT in double, rounded to
 * float once per output): 64 u.
 */
class RepresentationGradientTest {
    private static final double U = Math.ulp(1f) / 2;
    private static final double H = 1e-5;
    private static final int[] SHAPE = {4, 6};
    private static final int[] LABELS = {1, 0, 2, 2};

    @Test
    void hashBucketsGetTheSignedSumsOfTheirElementsGradients() {
        Graph mlp = TinyGraphs.mlp(9);
        Hashed signed = HashProjection.fit(new int[] {5, 6}, weight(mlp, "w1").floats(), 17, true, 7);
        Hashed unsigned = HashProjection.fit(new int[] {5, 3}, weight(mlp, "w2").floats(), 3, false, 4);
        Graph hashed = RepresentationTrainingTest.replace(mlp, Map.of("w1", signed, "w2", unsigned));
        Map<String, Parameter> params = backward(hashed);
        for (var e : Map.of("w1", signed, "w2", unsigned).entrySet()) {
            Hashed h = e.getValue();
            assertParameterGradient(hashed, params, e.getKey() + "/buckets", b -> {
                double[] w = new double[5 * h.dims()[1]];
                for (int k = 0; k < w.length; k++) {
                    w[k] = h.sign(k) * b[h.bucket(k)];
                }
                return Map.of(e.getKey(), w);
            });
        }
    }

    @Test
    void circulantVectorsTrainThroughTheFftInBothOrientations() {
        Graph square = TinyGraphs.squareMlp(4);
        // w1 multiplies as W x (transB=1), w2 and w3 as W^T x; w3's 4 x 4 tiles are cut off at 6 rows and 3 columns.
        Circulant c1 = new Circulant(new int[] {6, 6}, CirculantProjection.circulant(weight(square, "w1").floats(), 6));
        Circulant c2 = new Circulant(new int[] {6, 6}, CirculantProjection.circulant(weight(square, "w2").floats(), 6));
        BlockCirculant c3 = new BlockCirculant(new int[] {6, 3}, 4,
                CirculantProjection.blockCirculant(weight(square, "w3").floats(), 6, 3, 4));
        Graph circulant = RepresentationTrainingTest.replace(square, Map.of("w1", c1, "w2", c2, "w3", c3));
        assertForwardMatchesReference(circulant);
        Map<String, Parameter> params = backward(circulant);
        assertParameterGradient(circulant, params, "w1/vectors", v -> Map.of("w1", blockDense(6, 6, 6, v)));
        assertParameterGradient(circulant, params, "w2/vectors", v -> Map.of("w2", blockDense(6, 6, 6, v)));
        assertParameterGradient(circulant, params, "w3/vectors", v -> Map.of("w3", blockDense(6, 3, 4, v)));
        assertThat(params.get("b2").grad()).as("bias behind an FFT layer").isNotEqualTo(new float[6]);
    }

    @Test
    void blockCirculantGemmWithCutOffTilesAndBias() {
        Graph mlp = TinyGraphs.mlp(6);
        // w1 is [5, 6] with transB=1 (W x, 2 x 2 tiles of 3), w2 [5, 3] with alpha and beta (W^T x, tiles of 2).
        BlockCirculant c1 = new BlockCirculant(new int[] {5, 6}, 3,
                CirculantProjection.blockCirculant(weight(mlp, "w1").floats(), 5, 6, 3));
        BlockCirculant c2 = new BlockCirculant(new int[] {5, 3}, 2,
                CirculantProjection.blockCirculant(weight(mlp, "w2").floats(), 5, 3, 2));
        Graph circulant = RepresentationTrainingTest.replace(mlp, Map.of("w1", c1, "w2", c2));
        assertForwardMatchesReference(circulant);
        Map<String, Parameter> params = backward(circulant);
        assertParameterGradient(circulant, params, "w1/vectors", v -> Map.of("w1", blockDense(5, 6, 3, v)));
        assertParameterGradient(circulant, params, "w2/vectors", v -> Map.of("w2", blockDense(5, 3, 2, v)));
        assertParameterGradient(circulant, params, "b1", b -> Map.of("b1", b));
        assertParameterGradient(circulant, params, "b2", b -> Map.of("b2", b));
    }

    /** A regularizer adds to the dense gradient, which a circulant weight maps onto its vectors by wrapped diagonals. */
    @Test
    void aTermOverABlockCirculantWeightReachesItsVectors() {
        Graph mlp = TinyGraphs.mlp(6);
        BlockCirculant c1 = new BlockCirculant(new int[] {5, 6}, 3,
                CirculantProjection.blockCirculant(weight(mlp, "w1").floats(), 5, 6, 3));
        Graph circulant = RepresentationTrainingTest.replace(mlp, Map.of("w1", c1));
        TrainableGraph tg = TrainableGraph.of(circulant);
        crossEntropyBackward(tg);
        new L1Penalty(tg.weights().get(0), 0.01).addGradient(Parallelism.sequential());
        tg.pullGradients(Parallelism.sequential());
        Parameter vectors = tg.parameters().get(0);
        DoubleReference ref = new DoubleReference(circulant);
        double[] x = GradientCheckTest.toDouble(TinyGraphs.input(SHAPE, 3));
        double[] fd = new double[vectors.size()];
        for (int i = 0; i < fd.length; i++) {
            double[] v = GradientCheckTest.toDouble(vectors.value());
            double[] total = new double[2];
            for (int side = 0; side < 2; side++) {
                v[i] += side == 0 ? H : -2 * H;
                double[] w = blockDense(5, 6, 3, v);
                double l1 = 0;
                for (double e : w) {
                    l1 += Math.abs(e);
                }
                total[side] = ref.loss(Map.of("w1", w), x, SHAPE, LABELS, null, 1, 0) + 0.01 * l1;
            }
            fd[i] = (total[0] - total[1]) / (2 * H);
        }
        assertThat(GradientCheckTest.relativeError(vectors.grad(), fd, null)).isLessThan(64 * U);
    }

    @Test
    void binaryAndTernaryScalesGetTheCodeWeightedSumsOfTheirChannelsGradients() {
        Graph mlp = TinyGraphs.mlp(9);
        // Per output channel: axis 0 of w1 (transB=1), axis 1 of w2.
        AffineQuantized ternary = SignQuantization.ternary(weight(mlp, "w1"), 0);
        Representation binary = SignQuantization.binary(weight(mlp, "w2"), 1);
        Graph quantized = RepresentationTrainingTest.replace(mlp, Map.of("w1", ternary, "w2", binary));
        TrainableGraph tg = TrainableGraph.of(quantized);
        assertThat(((QuantizedWeight) tg.weights().get(0)).grid()).isEqualTo(QuantizedWeight.Grid.TERNARY);
        assertThat(((QuantizedWeight) tg.weights().get(2)).grid()).isEqualTo(QuantizedWeight.Grid.BINARY);
        Map<String, Parameter> params = backward(quantized);
        assertParameterGradient(quantized, params, "w1/scales",
                s -> Map.of("w1", scaledCodes(ternary.codes(), s, 5, 6, 0)));
        AffineQuantized b = (AffineQuantized) binary;
        assertParameterGradient(quantized, params, "w2/scales", s -> Map.of("w2", scaledCodes(b.codes(), s, 5, 3, 1)));
        assertShadowGradientIsTheDequantizedWeightsGradient(quantized, params, "w1");
        assertShadowGradientIsTheDequantizedWeightsGradient(quantized, params, "w2");
    }

    @Test
    void perTensorBinaryCodebookTrainsOneScale() {
        Graph mlp = TinyGraphs.mlp(2);
        Codebook binary = (Codebook) SignQuantization.binary(weight(mlp, "w1"), -1);
        Graph quantized = RepresentationTrainingTest.replace(mlp, Map.of("w1", binary));
        Map<String, Parameter> params = backward(quantized);
        int[] idx = binary.indices();
        assertParameterGradient(quantized, params, "w1/scales", s -> {
            double[] w = new double[idx.length];
            for (int k = 0; k < w.length; k++) {
                w[k] = (idx[k] == 1 ? 1 : -1) * s[0];
            }
            return Map.of("w1", w);
        });
        assertShadowGradientIsTheDequantizedWeightsGradient(quantized, params, "w1");
    }

    @Test
    void uniformCodesGetTheStraightThroughGradientOnAFixedGrid() {
        Graph mlp = TinyGraphs.mlp(5);
        AffineQuantized asymmetric = AffineQuantization.quantize(weight(mlp, "w1"), 3, false, 0);
        AffineQuantized symmetric = AffineQuantization.quantize(weight(mlp, "w2"), 4, true, -1);
        Graph quantized = RepresentationTrainingTest.replace(mlp, Map.of("w1", asymmetric, "w2", symmetric));
        TrainableGraph tg = TrainableGraph.of(quantized);
        assertThat(tg.parameters().stream().map(Parameter::name))
                .as("uniform grids keep their scales: only the shadows train")
                .containsExactly("w1/shadow", "b1", "w2/shadow", "b2");
        Map<String, Parameter> params = backward(quantized);
        assertShadowGradientIsTheDequantizedWeightsGradient(quantized, params, "w1");
        assertShadowGradientIsTheDequantizedWeightsGradient(quantized, params, "w2");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** One forward and backward pass of the cross-entropy on the fixed batch; the parameters by name. */
    private static Map<String, Parameter> backward(Graph g) {
        TrainableGraph tg = TrainableGraph.of(g);
        crossEntropyBackward(tg);
        tg.pullGradients(Parallelism.sequential());
        Map<String, Parameter> params = new LinkedHashMap<>();
        tg.parameters().forEach(p -> params.put(p.name(), p));
        for (TrainableWeight w : tg.weights()) {
            // Keeps the dense gradients reachable for the straight-through check.
            params.put(w.name() + "#dense", new Parameter(w.name() + "#dense", w.dense(), w.denseGrad()));
        }
        return params;
    }

    /** The cross-entropy's gradient on the fixed batch, back-propagated into the dense gradients (not yet pulled). */
    private static void crossEntropyBackward(TrainableGraph tg) {
        float[] logits = tg.forward(TinyGraphs.input(SHAPE, 3), SHAPE, Parallelism.sequential());
        float[] grad = new float[logits.length];
        Losses.crossEntropy(logits, LABELS.length, 3, LABELS, grad);
        tg.zeroGrad();
        tg.backward(grad, Parallelism.sequential());
    }

    /** The parameter's gradient against finite differences, each weight's dense form built from it by {@code dense}. */
    private static void assertParameterGradient(Graph g, Map<String, Parameter> params, String name,
            Function<double[], Map<String, double[]>> dense) {
        Parameter p = params.get(name);
        DoubleReference ref = new DoubleReference(g);
        double[] x = GradientCheckTest.toDouble(TinyGraphs.input(SHAPE, 3));
        double[] fd = new double[p.size()];
        for (int i = 0; i < fd.length; i++) {
            double[] v = GradientCheckTest.toDouble(p.value());
            v[i] += H;
            double up = ref.loss(dense.apply(v), x, SHAPE, LABELS, null, 1, 0);
            v[i] -= 2 * H;
            double down = ref.loss(dense.apply(v), x, SHAPE, LABELS, null, 1, 0);
            fd[i] = (up - down) / (2 * H);
        }
        assertThat(GradientCheckTest.relativeError(p.grad(), fd, null)).as(name).isLessThan(64 * U);
    }

    /**
     * The straight-through estimator: the shadows' gradient is exactly the dense gradient, and that is the gradient
     * of the loss with respect to the dequantized weight (finite differences of the dense weight itself).
     */
    private static void assertShadowGradientIsTheDequantizedWeightsGradient(Graph g, Map<String, Parameter> params,
            String weight) {
        Parameter shadow = params.get(weight + "/shadow");
        Parameter dense = params.get(weight + "#dense");
        assertThat(shadow.grad()).containsExactly(dense.grad());
        assertThat(dense.value()).containsExactly(g.weights().get(weight).representation().materialize().floats());
        assertParameterGradient(g, params, weight + "#dense", w -> Map.of(weight, w));
    }

    /** Forward logits of the engine (FFT layers included) against the double reference: float rounding only. */
    private static void assertForwardMatchesReference(Graph g) {
        float[] logits = TrainableGraph.of(g).forward(TinyGraphs.input(SHAPE, 3), SHAPE, Parallelism.sequential());
        double[] ref = new DoubleReference(g).logits(Map.of(), GradientCheckTest.toDouble(TinyGraphs.input(SHAPE, 3)),
                SHAPE).v();
        for (int i = 0; i < ref.length; i++) {
            assertThat((double) logits[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    private static Tensor weight(Graph g, String name) {
        return RepresentationTrainingTest.weight(g, name);
    }

    /** {@link BlockCirculant#materialize()} in double. */
    private static double[] blockDense(int m, int n, int b, double[] v) {
        int q = (n + b - 1) / b;
        double[] w = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] = v[((i / b) * q + j / b) * b + Math.floorMod(i % b - j % b, b)];
            }
        }
        return w;
    }

    /** Codes times per-channel scales along {@code axis} of an {@code m x n} matrix, in double. */
    private static double[] scaledCodes(int[] codes, double[] scales, int m, int n, int axis) {
        double[] w = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] = codes[i * n + j] * scales[axis == 0 ? i : j];
            }
        }
        return w;
    }
}
