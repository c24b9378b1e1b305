package dev.tamp.cli;

import dev.tamp.codegen.java.GeneratedModel;
import dev.tamp.codegen.java.JavaBuild;
import dev.tamp.codegen.java.JavaOutput;
import dev.tamp.codegen.java.Verification;
import dev.tamp.model.data.Evaluation;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Dim;
import dev.tamp.model.ir.Graph;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.optimizer.data.RecipeData;
import dev.tamp.optimizer.pipeline.CompileReport;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * {@code tamp compile}'s proof that the Java it is about to publish computes the compressed model: compiled with
 * {@code javac --release 8 -Werror}, loaded with the weights file, run beside the reference executor on the whole test
 * split (the executor's logits are the ones the accuracy was measured with), on validation images with {@code
 * --no-eval}, or on seeded random inputs when the recipe has no data.
 */
final class JavaVerification {
    private static final int RANDOM_INPUTS = 16;

    /** The generated code does not compile, load or agree with the reference: a bug in tamp, nothing is published. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private JavaVerification() {}

    static JavaOutput build(Graph graph, String packageName, String className, boolean simd) throws Failure {
        try {
            return JavaOutput.build(graph, packageName, className, simd);
        } catch (JavaBuild.BuildException e) {
            throw new Failure("the generated Java does not compile:\n" + e.getMessage());
        }
    }

    static CompileReport.GeneratedCode run(JavaOutput java, byte[] weights, Model compressed, Optional<RecipeData> data,
            Optional<Evaluation.Result> testRun, Optional<Tensor> probe, long seed, int threads, boolean simdRequested)
            throws Failure {
        GeneratedModel model = load(java.classes(), java, weights);
        String from;
        float[][] inputs;
        float[] reference;
        int[] labels = null;
        if (testRun.isPresent() && testRun.get().logits() != null) {
            RecipeData d = data.orElseThrow();
            from = "test images";
            inputs = rows(d.pre().batch(d.test(), 0, d.test().count()));
            reference = testRun.get().logits();
            labels = labels(d.test(), d.test().count());
        } else if (probe.isPresent()) {
            from = "validation images";
            inputs = rows(probe.get());
            reference = run(compressed, probe.get(), threads);
            labels = labels(data.orElseThrow().validation(), inputs.length);
        } else {
            from = "random inputs";
            Tensor batch = randomBatch(compressed.graph(), seed);
            inputs = rows(batch);
            reference = run(compressed, batch, threads);
        }
        Verification v = check(Verification.compare(model, inputs, reference, labels, threads), from, "");
        String simd;
        if (java.simdSource() == null) {
            simd = simdRequested ? "no Vector API class: no layer is a dense Conv or Gemm, the only kernels it has"
                    : "off (scalar only)";
        } else if (model.simd()) {
            // The scalar class is what Android and JVMs without the Vector API run: it is checked the same way.
            GeneratedModel scalar = load(java.scalarClasses(), java, weights);
            Verification s = check(Verification.compare(scalar, inputs, reference, labels, threads), from,
                    " (scalar fallback)");
            simd = String.format(Locale.ROOT, "Vector API class verified as bound; scalar fallback verified too "
                    + "(max |difference| %s, same argmax on %,d)", s.maxAbsDiff(), s.argmaxAgreement());
        } else {
            simd = "Vector API class generated and compiled, not run here (this JVM lacks jdk.incubator.vector); "
                    + "scalar verified";
        }
        return new CompileReport.GeneratedCode(java.qualifiedName(), "java/" + java.sourcePath(),
                java.sourceBytes().length, java.classes().bytes(), simd, from, v.inputs(),
                v.maxAbsDiff(), v.argmaxAgreement(), v.correct());
    }

    private static GeneratedModel load(JavaBuild.Classes classes, JavaOutput java, byte[] weights) throws Failure {
        try {
            return GeneratedModel.load(classes, java.qualifiedName(), weights);
        } catch (IOException e) {
            throw new Failure("the generated class refuses the weights file written with it: " + e.getMessage());
        }
    }

    /**
     * Both sides compute the same compressed model; they differ only in summation order (and FFT rounding, FMA in the
     * SIMD class), bounded in docs/codegen.md, so an argmax can flip only at a near-tie. NaN on one side only, or more
     * than one flip in a thousand, is a kernel bug, and publishing the code would hand it to the user.
     */
    private static Verification check(Verification v, String from, String which) throws Failure {
        if (Double.isNaN(v.maxAbsDiff()) || (long) v.argmaxAgreement() * 1000 < (long) v.inputs() * 999) {
            throw new Failure(String.format(Locale.ROOT, "the generated Java%s disagrees with the reference "
                    + "executor on %d %s: same argmax on %d, max |difference| %s", which, v.inputs(), from,
                    v.argmaxAgreement(), v.maxAbsDiff()));
        }
        return v;
    }

    private static float[] run(Model model, Tensor batch, int threads) {
        try (Executor executor = Executor.create(model.graph(), threads)) {
            return executor.run(batch).floats();
        }
    }

    /** Each image of a batch as its own array, as the generated {@code predict} takes it. */
    private static float[][] rows(Tensor batch) {
        int n = batch.dim(0);
        int per = batch.size() / Math.max(1, n);
        float[][] rows = new float[n][per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.floats(), i * per, rows[i], 0, per);
        }
        return rows;
    }

    private static int[] labels(LabeledImages images, int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = images.label(i);
        }
        return labels;
    }

    /** Uniform [0, 1) inputs of the model's input shape, the batch dimension set to {@value #RANDOM_INPUTS}. */
    private static Tensor randomBatch(Graph graph, long seed) {
        List<Dim> dims = graph.inputs().get(0).shape().dims();
        int[] shape = new int[dims.size()];
        shape[0] = RANDOM_INPUTS;
        for (int i = 1; i < shape.length; i++) {
            shape[i] = Math.toIntExact(dims.get(i).size());
        }
        float[] values = new float[Math.toIntExact(Tensor.elementCount(shape))];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return Tensor.ofFloats(shape, values);
    }
}
