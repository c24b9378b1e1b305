package dev.tamp.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.model.OrtOracle;
import dev.tamp.model.RepoFiles;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.AffineQuantized;
import dev.tamp.model.ir.AttributeValue;
import dev.tamp.model.ir.Attributes;
import dev.tamp.model.ir.Circulant;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Factored;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.RepresentationFixtures;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.proto.OnnxProtos.ModelProto;
import dev.tamp.model.onnx.proto.OnnxProtos.NodeProto;
import dev.tamp.model.ops.Operators;
import dev.tamp.model.ops.ShapeInference;
import dev.tamp.model.report.LayerTable;
import dev.tamp.model.report.ModelReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed representations exported in standard ONNX form: ONNX Runtime runs the exported file and agrees with
 * tamp's executor on the IR, the file re-imports to a graph that agrees again, and {@code tamp inspect} reads it.
 *
 * <p>Tolerances. Where the export is the materialized dense weight, or DequantizeLinear (which ONNX Runtime computes
 * as {@code (float) (q - zp) * scale}, bit for bit what {@code materialize()} gives: checked exactly below), ONNX
 * Runtime multiplies the same float32 weights as tamp and only the summation order differs, so logits agree within
 * the reference models' 1e-4 (see {@code ReferenceModelsTest}). A factored layer is two Gemms in ONNX
 * ({@code (x V^T) U^T}) but one product with the rounded {@code U V} in tamp: the reassociation and the rounding of
 * {@code U V} to float32 add a few float32 ulps per term (measured: at most 3.3e-5 on logits of magnitude ~10), so
 * factored variants get 2e-4.
 */
class RepresentationExportTest {
    private static final int IMAGES = 300;
    private static final double DENSE_TOLERANCE = 1e-4;
    private static final double FACTORED_TOLERANCE = 2e-4;

    private static Tensor batch;

    @BeforeAll
    static void loadData() {
        LabeledImages data = IdxFiles.locate(List.of(RepoFiles.fashionMnist())).slice(0, IMAGES);
        batch = Preprocessing.unitScale().batch(data, 0, data.count());
    }

    /** A layer's weight and the axis of its output channels: Conv and Gemm with transB are [out, in], else [in, out]. */
    private record Layer(Node node, Weight weight, boolean outputByInput) {}

    private static List<Layer> layers(Graph g) {
        return g.nodes().stream()
                .filter(n -> List.of("Gemm", "Conv", "MatMul").contains(n.opType()) && g.isWeight(n.input(1)))
                .map(n -> new Layer(n, g.weights().get(n.input(1)), n.opType().equals("Conv")
                        || n.opType().equals("Gemm") && n.attributes().getInt("transB", 0) != 0))
                .toList();
    }

    private static final Map<String, BiFunction<Layer, SplittableRandom, Representation>> VARIANTS = new LinkedHashMap<>();

    static {
        VARIANTS.put("int8 per-channel symmetric", (l, r) ->
                RepresentationFixtures.symmetric(l.weight().representation().materialize(), 8, l.outputByInput() ? 0 : 1));
        VARIANTS.put("int4 per-tensor asymmetric", (l, r) ->
                RepresentationFixtures.asymmetric(l.weight().representation().materialize(), 4, -1));
        VARIANTS.put("sparse 50% (5-bit gaps)", (l, r) ->
                RepresentationFixtures.magnitudeSparse(l.weight().representation().materialize(), 0.5, 5));
        VARIANTS.put("codebook 16", (l, r) ->
                RepresentationFixtures.uniformCodebook(l.weight().representation().materialize(), 4));
        VARIANTS.put("factored rank min(m,n)/4 (Gemm)", (l, r) -> {
            if (l.node().opType().equals("Conv")) {
                return null;
            }
            int[] d = l.weight().representation().dims();
            return RepresentationFixtures.lowRank(l.weight().representation().materialize(),
                    Math.max(1, Math.min(d[0], d[1]) / 4), l.outputByInput() ? Factored.Layout.OUTPUT_BY_INPUT
                            : Factored.Layout.INPUT_BY_OUTPUT, r.nextLong());
        });
        VARIANTS.put("block-circulant b=8 (Gemm)", (l, r) -> l.node().opType().equals("Conv") ? null
                : RepresentationFixtures.blockCirculantProjection(l.weight().representation().materialize(), 8));
        VARIANTS.put("hashed 1/8 buckets, signed (Gemm)", (l, r) -> l.node().opType().equals("Conv") ? null
                : RepresentationFixtures.hashedProjection(l.weight().representation().materialize(),
                        (int) Math.max(1, l.weight().elementCount() / 8), r.nextLong(), true));
    }

    private static float[] run(Graph g) {
        try (Executor e = Executor.create(g, 2)) {
            return e.run(batch).floats();
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    void everyRepresentationExportsToAModelOnnxRuntimeAndTheReimporterAgreeWith(String name, @TempDir Path tmp)
            throws Exception {
        Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
        Graph g = model.graph();
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        for (Map.Entry<String, BiFunction<Layer, SplittableRandom, Representation>> variant : VARIANTS.entrySet()) {
            Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
            long denseBytes = 0;
            long storedBytes = 0;
            for (Layer l : layers(g)) {
                Representation r = variant.getValue().apply(l, rnd);
                if (r != null) {
                    denseBytes += l.weight().representation().storedBytes();
                    storedBytes += r.storedBytes();
                    weights.put(l.weight().name(), new Weight(l.weight().name(), r));
                }
            }
            Graph compressed = new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                    g.values());
            Model compressedModel = new Model(compressed, "tamp", "0.1.0", model.irVersion());
            byte[] exported = OnnxExporter.toBytes(compressedModel);
            float[] ours = run(compressed);
            float[] ort;
            try (OrtOracle oracle = OrtOracle.open(exported)) {
                ort = oracle.run(batch);
            }
            Model reimported = OnnxImporter.withDefaults().parse(exported, null, name + " " + variant.getKey());
            float[] again = run(reimported.graph());
            double ortDiff = maxDiff(ours, ort);
            double reimportDiff = maxDiff(ours, again);
            System.out.printf("%s, %s: compressed layers %d -> %d stored bytes, ONNX file %d -> %d bytes, "
                    + "max |logit diff| ORT %.3g, re-imported %.3g%n", name, variant.getKey(), denseBytes,
                    storedBytes, OnnxExporter.toBytes(model).length, exported.length, ortDiff, reimportDiff);
            boolean factored = variant.getKey().startsWith("factored");
            double tolerance = factored ? FACTORED_TOLERANCE : DENSE_TOLERANCE;
            assertThat(ortDiff).as("%s %s: ONNX Runtime vs executor", name, variant.getKey())
                    .isLessThanOrEqualTo(tolerance);
            assertThat(reimportDiff).as("%s %s: re-imported vs executor", name, variant.getKey())
                    .isLessThanOrEqualTo(tolerance);

            ModelProto proto = ModelProto.parseFrom(exported);
            List<String> ops = proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
            long layerCount = layers(g).stream().filter(l -> weights.get(l.weight().name()).representation()
                    != l.weight().representation()).count();
            if (variant.getKey().startsWith("int")) {
                assertThat(ops.stream().filter("DequantizeLinear"::equals).count()).isEqualTo(layerCount);
                // The importer folds DequantizeLinear back into the same quantized weights, so export is stable.
                assertThat(reimported.graph().weights()).isEqualTo(compressed.weights());
                assertThat(OnnxExporter.toBytes(reimported)).isEqualTo(exported);
                assertThat(again).containsExactly(ours);
            } else if (factored) {
                assertThat(ops.stream().filter(o -> o.equals("Gemm") || o.equals("MatMul")).count())
                        .isEqualTo(g.nodes().stream().filter(n -> n.opType().equals("Gemm")
                                || n.opType().equals("MatMul")).count() + layerCount);
            } else {
                assertThat(ops).isEqualTo(g.nodes().stream().map(Node::opType).toList());
            }
            Path file = tmp.resolve(name + "-" + variant.getKey().replaceAll("[^a-z0-9]+", "_") + ".onnx");
            Files.write(file, exported);
            LayerTable table = ModelReports.inspect(file);
            assertThat(table.renderText()).contains(factored ? "_low_rank" : "Gemm");
        }
    }

    /** Exports {@code out = x + w} for one weight, so ONNX Runtime's value of the weight can be compared bit for bit. */
    private static byte[] addWeightModel(Representation r) {
        return addWeightModel(r, 13);
    }

    private static byte[] addWeightModel(Representation r, int opset) {
        int[] dims = r.dims();
        long[] sizes = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            sizes[i] = dims[i];
        }
        ValueInfo x = new ValueInfo("x", DataType.FLOAT, Shape.of(sizes));
        Map<String, Weight> weights = Map.of("w", new Weight("w", r));
        List<Node> nodes = List.of(new Node("add", "Add", List.of("x", "w"), List.of("out"), Attributes.empty()));
        Map<String, ValueInfo> values = ShapeInference.symbolic(List.of(x), weights, nodes, opset,
                Operators.standard());
        Graph g = new Graph("add", opset, List.of(x), List.of(values.get("out")), nodes, weights, values);
        return OnnxExporter.toBytes(new Model(g, "tamp", "0.1.0", 7));
    }

    @Test
    void quantizedWeightsAreDensifiedWhereTheOpsetHasNoDequantizeLinearForThem() throws Exception {
        Tensor w = RepresentationFixtures.randomTensor(new SplittableRandom(13), 6, 5);
        Tensor zeros = Tensor.ofFloats(new int[] {6, 5}, new float[30]);
        for (int opset : new int[] {9, 12, 13}) {
            for (int axis : new int[] {-1, 0}) {
                AffineQuantized q = RepresentationFixtures.symmetric(w, 8, axis);
                byte[] bytes = addWeightModel(q, opset);
                boolean dequantized = opset >= (axis < 0 ? 10 : 13);
                assertThat(ModelProto.parseFrom(bytes).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                        .as("opset %d, axis %d", opset, axis)
                        .containsExactlyElementsOf(dequantized ? List.of("DequantizeLinear", "Add") : List.of("Add"));
                try (OrtOracle oracle = OrtOracle.open(bytes)) {
                    assertThat(oracle.run(zeros)).containsExactly(q.materialize().floats());
                }
            }
        }
    }

    @Test
    void onnxRuntimeComputesEveryExportedWeightBitForBitAsMaterialize() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        int checked = 0;
        for (int[] dims : RepresentationFixtures.SHAPES) {
            for (Representation r : RepresentationFixtures.randomInstances(rnd, dims)) {
                byte[] bytes = addWeightModel(r);
                Tensor zeros = Tensor.ofFloats(dims, new float[(int) Tensor.elementCount(dims)]);
                float[] ort;
                try (OrtOracle oracle = OrtOracle.open(bytes)) {
                    ort = oracle.run(zeros);
                }
                float[] expected = r.materialize().floats().clone();
                for (int i = 0; i < expected.length; i++) {
                    expected[i] += 0f;
                }
                assertThat(ort).as("%s", r).containsExactly(expected);
                if (r instanceof AffineQuantized q) {
                    List<String> ops = ModelProto.parseFrom(bytes).getGraph().getNodeList().stream()
                            .map(NodeProto::getOpType).toList();
                    assertThat(ops).containsExactly("DequantizeLinear", "Add");
                    assertThat(OnnxImporter.withDefaults().parse(bytes, null, "dq").graph().weights().get("w")
                            .representation().materialize()).isEqualTo(q.materialize());
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(80);
        assertThat(new Circulant(new int[] {3, 3}, new float[] {1, 2, 3}).materialize().floats())
                .containsExactly(1, 3, 2, 2, 1, 3, 3, 2, 1);
    }

    /** A Gemm (any transA, alpha, beta, both layouts) or MatMul over a factored weight, as two layers in ONNX. */
    @Test
    void factoredGemmAndMatMulBecomeTwoLayersThatComputeTheSameAsTheProduct() throws Exception {
        SplittableRandom rnd = new SplittableRandom(12);
        int k = 19;
        int n = 7;
        int rank = 3;
        for (String op : List.of("Gemm", "MatMul")) {
            for (int transA = 0; transA <= (op.equals("Gemm") ? 1 : 0); transA++) {
                for (int transB = 0; transB <= (op.equals("Gemm") ? 1 : 0); transB++) {
                    boolean outByIn = transB == 1;
                    int[] wDims = outByIn ? new int[] {n, k} : new int[] {k, n};
                    Factored f = new Factored(wDims, rank, RepresentationFixtures.gaussian(rnd, wDims[0] * rank),
                            RepresentationFixtures.gaussian(rnd, rank * wDims[1]),
                            outByIn ? Factored.Layout.OUTPUT_BY_INPUT : Factored.Layout.INPUT_BY_OUTPUT);
                    int batchSize = 5;
                    ValueInfo x = new ValueInfo("x", DataType.FLOAT,
                            Shape.of(transA == 1 ? new long[] {k, batchSize} : new long[] {batchSize, k}));
                    Map<String, Weight> weights = new LinkedHashMap<>();
                    weights.put("w", new Weight("w", f));
                    List<String> inputs = List.of("x", "w");
                    Attributes attrs = Attributes.empty();
                    if (op.equals("Gemm")) {
                        weights.put("b", Weight.dense("b", RepresentationFixtures.randomTensor(rnd, n)));
                        inputs = List.of("x", "w", "b");
                        attrs = new Attributes(Map.of("transA", new AttributeValue.Int(transA), "transB",
                                new AttributeValue.Int(transB), "alpha", new AttributeValue.Float(0.5f), "beta",
                                new AttributeValue.Float(2f)));
                    }
                    List<Node> nodes = List.of(new Node("layer", op, inputs, List.of("y"), attrs));
                    Map<String, ValueInfo> values = ShapeInference.symbolic(List.of(x), weights, nodes, 13,
                            Operators.standard());
                    Graph g = new Graph("f", 13, List.of(x), List.of(values.get("y")), nodes, weights, values);
                    byte[] bytes = OnnxExporter.toBytes(new Model(g, "tamp", "0.1.0", 7));
                    assertThat(ModelProto.parseFrom(bytes).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                            .containsExactly(op, op);
                    Tensor input = RepresentationFixtures.randomTensor(rnd, (int) x.shape().dims().get(0).size(),
                            (int) x.shape().dims().get(1).size());
                    float[] ours;
                    try (Executor e = Executor.create(g, 1)) {
                        ours = e.run(input).floats();
                    }
                    float[] ort;
                    try (OrtOracle oracle = OrtOracle.open(bytes)) {
                        ort = oracle.run(input);
                    }
                    // Values of order 1-10 summed over 19 terms; reassociation moves them by a few float32 ulps.
                    assertThat(maxDiff(ours, ort)).as("%s transA=%d transB=%d", op, transA, transB)
                            .isLessThanOrEqualTo(1e-4);
                }
            }
        }
    }
}
