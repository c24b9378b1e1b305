package dev.tamp.bench;

import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.codegen.java.GeneratedModel;
import dev.tamp.codegen.java.JavaOutput;
import dev.tamp.codegen.java.LatencyTimer;
import dev.tamp.codegen.java.UnsupportedModelException;
import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.DataType;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Node;
import dev.tamp.model.ir.Representation;
import dev.tamp.model.ir.Shape;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.ValueInfo;
import dev.tamp.model.ir.Weight;
import dev.tamp.model.onnx.OnnxExporter;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.data.Activations;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.Pipeline;
import dev.tamp.optimizer.plan.CostModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The cost model's predicted latency of each kernel the code generator emits, against the measured time of that
 * kernel: every layer of the reference models (and a few odd shapes) is compressed by the real passes of a small
 * recipe (one representation per run: dense, pruned to CSR or to decoded rows, codebooks, int-k, factored,
 * block-circulant, hashed, Huffman-coded), cut out as a one-layer graph (with the Relu it fuses), emitted, compiled
 * with its SIMD class, loaded with its weights file, and timed at batch 1 on the layer's real inputs (the
 * reference executor's activations of Fashion-MNIST test images). Whole models are timed too, against the sum of
 * their layers. Prints a Markdown table with the error of each row and, per kernel kind, the efficiency that would
 * have predicted the median row exactly (what {@link CostModel}'s calibration table is set from).
 *
 * <p>Usage, from the repository root, in a JVM with {@code --add-modules jdk.incubator.vector}: {@code
 * KernelCalibration --target FILE [--only REGEX] [--quick]} ({@code bench/calibrate.sh} probes the host first).
 */
public final class KernelCalibration {
    private KernelCalibration() {}

    /** A representation the passes can give a layer: recipe statements for one layer, {@code %s} its selector. */
    record Variant(String name, String statements, boolean gemm, boolean conv) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant("dense", "", true, true),
            new Variant("dense, simd off", "", true, true),
            new Variant("sparse 50 %", "prune %s { method magnitude; sparsity 50 % }", true, true),
            new Variant("sparse 90 %", "prune %s { method magnitude; sparsity 90 % }", true, true),
            new Variant("sparse 97 %", "prune %s { method magnitude; sparsity 97 % }", true, false),
            new Variant("codebook 4 bit", "quantize %s { method kmeans; bits 4 }", true, true),
            new Variant("codebook 8 bit", "quantize %s { method kmeans; bits 8 }", false, true),
            new Variant("int8", "quantize %s { method uniform; bits 8 }", true, true),
            new Variant("int4", "quantize %s { method uniform; bits 4 }", false, true),
            new Variant("sparse 90 % + codebook", "prune %s { sparsity 90 % }\n quantize %s { method kmeans; bits 4 }",
                    true, true),
            new Variant("codebook + huffman", "quantize %s { method kmeans; bits 4 }\n encode %s { method huffman }",
                    true, false),
            new Variant("factored", "factorize %s { method svd; rank %r }", true, true),
            new Variant("block-circulant 16", "structure %s { method block-circulant; block 16 }", true, false),
            new Variant("block-circulant 12", "structure %s { method block-circulant; block 12 }", true, false),
            new Variant("hashed 12.5 %", "hash %s { buckets 12.5 % }", true, true));

    /** A timed kernel: where it came from, what the cost model predicts and what it measured. */
    record Row(String model, String layer, String op, String variant, String kernel, double predicted,
            double measured, double overhead) {
        /** The factor the kernel's efficiency would need to predict this row exactly (its fixed costs kept). */
        double efficiencyFactor() {
            return (predicted - overhead) / Math.max(1e-12, measured - overhead);
        }

        double error() {
            return (predicted - measured) / measured;
        }
    }

    private static final int IMAGES = 32;

    /** Inputs cycled through when a layer is timed alone. */
    private static final int LAYER_INPUTS = 4;

    public static void main(String[] args) throws Exception {
        Path target = null;
        Pattern only = Pattern.compile(".*");
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> target = Path.of(args[++i]).toAbsolutePath();
                case "--only" -> only = Pattern.compile(args[++i]);
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("--target FILE (a spec from `tamp target probe`) is required");
        }
        Path root = Path.of("").toAbsolutePath();
        Path work = Files.createTempDirectory("tamp-calibration");
        LabeledImages test = IdxFiles.locate(List.of(root.resolve("data/fashion-mnist")));
        Tensor images = Preprocessing.unitScale().batch(test, 0, IMAGES);
        LatencyTimer timer = quick ? new LatencyTimer(0.1, 0.05) : new LatencyTimer(0.2, 0.1);

        List<Row> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String name : List.of("fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8")) {
            Path onnx = root.resolve("models").resolve(name + ".onnx");
            calibrate(name, onnx, images, target, work, timer, only, rows, skipped);
        }
        Path odd = oddShapes(work);
        Random random = new Random(7);
        float[] noise = new float[IMAGES * 3 * 15 * 15];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = Math.max(0f, (float) random.nextGaussian());
        }
        calibrate("odd shapes", odd, Tensor.ofFloats(new int[] {IMAGES, 3, 15, 15}, noise), target, work, timer,
                only, rows, skipped);

        print(rows, skipped);
    }

    /** Every variant on every layer of one model, then the whole model dense and compressed. */
    private static void calibrate(String name, Path onnx, Tensor images, Path target, Path work, LatencyTimer timer,
            Pattern only, List<Row> rows, List<String> skipped) throws Exception {
        Model original = OnnxImporter.withDefaults().load(onnx);
        Graph g0 = original.graph();
        for (Variant v : VARIANTS) {
            if (v.statements().isEmpty()) {
                Recipe recipe = recipe(work, onnx, target, "");
                for (Node n : g0.nodes()) {
                    // Layers without weights once, with the SIMD kernels around them.
                    if (v.name().equals("dense") || g0.weights().containsKey(n.inputs().size() > 1 ? n.input(1) : "")) {
                        time(name, v.name(), g0, n, images, recipe, timer, only, rows, skipped);
                    }
                }
                continue;
            }
            for (Node n : g0.nodes()) {
                boolean applies = g0.weights().containsKey(n.inputs().size() > 1 ? n.input(1) : "")
                        && (n.opType().equals("Gemm") ? v.gemm() : n.opType().equals("Conv") && v.conv());
                if (!applies || !only.matcher(name + " " + n.name() + " " + v.name()).find()) {
                    continue;
                }
                int[] dims = g0.weights().get(n.input(1)).representation().dims();
                int cols = 1;
                for (int i = 1; i < dims.length; i++) {
                    cols *= dims[i];
                }
                int rank = Math.max(1, Math.min(dims[0], cols) / 8);
                String selector = "\"" + n.name() + "\"";
                Recipe recipe;
                Graph g;
                try {
                    recipe = recipe(work, onnx, target, v.statements().replace("%s", selector)
                            .replace("%r", Integer.toString(rank)));
                    PassContext context = PassContext.forRecipe(recipe, g0, Optional.empty(), 1);
                    g = Pipeline.run(original, context, info -> { }).model().graph();
                } catch (Pipeline.Refusal | IllegalArgumentException e) {
                    skipped.add(name + " " + n.name() + " " + v.name() + ": refused: " + e.getMessage());
                    continue;
                }
                time(name, v.name(), g, g.node(n.name()).orElseThrow(), images, recipe, timer, only, rows, skipped);
            }
        }
        if (only.matcher(name + " whole model").find()) {
            Recipe recipe = recipe(work, onnx, target, "");
            whole(name, "dense", g0, images, recipe, timer, rows);
        }
    }

    /** A recipe for {@code onnx} on the target, with the given pass statements. */
    private static Recipe recipe(Path work, Path onnx, Path target, String statements) throws IOException {
        Path file = work.resolve("calibration.recipe");
        Files.writeString(file, """
                recipe calibration {
                  model  "%s"
                  target "%s"
                  seed   1
                  %s
                }
                """.formatted(onnx, target, statements), StandardCharsets.UTF_8);
        Diagnostics diagnostics = new Diagnostics();
        var checked = new Frontend(diagnostics).check(file, file.toString());
        if (diagnostics.hasErrors() || checked.isEmpty()) {
            throw new IllegalArgumentException(diagnostics.sorted().stream().map(d -> d.message())
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        return checked.get().declared().recipes().get(0);
    }

    /** Times node {@code n} of {@code g} alone (with the Relu it fuses) and predicts it. */
    private static void time(String model, String variant, Graph g, Node n, Tensor images, Recipe recipe,
            LatencyTimer timer, Pattern only, List<Row> rows, List<String> skipped) throws Exception {
        if (!only.matcher(model + " " + n.name() + " " + variant).find() || n.opType().equals("Relu")
                && fusedRelu(g, n)) {
            return;
        }
        Map<String, Tensor> acts = Activations.capture(g, images, tensors(g), 1);
        Graph single = single(g, n, acts);
        boolean simd = !variant.contains("simd off");
        CostModel costs = new CostModel(recipe.target(), simd).withDensities(CostModel.densities(acts));
        double predicted = costs.seconds(new Model(single, "tamp", "0", 8)) ;
        String kernels = String.join(" + ", costs.kernels(single));
        // A layer reads what the layer before it just wrote: a few inputs, cycled, stay in cache as they would.
        Tensor in = acts.get(single.inputs().get(0).name());
        int per = in.size() / in.dim(0);
        int[] few = in.shape().clone();
        few[0] = LAYER_INPUTS;
        in = Tensor.ofFloats(few, Arrays.copyOf(in.floats(), LAYER_INPUTS * per));
        Optional<Double> measured = measure(single, simd, in, timer, skipped,
                model + " " + n.name() + " " + variant);
        double overhead = costs.overheadSeconds(new Model(single, "tamp", "0", 8));
        measured.ifPresent(m -> add(rows, new Row(model, n.name(), n.opType(), variant, kernels, predicted, m,
                overhead)));
    }

    private static void whole(String model, String variant, Graph g, Tensor images, Recipe recipe, LatencyTimer timer,
            List<Row> rows) throws Exception {
        Map<String, Tensor> acts = Activations.capture(g, images, tensors(g), 1);
        CostModel costs = new CostModel(recipe.target(), true).withDensities(CostModel.densities(acts));
        double predicted = costs.seconds(new Model(g, "tamp", "0", 8));
        // A whole model: its Vector API kernels and their callers need a longer warm-up than one layer's.
        measure(g, true, images, new LatencyTimer(3.0, 1.0), new ArrayList<>(), model).ifPresent(m -> add(rows,
                new Row(model, "whole model", "", variant, "all", predicted, m,
                        costs.overheadSeconds(new Model(g, "tamp", "0", 8)))));
    }

    /** Every tensor the executor computes or reads: the input and each node output. */
    private static List<String> tensors(Graph g) {
        List<String> names = new ArrayList<>();
        names.add(g.inputs().get(0).name());
        for (Node n : g.nodes()) {
            for (String o : n.outputs()) {
                if (!o.isEmpty() && g.values().containsKey(o)) {
                    names.add(o);
                }
            }
        }
        return names;
    }

    /** Whether {@code relu} is applied by the kernel of the node that writes its input (then it is timed there). */
    private static boolean fusedRelu(Graph g, Node relu) {
        Optional<Node> producer = g.nodes().stream().filter(p -> p.outputs().contains(relu.input(0))).findFirst();
        return producer.isPresent() && List.of("Conv", "Gemm", "Add").contains(producer.get().opType())
                && readers(g, relu.input(0)) == 1;
    }

    private static long readers(Graph g, String tensor) {
        return g.nodes().stream().flatMap(x -> x.inputs().stream()).filter(tensor::equals).count()
                + g.outputs().stream().filter(o -> o.name().equals(tensor)).count();
    }

    /**
     * {@code n} alone: its first activation the graph input, any other activation operand (a residual Add's) a
     * dense weight holding the first image's values, and the Relu that alone reads its output, if any.
     */
    static Graph single(Graph g, Node n, Map<String, Tensor> acts) {
        List<Node> nodes = new ArrayList<>(List.of(n));
        Map<String, Weight> weights = new LinkedHashMap<>();
        Map<String, ValueInfo> values = new LinkedHashMap<>();
        ValueInfo input = null;
        for (String in : n.inputs()) {
            if (in.isEmpty()) {
                continue;
            }
            if (g.isWeight(in)) {
                weights.put(in, g.weights().get(in));
            } else if (input == null) {
                input = g.values().get(in);
            } else {
                Tensor all = acts.get(in);
                int[] shape = all.shape().clone();
                shape[0] = 1;
                float[] first = Arrays.copyOf(all.floats(), all.size() / all.dim(0));
                weights.put(in, Weight.dense(in, Tensor.ofFloats(shape, first)));
                values.put(in, new ValueInfo(in, DataType.FLOAT, Tensor.ofFloats(shape, first).irShape()));
            }
            values.putIfAbsent(in, g.values().get(in));
        }
        Node last = n;
        if (List.of("Conv", "Gemm", "Add").contains(n.opType()) && readers(g, n.output(0)) == 1) {
            Optional<Node> relu = g.nodes().stream().filter(x -> x.opType().equals("Relu")
                    && x.input(0).equals(n.output(0))).findFirst();
            if (relu.isPresent()) {
                nodes.add(relu.get());
                last = relu.get();
            }
        }
        for (Node x : nodes) {
            values.put(x.output(0), g.values().get(x.output(0)));
        }
        return new Graph("calibration", g.opsetVersion(), List.of(input), List.of(g.values().get(last.output(0))),
                nodes, weights, values);
    }

    /** Seconds per call of the generated class of {@code g} on the images of {@code inputs} in turn. */
    private static Optional<Double> measure(Graph g, boolean simd, Tensor inputs, LatencyTimer timer,
            List<String> skipped, String what)
            throws Exception {
        JavaOutput java;
        try {
            java = JavaOutput.build(g, "calibration", "Layer", simd);
        } catch (UnsupportedModelException e) {
            skipped.add(what + ": not emitted: " + e.getMessage());
            return Optional.empty();
        }
        GeneratedModel m = java.load(WeightsFile.write(g));
        int per = inputs.size() / inputs.dim(0);
        float[][] xs = new float[inputs.dim(0)][per];
        for (int i = 0; i < xs.length; i++) {
            System.arraycopy(inputs.floats(), i * per, xs[i], 0, per);
        }
        return Optional.of(timer.time(m, xs).quiet());
    }

    /**
     * Odd shapes no reference model has: a 3-channel 15x15 input through a 5x5 stride-2 Conv to 7 channels, a 1x1
     * Conv to 37 channels, a 3x3 dilated Conv to 13, and Gemms 637 -> 97 -> 10 (Relus between), with seeded random
     * weights, exported to ONNX so the passes read it like any model.
     */
    private static Path oddShapes(Path work) {
        Random r = new Random(11);
        Map<String, Weight> weights = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        String[] x = {"x"};
        int[] count = {0};
        java.util.function.BiFunction<int[], Double, String> weight = (shape, scale) -> {
            String name = "w" + weights.size();
            float[] v = new float[(int) Tensor.elementCount(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * scale);
            }
            weights.put(name, Weight.dense(name, Tensor.ofFloats(shape, v)));
            return name;
        };
        java.util.function.BiConsumer<String, Object[]> node = (op, spec) -> {
            String out = "t" + count[0]++;
            List<String> inputs = new ArrayList<>(List.of(x[0]));
            for (Object o : (Object[]) spec[0]) {
                inputs.add((String) o);
            }
            @SuppressWarnings("unchecked")
            Map<String, dev.tamp.model.ir.AttributeValue> attributes = (Map<String, dev.tamp.model.ir.AttributeValue>)
                    spec[1];
            nodes.add(new Node("odd_" + op.toLowerCase(Locale.ROOT) + count[0], op, inputs, List.of(out),
                    new dev.tamp.model.ir.Attributes(attributes)));
            x[0] = out;
        };
        node.accept("Conv", new Object[] {new Object[] {weight.apply(new int[] {7, 3, 5, 5}, 0.2),
            weight.apply(new int[] {7}, 0.1)}, Map.of("strides", ints(2, 2), "pads", ints(1, 1, 1, 1))});
        node.accept("Relu", new Object[] {new Object[0], Map.of()});
        node.accept("Conv", new Object[] {new Object[] {weight.apply(new int[] {37, 7, 1, 1}, 0.3)}, Map.of()});
        node.accept("Relu", new Object[] {new Object[0], Map.of()});
        node.accept("Conv", new Object[] {new Object[] {weight.apply(new int[] {13, 37, 3, 3}, 0.1),
            weight.apply(new int[] {13}, 0.1)}, Map.of("dilations", ints(2, 2), "pads", ints(2, 2, 2, 2))});
        node.accept("Relu", new Object[] {new Object[0], Map.of()});
        node.accept("Flatten", new Object[] {new Object[0], Map.of()});
        node.accept("Gemm", new Object[] {new Object[] {weight.apply(new int[] {97, 13 * 7 * 7}, 0.03),
            weight.apply(new int[] {97}, 0.1)}, Map.of("transB", new dev.tamp.model.ir.AttributeValue.Int(1))});
        node.accept("Relu", new Object[] {new Object[0], Map.of()});
        node.accept("Gemm", new Object[] {new Object[] {weight.apply(new int[] {97, 10}, 0.1)}, Map.of()});
        Graph g = new Graph("odd", 17, List.of(new ValueInfo("x", DataType.FLOAT, new Shape(List.of(
                Dim.symbolic("N"), Dim.of(3), Dim.of(15), Dim.of(15))))), List.of(new ValueInfo(x[0], DataType.FLOAT,
                new Shape(List.of(Dim.symbolic("N"), Dim.of(10))))), nodes, weights, Map.of());
        Path file = work.resolve("odd_shapes.onnx");
        OnnxExporter.write(new Model(g, "tamp", "0", 8), file);
        return file;
    }

    private static dev.tamp.model.ir.AttributeValue ints(long... v) {
        List<Long> list = new ArrayList<>();
        for (long x : v) {
            list.add(x);
        }
        return new dev.tamp.model.ir.AttributeValue.Ints(list);
    }

    /** Records a row and prints it at once (the table's header first). */
    private static void add(List<Row> rows, Row r) {
        if (rows.isEmpty()) {
            System.out.println("| model | layer | op | weights | kernel | predicted µs | measured µs | error |");
            System.out.println("|---|---|---|---|---|---:|---:|---:|");
        }
        rows.add(r);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %.2f | %+.0f %% |%n", r.model(), r.layer(),
                r.op(), r.variant(), r.kernel(), 1e6 * r.predicted(), 1e6 * r.measured(), 100 * r.error());
        System.out.flush();
    }

    private static void print(List<Row> rows, List<String> skipped) {
        // Per kernel: the median ratio measured / predicted, which times the table's efficiency is what would have
        // predicted that kernel's median row exactly.
        Map<String, List<Row>> byKernel = new TreeMap<>();
        for (Row r : rows) {
            byKernel.computeIfAbsent(r.kernel(), k -> new ArrayList<>()).add(r);
        }
        System.out.println();
        System.out.println("| kernel | rows | median efficiency factor | worst error |");
        System.out.println("|---|---:|---:|---:|");
        int within = 0;
        for (Map.Entry<String, List<Row>> e : byKernel.entrySet()) {
            List<Double> f = new ArrayList<>();
            double worst = 0;
            for (Row r : e.getValue()) {
                f.add(r.efficiencyFactor());
                worst = Math.abs(r.error()) > Math.abs(worst) ? r.error() : worst;
            }
            f.sort(null);
            System.out.printf(Locale.ROOT, "| %s | %d | %.3f | %+.0f %% |%n", e.getKey(), f.size(), f.get(f.size() / 2),
                    100 * worst);
        }
        for (Row r : rows) {
            if (Math.abs(r.error()) <= 0.30) {
                within++;
            }
        }
        System.out.printf(Locale.ROOT, "%nwithin 30 %%: %d of %d rows%n", within, rows.size());
        for (String s : skipped) {
            System.out.println("skipped: " + s);
        }
    }
}
