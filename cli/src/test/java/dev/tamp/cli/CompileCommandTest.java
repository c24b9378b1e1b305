package dev.tamp.cli;

import static dev.tamp.cli.CheckCommandTest.tamp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tamp.codegen.container.WeightsFile;
import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Sparse;
import dev.tamp.model.onnx.OnnxImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tamp compile} end to end on the bundled LeNet-300-100 and Fashion-MNIST, and on recipes it must refuse. */
class CompileCommandTest {
    private static final String MODEL = Path.of("../models/fmnist_lenet300_100.onnx").toAbsolutePath().normalize()
            .toString();
    private static final String DATA = Path.of("../data/fashion-mnist").toAbsolutePath().normalize().toString();

    @TempDir
    Path temp;

    private Path recipe(String body) throws IOException {
        Path file = temp.resolve("r.recipe");
        Files.writeString(file, "recipe l300 {\n  model \"" + MODEL + "\"\n  data fashion { path \"" + DATA
                + "\" }\n  seed 7\n" + body + "}\n");
        return file;
    }

    @Test
    void globalPruningWritesTheModelAndAReportThatAgreeWithEachOther() throws IOException {
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", recipe("  prune * { method magnitude; sparsity 50 %; scope global }\n")
                .toString(), "-o", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("prune-magnitude").contains("/fc1/Gemm").contains("sparse");
        assertThat(out.resolve("report.txt")).exists();

        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        // The peer's one-shot global 50 % figure (models/README.md) is 88.77 %: same method, same images.
        assertThat(report.at("/accuracy/before").asDouble()).isEqualTo(0.8975);
        assertThat(report.at("/accuracy/after").asDouble()).isEqualTo(0.8877);
        assertThat(report.at("/passes/0/statistics/weights-removed").asLong()).isEqualTo(133_100);

        // The written model is standard ONNX, loads back and scores what the report says.
        Model written = OnnxImporter.withDefaults().load(out.resolve("model.onnx"));
        var test = IdxFiles.locate(List.of(Path.of(DATA)));
        try (Executor executor = Executor.create(written.graph(), 2)) {
            assertThat(Evaluation.evaluate(executor, test, Preprocessing.unitScale(), 100, false).accuracy())
                    .isEqualTo(0.8877);
        }
        long bytes = 0;
        for (JsonNode layer : report.get("layers")) {
            assertThat(layer.get("representation").asText()).isEqualTo("sparse");
            bytes += layer.get("bytesAfter").asLong();
        }
        assertThat(report.at("/totals/bytesAfter").asLong()).isEqualTo(bytes);
        assertThat(written.graph().weights().values()).noneMatch(w -> w.representation() instanceof Sparse);

        // The weights container keeps the compressed representations, which the ONNX file had to densify.
        byte[] container = Files.readAllBytes(out.resolve("weights.tamp"));
        assertThat(report.at("/totals/weightsFileBytes").asLong()).isEqualTo(container.length);
        var entries = WeightsFile.read(container);
        assertThat(entries.values()).filteredOn(e -> e.name().equals("fc1.weight")).singleElement()
                .satisfies(e -> assertThat(e.representation()).isInstanceOf(Sparse.class));
    }

    @Test
    void sameRecipeAndSeedGiveByteIdenticalOutputs() throws IOException {
        Path r = recipe("  quantize * { method kmeans; bits 4; iterations 5 }\n  emit java\n");
        Path a = temp.resolve("a");
        Path b = temp.resolve("b");
        assertThat(tamp("compile", r.toString(), "-o", a.toString(), "--no-eval").code()).isZero();
        assertThat(tamp("compile", r.toString(), "-o", b.toString(), "--no-eval", "--threads", "1").code()).isZero();
        for (String file : new String[] {"model.onnx", "weights.tamp", "report.txt", "report.json", "report.md",
            "report.html", "java/tamp/generated/L300.java"}) {
            assertThat(Files.readAllBytes(a.resolve(file))).as(file).isEqualTo(Files.readAllBytes(b.resolve(file)));
        }
    }

    @Test
    void autoValuesAndWhatTrainingCannotDoAreRefusedAtTheirLineBeforeAnyWork() throws IOException {
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", recipe("  prune fc1 { method l1-filter; sparsity auto }\n"
                + "  prune fc2 { method l1-filter; sparsity 50 %; schedule gradual }\n  finetune { epochs 1 }\n")
                .toString(), "-o", out.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("r.recipe:5:42: error[E1015]: `sparsity auto` cannot be planned yet")
                .contains("r.recipe:6:57: error[E1015]: `schedule gradual` is carried out for weight pruning")
                .doesNotContain("running").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    /**
     * Ternary weights retrained through straight-through shadows (started at the float weights the quantizer rounded)
     * with trained scales: one epoch on the bundled 5,400 images lifts the one-shot 83.58 % (measured with the same
     * recipe without `finetune`) to the figure in the assertion's comment, every layer still 2-bit codes.
     */
    @Test
    void integerCodesRetrainThroughStraightThroughShadows() throws IOException {
        CheckCommandTest.Run run = tamp("compile", recipe("  quantize * { method ternary }\n"
                + "  finetune { epochs 1; batch 32 }\n").toString(), "-o", temp.resolve("t").toString(), "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> passes = new java.util.ArrayList<>();
        report.get("passes").forEach(p -> passes.add(p.get("name").asText()));
        assertThat(passes).containsExactly("quantize-ternary", "finetune");
        report.get("layers").forEach(l -> assertThat(l.get("representation").asText()).isEqualTo("int2"));
        // Measured 88.32 %.
        assertThat(report.at("/accuracy/after").asDouble()).isGreaterThan(0.87);
    }

    /**
     * Hashing, block-circulant structure and binary codes, which fine-tuning used to refuse, each retrained through its
     * own parameters (buckets, defining vectors by FFT, shadows and scales): one-shot the three together leave
     * 18.15 % (measured with the same recipe without `finetune`), one epoch after each stage the figure below.
     */
    @Test
    void hashedCirculantAndBinaryLayersRetrainInTheirRepresentations() throws IOException {
        CheckCommandTest.Run run = tamp("compile", recipe("  hash fc1 { buckets 10 % }\n"
                + "  structure fc2 { method block-circulant; block 20 }\n  quantize fc3 { method binary }\n"
                + "  finetune { epochs 1; batch 32 }\n").toString(), "-o", temp.resolve("m").toString(), "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> passes = new java.util.ArrayList<>();
        report.get("passes").forEach(p -> passes.add(p.get("name").asText()));
        assertThat(passes).containsExactly("structure-block-circulant", "hash-weights", "finetune", "quantize-binary",
                "finetune");
        List<String> representations = new java.util.ArrayList<>();
        report.get("layers").forEach(l -> representations.add(l.get("representation").asText()));
        assertThat(representations).containsExactly("hashed", "block-circulant", "int2");
        // Measured 78.80 %.
        assertThat(report.at("/accuracy/after").asDouble()).isGreaterThan(0.75);
    }

    /**
     * {@code regularize} trains with its terms before any pass: with L1 the pruning that follows cuts the weights it
     * drove down; with soft weight-sharing each layer is snapped to its learned prior (a sparse codebook), which the
     * pruning pass then leaves alone and the last retraining trains as centroids.
     */
    @Test
    void regularizeTrainsBeforeThePassesAndSoftSharingSnapsLayersToTheirPrior() throws IOException {
        CheckCommandTest.Run l1 = tamp("compile", recipe("  regularize * { method l1; strength 1e-4 }\n"
                + "  prune * { method magnitude; sparsity 90 % }\n  finetune { epochs 1; batch 32 }\n").toString(),
                "-o", temp.resolve("l1").toString(), "--json", "--no-eval");
        assertThat(l1.code()).as(l1.err()).isZero();
        assertThat(l1.err()).contains("running regularize");
        JsonNode report = new ObjectMapper().readTree(l1.out());
        assertThat(report.at("/passes/0/name").asText()).isEqualTo("regularize");
        assertThat(report.at("/passes/0/statistics/layers-regularized").asLong()).isEqualTo(3);
        assertThat(report.at("/passes/1/name").asText()).isEqualTo("prune-magnitude");
        assertThat(report.at("/passes/2/name").asText()).isEqualTo("finetune");

        CheckCommandTest.Run shared = tamp("compile", recipe("  regularize * { method soft-sharing; strength 5e-7 }\n"
                + "  prune fc3 { method magnitude; sparsity 50 % }\n  finetune { epochs 1; batch 32 }\n").toString(),
                "-o", temp.resolve("ss").toString(), "--json", "--no-eval");
        assertThat(shared.code()).as(shared.err()).isZero();
        report = new ObjectMapper().readTree(shared.out());
        assertThat(report.at("/passes/0/statistics/layers-shared").asLong()).isEqualTo(3);
        // Measured: 259,619 of the 266,200 weights went to the zero component.
        assertThat(report.at("/passes/0/statistics/weights-pruned").asLong()).isGreaterThan(200_000);
        assertThat(report.at("/passes/1/statistics/layers-skipped").asLong()).isEqualTo(1);
        report.get("layers").forEach(l -> assertThat(l.get("representation").asText()).isEqualTo("sparse-codebook"));
    }

    /**
     * Deep Compression's stages with retraining after each: per-layer magnitude pruning to 90 % then k-means 5 bits,
     * each followed by one epoch on the bundled 5,400 training images. Without retraining this model scores about
     * 33 % (90 % pruning alone: 33.50 %, TrainerTest); measured with it: see the assertion's comment.
     */
    @Test
    void finetuneRetrainsAfterPruningAndAfterSharingKeepingTheRepresentations() throws IOException {
        Path out = temp.resolve("ft");
        CheckCommandTest.Run run = tamp("compile", recipe("  prune * { method magnitude; sparsity 90 % }\n"
                + "  quantize * { method kmeans; bits 5 }\n  finetune { epochs 1; batch 32 }\n").toString(),
                "-o", out.toString(), "--json");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("running finetune").contains("epoch 1/1: mean loss");
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> passes = new java.util.ArrayList<>();
        report.get("passes").forEach(p -> passes.add(p.get("name").asText()));
        assertThat(passes).containsExactly("prune-magnitude", "finetune", "share-weights", "finetune");
        report.get("layers").forEach(l -> assertThat(l.get("representation").asText()).isEqualTo("sparse-codebook"));
        // 90 % of each layer's weights: 211,680 + 27,000 + 900; retraining kept them at zero (the pipeline checks
        // after each finetune step that every weight keeps its kind and stored structure).
        assertThat(report.at("/passes/0/statistics/weights-removed").asLong()).isEqualTo(239_580);
        // Measured 80.20 % (deterministic for the seed, whatever the thread count); about 33 % without retraining.
        assertThat(report.at("/accuracy/after").asDouble()).isGreaterThan(0.78);
    }

    @Test
    void gradualPruningAlternatesPruningAndRetrainingUpToTheTargetSparsity() throws IOException {
        CheckCommandTest.Run run = tamp("compile", recipe("  prune * { method magnitude; sparsity 90 %; schedule "
                + "gradual }\n  finetune { epochs 1; batch 64 }\n").toString(), "-o", temp.resolve("agp").toString(),
                "--json", "--no-eval");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> passes = new java.util.ArrayList<>();
        report.get("passes").forEach(p -> passes.add(p.get("name").asText()));
        assertThat(passes).hasSize(2 * 10).containsOnly("prune-magnitude", "finetune");
        // The last round reaches 90 % exactly: a sparse kernel multiplies by the 10 % left of each layer.
        assertThat(report.at("/layers/0/macsAfter").asLong()).isEqualTo(23_520);
        assertThat(report.at("/layers/1/macsAfter").asLong()).isEqualTo(3_000);
        assertThat(report.at("/layers/2/macsAfter").asLong()).isEqualTo(100);
    }

    @Test
    void aMethodWithoutAPassIsRefusedOnceAtItsStatement() throws IOException {
        CheckCommandTest.Run run = tamp("compile", recipe("  quantize * { method product; bits 4 }\n").toString(),
                "-o", temp.resolve("out").toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("r.recipe:5:23: error[E1015]: `quantize method product` has no pass")
                .contains("1 error");
    }

    @Test
    void aRecipeWithErrorsWritesNothingAndAFailedCompileKeepsTheOldOutput() throws IOException {
        Path out = temp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "previous build");
        CheckCommandTest.Run run = tamp("compile", recipe("  prune fc9 { sparsity 50 % }\n").toString(), "-o",
                out.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("error[E1013]");
        assertThat(out.resolve("keep.txt")).hasContent("previous build");
        try (var listing = Files.list(temp)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("r.recipe", "out");
        }
    }

    @Test
    void aPassRefusingALayerIsAnErrorAtItsStatementAndWritesNothing() throws IOException {
        Path out = temp.resolve("out");
        CheckCommandTest.Run run = tamp("compile", recipe("  factorize fc3 { method svd; rank 10 }\n").toString(),
                "-o", out.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        // fc3 is 10 x 100: rank 10 stores 10 x 110 floats, more than the dense weight; only the pass can tell.
        assertThat(run.err()).contains("r.recipe:5:26: error[E2013]: `factorize-svd` cannot apply: /fc3/Gemm: rank 10")
                .doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void aTargetSpecIsNotARecipe() {
        CheckCommandTest.Run run = tamp("compile", "../specs/raspberry-pi4.target", "-o", temp.resolve("o").toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("declares no recipe");
    }

    @Test
    void everyPassThatAppliesToResnet8ComposesInOneCompile() throws IOException {
        Path out = temp.resolve("every");
        CheckCommandTest.Run run = tamp("compile", "../bench/recipes/resnet8-every-pass.recipe", "-o", out.toString(),
                "--no-eval", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> passes = new java.util.ArrayList<>();
        report.get("passes").forEach(p -> passes.add(p.get("name").asText()));
        // Structural passes first, then weight passes by stage, Huffman coding last (Pipeline's order).
        assertThat(passes).containsExactly("prune-l1-filter", "compact-depthwise-separable", "factorize-spatial",
                "factorize-tucker", "structure-block-circulant", "factorize-svd", "prune-magnitude", "prune-obd",
                "prune-obs", "hash-weights", "quantize-uniform", "quantize-ternary", "share-weights", "encode-huffman");
        java.util.Map<String, String> kinds = new java.util.HashMap<>();
        report.get("layers").forEach(l -> kinds.put(l.get("layer").asText(), l.get("representation").asText()));
        assertThat(kinds).containsEntry("/conv1/Conv", "hashed")
                .containsEntry("/layer3/shortcut/shortcut.0/Conv", "factored")
                .containsEntry("/fc/Gemm", "block-circulant")
                .containsEntry("/layer1/conv2/Conv", "sparse-codebook+huffman");
        assertThat(report.at("/totals/bytesAfter").asLong()).isLessThan(report.at("/totals/bytesBefore").asLong() / 8);
        // The written model is standard ONNX with the rewritten graph, and runs.
        Model written = OnnxImporter.withDefaults().load(out.resolve("model.onnx"));
        assertThat(written.graph().nodes()).anyMatch(n -> n.name().equals("/layer1/conv1/Conv::core"));
        // And every representation compiles to generated Java that computes what the reference executor does.
        assertThat(out.resolve("java/tamp/generated/Resnet8EveryPass.java")).exists();
        assertThat(report.at("/generated/verification/inputsFrom").asText()).isEqualTo("validation images");
        assertThat(report.at("/generated/verification/argmaxAgreement").asInt())
                .isEqualTo(report.at("/generated/verification/inputs").asInt());
        assertThat(report.at("/generated/verification/maxAbsDiff").asDouble()).isLessThan(1e-3);
    }

    @Test
    void emitJavaWritesSourceThatCompilesStandaloneAndAgreesWithTheReference() throws Exception {
        Path out = temp.resolve("java-out");
        CheckCommandTest.Run run = tamp("compile", recipe("  quantize * { method kmeans; bits 4; iterations 5 }\n"
                + "  emit java { package \"demo.fashion\"; class \"Shirts\" }\n").toString(), "-o", out.toString(),
                "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        Path source = out.resolve("java/demo/fashion/Shirts.java");
        assertThat(source).exists();
        assertThat(report.at("/generated/sourceFile").asText()).isEqualTo("java/demo/fashion/Shirts.java");
        assertThat(report.at("/generated/sourceBytes").asLong()).isEqualTo(Files.size(source));
        // Verified on the whole test split: same logits as the executor up to summation order (docs/codegen.md bounds
        // that by 1e-3 for these widths), so the same argmax everywhere and the accuracy the report states.
        assertThat(report.at("/generated/verification/inputsFrom").asText()).isEqualTo("test images");
        assertThat(report.at("/generated/verification/inputs").asInt()).isEqualTo(10_000);
        assertThat(report.at("/generated/verification/argmaxAgreement").asInt()).isEqualTo(10_000);
        assertThat(report.at("/generated/verification/maxAbsDiff").asDouble()).isLessThan(1e-3);
        assertThat(report.at("/generated/verification/correct").asInt() / 10_000.0)
                .isEqualTo(report.at("/accuracy/after").asDouble());

        // What the user takes home compiles on its own with javac --release 8 and runs with the written weights file.
        Path classes = Files.createDirectories(temp.resolve("classes"));
        java.io.ByteArrayOutputStream javacOut = new java.io.ByteArrayOutputStream();
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, javacOut, javacOut, "--release", "8",
                "-Werror", "-Xlint:all,-options", "-classpath", classes.toString(), "-d", classes.toString(),
                source.toString());
        assertThat(rc).as(javacOut.toString()).isZero();
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
                null)) {
            Class<?> type = loader.loadClass("demo.fashion.Shirts");
            Object model = type.getMethod("load", java.io.File.class).invoke(null, out.resolve("weights.tamp").toFile());
            var test = IdxFiles.locate(List.of(Path.of(DATA)));
            var batch = Preprocessing.unitScale().batch(test, 0, 200);
            int correct = 0;
            for (int i = 0; i < 200; i++) {
                float[] image = java.util.Arrays.copyOfRange(batch.floats(), i * 784, (i + 1) * 784);
                if ((int) type.getMethod("classify", float[].class).invoke(model, (Object) image) == test.label(i)) {
                    correct++;
                }
            }
            assertThat(correct).isGreaterThan(160); // about 87 % of 200 at 4-bit k-means; a broken build scores ~10 %
        }
    }

    @Test
    void theVectorApiClassIsVerifiedBesideItsScalarFallbackAndLeftOutWithSimdOff() throws IOException {
        Path out = temp.resolve("simd");
        CheckCommandTest.Run run = tamp("compile", recipe("  quantize fc3 { method kmeans; bits 6 }\n  emit java\n")
                .toString(), "-o", out.toString(), "--no-eval", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(run.out());
        // The tests run with jdk.incubator.vector, as the ./tamp launcher runs compile: the SIMD class binds.
        assertThat(report.at("/generated/simd").asText()).startsWith("Vector API class verified as bound; scalar "
                + "fallback verified too");
        assertThat(out.resolve("java/tamp/generated/L300Simd.java")).exists();
        assertThat(report.at("/generated/verification/argmaxAgreement").asInt())
                .isEqualTo(report.at("/generated/verification/inputs").asInt());

        Path off = temp.resolve("scalar");
        run = tamp("compile", recipe("  quantize fc3 { method kmeans; bits 6 }\n  emit java { simd off }\n")
                .toString(), "-o", off.toString(), "--no-eval", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(new ObjectMapper().readTree(run.out()).at("/generated/simd").asText()).isEqualTo("off (scalar only)");
        assertThat(off.resolve("java/tamp/generated/L300Simd.java")).doesNotExist();
    }

    @Test
    void aModelTheEmitterCannotTranslateIsRefusedAtTheEmitStatementBeforeAnyWork() throws IOException {
        Model original = OnnxImporter.withDefaults().load(Path.of(MODEL));
        var graph = original.graph();
        var nodes = new java.util.ArrayList<>(graph.nodes());
        int relu = nodes.indexOf(graph.nodesOfType("Relu").get(0));
        var r = nodes.get(relu);
        nodes.set(relu, new dev.tamp.model.ir.Node(r.name(), "Sigmoid", r.inputs(), r.outputs(), r.attributes()));
        Model sigmoid = new Model(new dev.tamp.model.ir.Graph(graph.name(), graph.opsetVersion(), graph.inputs(),
                graph.outputs(), nodes, graph.weights(), graph.values()), original.producerName(),
                original.producerVersion(), original.irVersion());
        Path file = temp.resolve("sigmoid.onnx");
        dev.tamp.model.onnx.OnnxExporter.write(sigmoid, file);
        Path recipe = temp.resolve("s.recipe");
        Files.writeString(recipe, "recipe s {\n  model \"" + file + "\"\n  data fashion { path \"" + DATA
                + "\" }\n  quantize * { method kmeans; bits 4 }\n  emit java\n}\n");
        Path out = temp.resolve("s-out");
        CheckCommandTest.Run run = tamp("compile", recipe.toString(), "-o", out.toString());
        assertThat(run.code()).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(run.err()).contains("s.recipe:5:3: error[E1015]: `emit java` cannot translate sigmoid.onnx: ")
                .contains("Sigmoid").doesNotContain("running").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }
}
