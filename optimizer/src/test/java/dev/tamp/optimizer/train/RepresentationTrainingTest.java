package dev.tamp.optimizer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.BlockCirculant;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.Codebook;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Hashed;
import dev.tamp.model.ir.HuffmanCoded;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.ir.SparseCodebook;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.ops.Parallelism;
import dev.tamp.optimizer.numerics.AffineQuantization;
import dev.tamp.optimizer.numerics.CirculantProjection;
import dev.tamp.optimizer.numerics.HashProjection;
import dev.tamp.optimizer.numerics.HuffmanLengths;
import dev.tamp.optimizer.numerics.SignQuantization;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.Test;

/**
 * Training through compressed representations: the chain rule onto their parameters is gradient-checked, and a few
 * optimizer steps on LeNet-300-100 lower the loss while every representation keeps its kind and structure.
 */
class RepresentationTrainingTest {
    private static final double U = Math.ulp(1f) / 2;
    private static final double H = 1e-5;

    @Test
    void sparseAndCodebookLayersTrainWithoutChangingTheirStructure() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Graph compressed = replace(dense, Map.of(
                "fc1.weight", pruned(dense, "fc1.weight", 0.9),
                "fc2.weight", codebook(weight(dense, "fc2.weight"), 16),
                "fc3.weight", sparseCodebook(pruned(dense, "fc3.weight", 0.5), 8)));
        Graph trained = trainBriefly(compressed);

        Sparse s0 = (Sparse) rep(compressed, "fc1.weight");
        Sparse s1 = (Sparse) rep(trained, "fc1.weight");
        assertThat(s1.positions()).isEqualTo(s0.positions());
        assertThat(s1.values()).isNotEqualTo(s0.values());
        Codebook c0 = (Codebook) rep(compressed, "fc2.weight");
        Codebook c1 = (Codebook) rep(trained, "fc2.weight");
        assertThat(c1.indices()).isEqualTo(c0.indices());
        assertThat(c1.centroids()).hasSameSizeAs(c0.centroids()).isNotEqualTo(c0.centroids());
        SparseCodebook sc0 = (SparseCodebook) rep(compressed, "fc3.weight");
        SparseCodebook sc1 = (SparseCodebook) rep(trained, "fc3.weight");
        assertThat(sc1.positions()).isEqualTo(sc0.positions());
        assertThat(sc1.indices()).isEqualTo(sc0.indices());
        assertThat(sc1.centroids()).isNotEqualTo(sc0.centroids());
        assertThat(rep(trained, "fc1.bias")).isInstanceOf(dev.tamp.model.ir.Dense.class);
    }

    @Test
    void factoredLayerTrainsBothFactorsAtTheSameRank() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Graph compressed = replace(dense, Map.of("fc2.weight", factored(weight(dense, "fc2.weight"), 4)));
        Graph trained = trainBriefly(compressed);
        Factored f0 = (Factored) rep(compressed, "fc2.weight");
        Factored f1 = (Factored) rep(trained, "fc2.weight");
        assertThat(f1.rank()).isEqualTo(f0.rank());
        assertThat(f1.layout()).isEqualTo(f0.layout());
        assertThat(f1.u()).isNotEqualTo(f0.u());
        assertThat(f1.v()).isNotEqualTo(f0.v());
    }

    @Test
    void maskedGradientAndWeightStayZeroUnderSgdWithMomentumAndWeightDecay() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Graph compressed = replace(dense, Map.of("fc1.weight", pruned(dense, "fc1.weight", 0.9)));
        TrainingOptions sgd = TrainingOptions.defaults().withEpochs(0.1).withBatch(64)
                .withOptimizer(TrainingOptions.OptimizerKind.SGD, 0.05, 0.9, 5e-4);
        Graph trained = Trainer.train(compressed, TrainingFixtures.train(), Preprocessing.unitScale(), sgd,
                TrainingListener.none());
        float[] before = rep(compressed, "fc1.weight").materialize().floats();
        float[] after = rep(trained, "fc1.weight").materialize().floats();
        for (int i = 0; i < before.length; i++) {
            if (before[i] == 0f) {
                assertThat(Float.floatToRawIntBits(after[i])).as("pruned element %d", i).isZero();
            }
        }
    }

    /**
     * dL/dcentroid = sum of the members' dL/dW and dU = dW V^T, dV = U^T dW, checked against finite differences of
     * the double reference with the dense weight rebuilt in double from the perturbed parameter. Tolerance as
     * {@link GradientCheckTest#gemmWithBiasAlphaBetaAndBothTransposes()} (N < 32), doubled for the one extra
     * accumulation of the chain rule (members summed in double; factor products of length <= 6): 64 u.
     */
    @Test
    void chainRuleOntoCentroidsAndFactorsMatchesFiniteDifferences() {
        Graph mlp = TinyGraphs.mlp(9);
        Codebook cb = codebook(weight(mlp, "w1"), 4);
        Factored fac = factored(weight(mlp, "w2"), 2);
        Graph compressed = replace(mlp, Map.of("w1", cb, "w2", fac));
        TrainableGraph tg = TrainableGraph.of(compressed);
        int[] shape = {4, 6};
        int[] labels = {1, 0, 2, 2};
        float[] x = TinyGraphs.input(shape, 3);
        float[] logits = tg.forward(x, shape, Parallelism.sequential());
        float[] grad = new float[logits.length];
        Losses.crossEntropy(logits, 4, 3, labels, grad);
        tg.zeroGrad();
        tg.backward(grad, Parallelism.sequential());
        tg.pullGradients(Parallelism.sequential());
        DoubleReference ref = new DoubleReference(compressed);
        double[] xd = GradientCheckTest.toDouble(x);
        Map<String, Parameter> params = new LinkedHashMap<>();
        tg.parameters().forEach(p -> params.put(p.name(), p));

        Parameter centroids = params.get("w1/centroids");
        double[] fd = new double[centroids.size()];
        for (int j = 0; j < fd.length; j++) {
            double[] c = GradientCheckTest.toDouble(centroids.value());
            c[j] += H;
            double up = ref.loss(Map.of("w1", codebookDense(cb, c)), xd, shape, labels, null, 1, 0);
            c[j] -= 2 * H;
            double down = ref.loss(Map.of("w1", codebookDense(cb, c)), xd, shape, labels, null, 1, 0);
            fd[j] = (up - down) / (2 * H);
        }
        assertThat(GradientCheckTest.relativeError(centroids.grad(), fd, null)).isLessThan(64 * U);

        for (String factor : new String[] {"w2/u", "w2/v"}) {
            Parameter p = params.get(factor);
            double[] fdf = new double[p.size()];
            for (int i = 0; i < fdf.length; i++) {
                double[] uu = GradientCheckTest.toDouble(params.get("w2/u").value());
                double[] vv = GradientCheckTest.toDouble(params.get("w2/v").value());
                double[] target = factor.endsWith("u") ? uu : vv;
                target[i] += H;
                double up = ref.loss(Map.of("w2", product(uu, vv, 5, 2, 3)), xd, shape, labels, null, 1, 0);
                target[i] -= 2 * H;
                double down = ref.loss(Map.of("w2", product(uu, vv, 5, 2, 3)), xd, shape, labels, null, 1, 0);
                fdf[i] = (up - down) / (2 * H);
            }
            assertThat(GradientCheckTest.relativeError(p.grad(), fdf, null)).as(factor).isLessThan(64 * U);
        }
    }

    /**
     * Uniform (4-bit asymmetric per channel), ternary (per channel) and binary (per tensor, a 1-bit codebook) layers
     * trained through straight-through shadows started at the float weights: the codes move, the uniform grids stay
     * put, the binary and ternary scales train, and every stored form keeps its kind, bits, axis and size.
     */
    @Test
    void quantizedLayersMoveTheirCodesAndKeepTheirGrids() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        AffineQuantized uniform = AffineQuantization.quantize(weight(dense, "fc1.weight"), 4, false, 0);
        AffineQuantized ternary = SignQuantization.ternary(weight(dense, "fc2.weight"), 0);
        Codebook binary = (Codebook) SignQuantization.binary(weight(dense, "fc3.weight"), -1);
        Graph compressed = replace(dense, Map.of("fc1.weight", uniform, "fc2.weight", ternary, "fc3.weight", binary));
        Map<String, float[]> floats = new LinkedHashMap<>();
        for (String name : List.of("fc1.weight", "fc2.weight", "fc3.weight")) {
            floats.put(name, weight(dense, name).floats());
        }
        Graph trained = trainBriefly(compressed, TrainableWeight.withFloats(floats));

        AffineQuantized u = (AffineQuantized) rep(trained, "fc1.weight");
        assertThat(u.scales()).isEqualTo(uniform.scales());
        assertThat(u.zeroPoints()).isEqualTo(uniform.zeroPoints());
        assertThat(List.of(u.bits(), u.axis(), u.signed())).isEqualTo(List.of(4, 0, false));
        assertThat(changed(u.codes(), uniform.codes())).as("uniform codes moved").isGreaterThan(100);
        AffineQuantized t = (AffineQuantized) rep(trained, "fc2.weight");
        assertThat(t.codes()).containsOnly(-1, 0, 1);
        assertThat(t.zeroPoints()).containsOnly(0);
        assertThat(t.scales()).isNotEqualTo(ternary.scales());
        assertThat(changed(t.codes(), ternary.codes())).as("ternary codes moved").isGreaterThan(10);
        Codebook b = (Codebook) rep(trained, "fc3.weight");
        assertThat(QuantizedWeight.isBinaryCodebook(b)).isTrue();
        assertThat(b.centroids()).isNotEqualTo(binary.centroids());
        assertThat(changed(b.indices(), binary.indices())).as("binary signs flipped").isPositive();
        for (String name : floats.keySet()) {
            assertThat(rep(trained, name).storedBytes()).as(name).isEqualTo(rep(compressed, name).storedBytes());
        }
    }

    /** Hashed and block-circulant layers train their buckets and defining vectors; hash, seed and tiles stay. */
    @Test
    void hashedAndBlockCirculantLayersTrainTheirTablesAndVectors() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Hashed hashed = HashProjection.fit(new int[] {300, 784}, weight(dense, "fc1.weight").floats(), 42, true,
                300 * 784 / 16);
        BlockCirculant block = new BlockCirculant(new int[] {100, 300}, 16,
                CirculantProjection.blockCirculant(weight(dense, "fc2.weight").floats(), 100, 300, 16));
        Graph compressed = replace(dense, Map.of("fc1.weight", hashed, "fc2.weight", block));
        Graph trained = trainBriefly(compressed, TrainableWeight::of);
        Hashed h = (Hashed) rep(trained, "fc1.weight");
        assertThat(List.of(h.seed(), h.signHash(), h.buckets().length))
                .isEqualTo(List.of(hashed.seed(), hashed.signHash(), hashed.buckets().length));
        assertThat(h.buckets()).isNotEqualTo(hashed.buckets());
        BlockCirculant c = (BlockCirculant) rep(trained, "fc2.weight");
        assertThat(c.blockSize()).isEqualTo(16);
        assertThat(c.vectors()).hasSameSizeAs(block.vectors()).isNotEqualTo(block.vectors());
    }

    /**
     * A plain circulant layer on real images: no reference model has a square layer, so a 784 x 784 circulant
     * (initialized from a seeded random vector) feeds LeNet-300-100's fc1; the vector trains through the FFT.
     */
    @Test
    void circulantLayerTrainsItsDefiningVectorOnImages() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Graph withCirculant = prependCirculant(dense, 784);
        Graph trained = trainBriefly(withCirculant, TrainableWeight::of);
        Circulant before = (Circulant) rep(withCirculant, "mix.weight");
        Circulant after = (Circulant) rep(trained, "mix.weight");
        assertThat(after.c()).hasSize(784).isNotEqualTo(before.c());
    }

    /**
     * With no step taken, every quantized form re-derives exactly its stored codes, from the float weights it was
     * quantized from, from its dequantized values, and from floats it was not quantized from (which are ignored): uniform of 2 to 8 bits, symmetric or not, per tensor or per
     * channel; binary and ternary per tensor and per channel.
     */
    @Test
    void shadowsReproduceTheStoredCodesBeforeAnyStep() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Tensor w = weight(dense, "fc2.weight");
        List<Representation> forms = new java.util.ArrayList<>();
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean symmetric : new boolean[] {true, false}) {
                for (int axis : new int[] {-1, 0}) {
                    forms.add(AffineQuantization.quantize(w, bits, symmetric, axis));
                }
            }
        }
        for (int axis : new int[] {-1, 0}) {
            forms.add(SignQuantization.binary(w, axis));
            forms.add(SignQuantization.ternary(w, axis));
        }
        for (Representation r : forms) {
            Graph g = replace(dense, Map.of("fc2.weight", r));
            // Floats no rule maps to the stored codes (the weights negated) are not what was quantized: ignored.
            float[] negated = w.floats().clone();
            for (int i = 0; i < negated.length; i++) {
                negated[i] = -negated[i];
            }
            for (var factory : List.of(TrainableWeight.withFloats(Map.of("fc2.weight", w.floats())),
                    TrainableWeight.withFloats(Map.of()), TrainableWeight.withFloats(Map.of("fc2.weight", negated)))) {
                TrainableGraph tg = TrainableGraph.of(g, factory);
                tg.afterStep(Parallelism.sequential());
                assertThat(rep(tg.toGraph(), "fc2.weight")).as(r.toString()).isEqualTo(r);
            }
        }
    }

    @Test
    void untrainableRepresentationsAndOpsAreRefusedNamingTheNode() {
        Graph dense = TrainingFixtures.model("fmnist_lenet300_100");
        Codebook codebook = codebook(weight(dense, "fc2.weight"), 16);
        HuffmanCoded coded = new HuffmanCoded(codebook, List.of(HuffmanLengths.code(codebook.indices(), 16,
                dev.tamp.model.ir.HuffmanCode.MAX_LENGTH)));
        Graph huffman = replace(dense, Map.of("fc2.weight", coded));
        assertThatThrownBy(() -> TrainableGraph.of(huffman)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fc2.weight").hasMessageContaining("HuffmanCoded").hasMessageContaining("Gemm");
        java.util.List<dev.tamp.model.ir.Node> nodes = dense.nodes().stream().map(n -> n.opType().equals("Relu")
                ? new dev.tamp.model.ir.Node(n.name(), "Sigmoid", n.inputs(), n.outputs(), n.attributes()) : n)
                .toList();
        Graph sigmoid = new Graph(dense.name(), dense.opsetVersion(), dense.inputs(), dense.outputs(), nodes,
                dense.weights(), dense.values());
        assertThatThrownBy(() -> TrainableGraph.of(sigmoid)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Sigmoid").hasMessageContaining("cannot be trained");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * A quarter epoch of Adam; the compressions above are severe enough (90 % pruning, 16 linear centroids, rank 4)
     * that the uncompressed model's training loss (0.16) is far away, so a few steps must lower it.
     */
    private static Graph trainBriefly(Graph g) {
        return trainBriefly(g, TrainableWeight::of);
    }

    private static Graph trainBriefly(Graph g, BiFunction<Node, Weight, TrainableWeight> factory) {
        LabeledImages data = TrainingFixtures.train();
        LabeledImages probe = data.slice(0, 1000);
        double before = loss(g, probe);
        TrainingOptions options = TrainingOptions.defaults().withEpochs(0.25).withBatch(64).withThreads(2);
        Graph trained = Trainer.train(TrainableGraph.of(g, factory), data, Preprocessing.unitScale(), options,
                TrainingListener.none());
        for (String name : g.weights().keySet()) {
            assertThat(rep(trained, name).kind()).as(name).isEqualTo(rep(g, name).kind());
        }
        assertThat(loss(trained, probe)).as("training loss on 1,000 images").isLessThan(before);
        return trained;
    }

    private static double loss(Graph g, LabeledImages data) {
        try (Executor e = Executor.create(g, 1)) {
            return Evaluation.evaluate(e, data, Preprocessing.unitScale(), 250, false).meanLoss();
        }
    }

    static Graph replace(Graph g, Map<String, Representation> reps) {
        Map<String, Weight> ws = new LinkedHashMap<>(g.weights());
        reps.forEach((name, r) -> ws.put(name, new Weight(name, r)));
        return new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), ws, g.values());
    }

    private static int changed(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n;
    }

    /**
     * The graph with a Gemm {@code mix} (a seeded random circulant {@code n x n}, transB=1, no bias) between its
     * first node (the Flatten) and the rest.
     */
    private static Graph prependCirculant(Graph g, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            c[i] = (float) ((r.nextDouble() - 0.5) * 2 / Math.sqrt(n));
        }
        Node flatten = g.nodes().get(0);
        String mixed = flatten.output(0) + "_mixed";
        List<Node> nodes = new java.util.ArrayList<>();
        nodes.add(flatten);
        nodes.add(new Node("mix", "Gemm", List.of(flatten.output(0), "mix.weight"), List.of(mixed),
                new dev.tamp.model.ir.Attributes(Map.of("transB", new dev.tamp.model.ir.AttributeValue.Int(1)))));
        for (Node node : g.nodes().subList(1, g.nodes().size())) {
            nodes.add(new Node(node.name(), node.opType(), node.inputs().stream()
                    .map(i -> i.equals(flatten.output(0)) ? mixed : i).toList(), node.outputs(), node.attributes()));
        }
        Map<String, Weight> ws = new LinkedHashMap<>(g.weights());
        ws.put("mix.weight", new Weight("mix.weight", new Circulant(new int[] {n, n}, c)));
        return new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), nodes, ws, g.values());
    }

    static Representation rep(Graph g, String name) {
        return g.weights().get(name).representation();
    }

    static Tensor weight(Graph g, String name) {
        return rep(g, name).materialize();
    }

    /** The weight with its smallest-magnitude {@code fraction} of elements removed. */
    static Sparse pruned(Graph g, String name, double fraction) {
        float[] w = weight(g, name).floats().clone();
        float[] mags = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            mags[i] = Math.abs(w[i]);
        }
        Arrays.sort(mags);
        float threshold = mags[(int) (fraction * w.length)];
        for (int i = 0; i < w.length; i++) {
            if (Math.abs(w[i]) < threshold) {
                w[i] = 0f;
            }
        }
        return Sparse.fromDense(Tensor.ofFloats(weight(g, name).shape(), w), 8);
    }

    /** Linear centroids between min and max, each element assigned to the nearest (enough for training tests). */
    static Codebook codebook(Tensor t, int k) {
        float[] w = t.floats();
        float[] c = linearCentroids(w, k);
        int[] idx = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            idx[i] = nearest(c, w[i]);
        }
        return new Codebook(t.shape(), 32 - Integer.numberOfLeadingZeros(k - 1), c, idx);
    }

    static SparseCodebook sparseCodebook(Sparse s, int k) {
        float[] values = s.values();
        float[] c = linearCentroids(values, k);
        int[] idx = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            idx[i] = nearest(c, values[i]);
        }
        return new SparseCodebook(s.dims(), 5, 32 - Integer.numberOfLeadingZeros(k - 1), c, s.positions(), idx);
    }

    private static float[] linearCentroids(float[] w, int k) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : w) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float[] c = new float[k];
        for (int j = 0; j < k; j++) {
            c[j] = min + (max - min) * j / (k - 1);
        }
        return c;
    }

    private static int nearest(float[] c, float v) {
        int best = 0;
        for (int j = 1; j < c.length; j++) {
            if (Math.abs(c[j] - v) < Math.abs(c[best] - v)) {
                best = j;
            }
        }
        return best;
    }

    /** Truncated SVD {@code U = U_r S_r}, {@code V = V_r^T}. */
    static Factored factored(Tensor t, int rank) {
        int m = t.dim(0);
        int n = t.size() / m;
        double[][] a = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = t.floats()[i * n + j];
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(MatrixUtils.createRealMatrix(a));
        RealMatrix u = svd.getU();
        RealMatrix v = svd.getV();
        double[] s = svd.getSingularValues();
        float[] uf = new float[m * rank];
        float[] vf = new float[rank * n];
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < rank; r++) {
                uf[i * rank + r] = (float) (u.getEntry(i, r) * s[r]);
            }
        }
        for (int r = 0; r < rank; r++) {
            for (int j = 0; j < n; j++) {
                vf[r * n + j] = (float) v.getEntry(j, r);
            }
        }
        return new Factored(t.shape(), rank, uf, vf, Factored.Layout.OUTPUT_BY_INPUT);
    }

    private static double[] codebookDense(Codebook cb, double[] centroids) {
        int[] idx = cb.indices();
        double[] d = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            d[i] = centroids[idx[i]];
        }
        return d;
    }

    private static double[] product(double[] u, double[] v, int m, int r, int n) {
        double[] w = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < r; p++) {
                for (int j = 0; j < n; j++) {
                    w[i * n + j] += u[i * r + p] * v[p * n + j];
                }
            }
        }
        return w;
    }
}
