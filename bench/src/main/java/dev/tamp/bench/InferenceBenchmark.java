package dev.tamp.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.codegen.java.GeneratedModel;
import dev.tamp.codegen.java.JavaBuild;
import dev.tamp.codegen.java.JavaEmitter;
import dev.tamp.codegen.java.JavaOutput;
import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.ir.Recipe;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.pass.PassContext;
import dev.tamp.optimizer.pipeline.Pipeline;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one image (batch 1, one thread) through each reference model: the tamp-generated Java class (dense
 * weights: emitted by {@link JavaEmitter}, compiled in memory by {@link JavaBuild} with {@code --release 8}, weights
 * from {@link WeightsFile}) against ONNX Runtime's Java API on the original fp32 file and on ONNX Runtime's own int8
 * files (dynamic and static QDQ), all in one JMH run so the ratios are measured side by side. The {@code tamp_<variant>}
 * engines run the generated class on the graph a real recipe's passes produce ({@code bench/recipes/<model>.<variant>
 * .recipe}: the optimizer's own pipeline, calibrated on the recipe's data, no fine-tuning). Inputs cycle through
 * real Fashion-MNIST test images. Run from the repository root ({@code bench/inference.sh}); the models and data
 * are read from {@code models/} and {@code data/fashion-mnist}.
 *
 * <p>ONNX Runtime gets its most favourable setup: one intra-op and one inter-op thread (the generated code is
 * single-threaded), sequential execution, all graph optimizations, and its input tensors created once in setup, so
 * each timed call is {@code session.run} plus copying the logits out (the generated class returns a fresh float[]
 * too).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class InferenceBenchmark {
    /** Test images cycled through: enough that the inputs are not one cached array, few enough to stay in L2. */
    static final int IMAGES = 256;

    @Param({"fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8"})
    public String model;

    /**
     * {@code tamp}: the generated scalar Java 8 class on dense weights (emitted without the SIMD variant); {@code
     * tamp_simd}: the same with its SIMD class (JDK Vector API, the forks add {@code jdk.incubator.vector}), which
     * the scalar class binds at load; {@code tamp_int8} (uniform int8 per channel), {@code tamp_kmeans} (k-means 6
     * bits), {@code tamp_obs} (OBS pruning), {@code tamp_obs-kmeans} (OBS, k-means, Huffman): the generated scalar
     * class on the weights of {@code bench/recipes/<model>.<variant>.recipe}; {@code ort_fp32}: ONNX Runtime on the
     * original file; {@code ort_dyn_int8} / {@code ort_qdq_int8}: ONNX Runtime on {@code models/ort_int8/}; {@code
     * compiled_<variant>}: the classes {@code tamp compile} generated and verified for {@code bench/recipes/<model>.
     * <variant>.recipe} (with fine-tuning), from {@code bench/compiled/<model>.<variant>/} ({@link #compiled}).
     */
    @Param({"tamp", "tamp_simd", "tamp_int8", "tamp_kmeans", "tamp_obs", "tamp_obs-kmeans", "ort_fp32",
        "ort_dyn_int8", "ort_qdq_int8"})
    public String engine;

    private float[][] inputs;
    private int next;
    private GeneratedModel generated;
    private OrtEnvironment env;
    private OrtSession session;
    private String inputName;
    private OnnxTensor[] tensors;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path models = root.resolve("models");
        if (!Files.exists(models.resolve(model + ".onnx"))) {
            throw new IllegalStateException("run from the repository root: no " + models.resolve(model + ".onnx"));
        }
        LabeledImages test = IdxFiles.locate(List.of(root.resolve("data/fashion-mnist")));
        Tensor batch = Preprocessing.unitScale().batch(test, 0, IMAGES);
        int per = batch.size() / IMAGES;
        inputs = new float[IMAGES][per];
        for (int i = 0; i < IMAGES; i++) {
            System.arraycopy(batch.floats(), i * per, inputs[i], 0, per);
        }
        if (engine.startsWith("compiled_")) {
            generated = compiled(root.resolve("bench/compiled").resolve(model + "." + engine.substring(9)));
        } else if (engine.startsWith("tamp_") && !engine.equals("tamp_simd")) {
            generated = tamp(compressed(root.resolve("bench/recipes").resolve(model + "." + engine.substring(5)
                    + ".recipe")), false);
        } else switch (engine) {
            case "tamp" -> generated = tamp(OnnxImporter.withDefaults().load(models.resolve(model + ".onnx")).graph(),
                    false);
            case "tamp_simd" -> generated = tamp(OnnxImporter.withDefaults().load(models.resolve(model + ".onnx"))
                    .graph(), true);
            case "ort_fp32" -> ort(models.resolve(model + ".onnx"));
            case "ort_dyn_int8" -> ort(models.resolve("ort_int8").resolve(model + ".dyn_int8.onnx"));
            case "ort_qdq_int8" -> ort(models.resolve("ort_int8").resolve(model + ".qdq_int8.onnx"));
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        }
        // The passes of a compressed variant leave their calibration data and a JIT queue behind: collect the former
        // now, and let the warm-up iterations (8 in the documented command) drain the latter.
        System.gc();
        // Every engine must produce logits, checked once so a broken setup cannot time nothing.
        float[] out = infer();
        if (out.length != 10) {
            throw new IllegalStateException(engine + " on " + model + " returned " + out.length + " logits");
        }
    }

    /** The graph the passes of {@code recipeFile} produce from its model, as {@code tamp compile} runs them. */
    public static Graph compressed(Path recipeFile) {
        Diagnostics diagnostics = new Diagnostics();
        Frontend frontend = new Frontend(diagnostics);
        var checked = frontend.check(recipeFile, recipeFile.toString());
        if (diagnostics.hasErrors() || checked.isEmpty()) {
            throw new IllegalStateException(recipeFile + ": " + diagnostics.sorted());
        }
        Recipe recipe = checked.get().declared().recipes().get(0);
        Model model = frontend.model(recipe).orElseThrow(() -> new IllegalStateException(recipeFile + ": "
                + diagnostics.sorted()));
        Optional<RecipeData> data = recipe.data().map(spec -> RecipeData.load(spec, recipe.seed()));
        PassContext context = PassContext.forRecipe(recipe, model.graph(), data,
                Runtime.getRuntime().availableProcessors());
        return Pipeline.run(model, context, info -> { }).model().graph();
    }

    /**
     * The output folder of {@code tamp compile} at {@code dir} ({@code bench/compile-variants.sh}): its generated
     * source compiled as {@code tamp compile} compiled it before verifying it (the model class with {@code --release
     * 8}, its SIMD class, when there is one, with {@code --release 17 --add-modules jdk.incubator.vector}), loaded
     * with its {@code weights.tamp}. So the code timed is the code whose accuracy the compile report gives.
     */
    public static GeneratedModel compiled(Path dir) throws Exception {
        Path java = dir.resolve("java");
        if (!Files.isDirectory(java)) {
            throw new IllegalStateException("no " + java + ": run bench/compile-variants.sh first");
        }
        List<Path> sources;
        try (Stream<Path> files = Files.walk(java)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        Path scalarPath = sources.stream().filter(p -> !p.getFileName().toString().endsWith("Simd.java"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no generated class under " + java));
        String className = java.relativize(scalarPath).toString().replace(java.getFileSystem().getSeparator(), ".")
                .replaceAll("\\.java$", "");
        JavaBuild.Source scalar = new JavaBuild.Source(className, Files.readString(scalarPath));
        JavaBuild.Classes classes = JavaBuild.compile(List.of(scalar));
        Path simdPath = scalarPath.resolveSibling(scalarPath.getFileName().toString().replace(".java", "Simd.java"));
        boolean simd = Files.exists(simdPath);
        if (simd) {
            classes = JavaBuild.merge(classes, JavaBuild.compileSimd(scalar, new JavaBuild.Source(className + "Simd",
                    Files.readString(simdPath))));
        }
        GeneratedModel model = GeneratedModel.load(classes, className, Files.readAllBytes(dir.resolve("weights.tamp")));
        if (simd != model.simd()) {
            throw new IllegalStateException(dir + ": the SIMD kernels are " + (model.simd() ? "" : "not ") + "bound");
        }
        return model;
    }

    private static GeneratedModel tamp(Graph graph, boolean simd) throws Exception {
        JavaOutput java = JavaOutput.build(graph, "gen", "Model", simd);
        if (simd && !java.classes().files().containsKey("gen.ModelSimd")) {
            throw new IllegalStateException("no SIMD class for " + graph.name());
        }
        GeneratedModel model = GeneratedModel.load(java.classes(), "gen.Model", WeightsFile.write(graph));
        if (simd != model.simd()) {
            throw new IllegalStateException("the SIMD kernels are " + (model.simd() ? "" : "not ") + "bound");
        }
        return model;
    }

    private void ort(Path file) throws OrtException {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(file.toString(), options);
        }
        inputName = session.getInputNames().iterator().next();
        tensors = new OnnxTensor[IMAGES];
        long[] shape = {1, 1, 28, 28};
        for (int i = 0; i < IMAGES; i++) {
            tensors[i] = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[i]), shape);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        if (tensors != null) {
            for (OnnxTensor t : tensors) {
                t.close();
            }
        }
        if (session != null) {
            session.close();
        }
    }

    @Benchmark
    public float[] infer() throws OrtException {
        int i = next;
        next = i + 1 == IMAGES ? 0 : i + 1;
        if (generated != null) {
            return generated.predict(inputs[i]);
        }
        try (OrtSession.Result r = session.run(Map.of(inputName, tensors[i]))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }
}
