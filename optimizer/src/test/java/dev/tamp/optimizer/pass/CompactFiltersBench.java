package dev.tamp.optimizer.pass;

import dev.tamp.compiler.ast.PassKind;
import dev.tamp.compiler.ir.Settings;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.report.LayerTable;
import dev.tamp.model.report.ModelInspector;
import dev.tamp.optimizer.RepoFiles;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.numerics.CompactFilters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Full 10k test-set accuracy of compact filters, no fine-tuning, data-free start against the least-squares fit, with
 * parameters and MACs before and after (docs/passes.md). Not part of the default suite (about 15 minutes on 2 cores); run with
 * {@code mvn -B -o -pl optimizer -am test -Dtamp.skipNode -Dtest=CompactFiltersBench
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CompactFiltersBench {
    private static final List<String> RESNET8_3X3 = List.of("/conv1/Conv", "/layer1/conv1/Conv",
            "/layer1/conv2/Conv", "/layer2/conv1/Conv", "/layer2/conv2/Conv", "/layer3/conv1/Conv",
            "/layer3/conv2/Conv");

    @Test
    void measure() {
        RecipeData data = CompactFiltersPassTest.data();
        Model lenet5 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_lenet5"));
        Model resnet8 = OnnxImporter.withDefaults().load(RepoFiles.model("fmnist_resnet8"));
        report("lenet5", "baseline", lenet5, lenet5, 0, data);
        List<String> conv2 = List.of("/conv2/Conv");
        Settings ds = TestContexts.settings(PassKind.COMPACT, "method", "depthwise-separable", "samples", 1024);
        run("lenet5 conv2", "depthwise-separable", lenet5, conv2, ds, CorePasses.COMPACT_DEPTHWISE_SEPARABLE,
                (c, n) -> CompactFilters.separableInit(c).effective(), data);
        for (double width : new double[] {0.5, 0.25}) {
            Settings bn = TestContexts.settings(PassKind.COMPACT, "method", "bottleneck",
                    "width", TestContexts.fraction(width), "samples", 1024);
            run("lenet5 conv2", "bottleneck " + width, lenet5, conv2, bn, CorePasses.COMPACT_BOTTLENECK,
                    (c, n) -> CompactFilters.tucker2(c, (int) Math.max(1, Math.round(width * c.in()))).effective(),
                    data);
        }
        report("resnet8", "baseline", resnet8, resnet8, 0, data);
        Settings ds256 = TestContexts.settings(PassKind.COMPACT, "method", "depthwise-separable", "samples", 256);
        run("resnet8 3x3", "depthwise-separable", resnet8, RESNET8_3X3, ds256,
                CorePasses.COMPACT_DEPTHWISE_SEPARABLE, (c, n) -> CompactFilters.separableInit(c).effective(), data);
        List<String> inner = RESNET8_3X3.subList(1, RESNET8_3X3.size());
        run("resnet8 3x3 but the stem", "depthwise-separable", resnet8, inner, ds256,
                CorePasses.COMPACT_DEPTHWISE_SEPARABLE, (c, n) -> CompactFilters.separableInit(c).effective(), data);
        Settings bn256 = TestContexts.settings(PassKind.COMPACT, "method", "bottleneck", "width", TestContexts.fraction(0.5),
                "samples", 256);
        run("resnet8 3x3 but the stem", "bottleneck 0.5", resnet8, inner, bn256, CorePasses.COMPACT_BOTTLENECK,
                (c, n) -> CompactFilters.tucker2(c, c.in() / 2).effective(), data);
    }

    private static void run(String what, String method, Model model, List<String> layers, Settings settings,
            Pass pass, BiFunction<CompactFilters.Conv, Node, double[][]> dataFree, RecipeData data) {
        Model init = model;
        for (String layer : layers) {
            Node node = init.graph().node(layer).orElseThrow();
            init = withWeight(init, node, dataFree.apply(conv(init.graph(), node), node));
        }
        // The data-free start as a dense k×k weight computes the same function as its factored graph.
        report(what, method + " data-free", model, init, 0, data);
        Map<String, Settings> selected = new LinkedHashMap<>();
        layers.forEach(l -> selected.put(l, settings));
        PassContext context = new PassContext(42, Map.of(PassKind.COMPACT, selected), Optional.of(data), 2);
        long t0 = System.nanoTime();
        Model fitted = pass.apply(model, context);
        double seconds = (System.nanoTime() - t0) / 1e9;
        IrVerifier.verifyRewrite(pass.info().name(), model, fitted);
        report(what, method + " fitted", model, fitted, seconds, data);
    }

    private static void report(String what, String method, Model original, Model model, double seconds,
            RecipeData data) {
        LayerTable before = ModelInspector.inspect("before", original);
        LayerTable after = ModelInspector.inspect("after", model);
        double accuracy = AccuracyBarTest.accuracy(model, data.test());
        System.out.printf("%-26s %-32s accuracy %.4f  params %,d -> %,d  MACs %,d -> %,d  pass %.1f s%n", what,
                method, accuracy, before.totalParams(), after.totalParams(), before.totalMacs(), after.totalMacs(),
                seconds);
    }

    private static CompactFilters.Conv conv(Graph g, Node n) {
        Tensor w = g.weights().get(n.input(1)).representation().materialize();
        int out = w.dim(0);
        int in = w.dim(1);
        int k = w.dim(2) * w.dim(3);
        float[] wf = w.floats();
        float[] bf = g.weights().get(n.input(2)).representation().materialize().floats();
        double[][] rows = new double[out][in * k];
        double[] bias = new double[out];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in * k; j++) {
                rows[o][j] = wf[o * in * k + j];
            }
            bias[o] = bf[o];
        }
        return new CompactFilters.Conv(out, in, k, rows, bias);
    }

    private static Model withWeight(Model model, Node node, double[][] weight) {
        Graph g = model.graph();
        Tensor old = g.weights().get(node.input(1)).representation().materialize();
        float[] f = new float[old.size()];
        int i = 0;
        for (double[] row : weight) {
            for (double v : row) {
                f[i++] = (float) v;
            }
        }
        Map<String, Weight> weights = new LinkedHashMap<>(g.weights());
        weights.put(node.input(1), Weight.dense(node.input(1), Tensor.ofFloats(old.shape(), f)));
        return new Model(new Graph(g.name(), g.opsetVersion(), g.inputs(), g.outputs(), g.nodes(), weights,
                g.values()), model.producerName(), model.producerVersion(), model.irVersion());
    }
}
