package dev.tamp.model.bench;

import dev.tamp.model.OrtOracle;
import dev.tamp.model.RepoFiles;
import dev.tamp.model.data.IdxFiles;
import dev.tamp.model.data.LabeledImages;
import dev.tamp.model.data.Preprocessing;
import dev.tamp.model.exec.Executor;
import dev.tamp.model.ir.Model;
import dev.tamp.model.ir.Tensor;
import dev.tamp.model.onnx.OnnxImporter;
import dev.tamp.model.ops.MatrixKernels;
import dev.tamp.model.ops.Operators;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the reference executor against ONNX Runtime's Java API on the full Fashion-MNIST test set, both
 * measured in the same JVM, one after the other, per model and batch size. Not a test (surefire ignores it); run it
 * with {@code model/scripts/bench.sh}. Arguments: {@code [images] [executor threads]}, defaults 10000 and 1.
 *
 * <p>Each configuration first runs a warm-up pass over min(images, 1000) images so that the JIT has compiled the
 * kernels, then times one pass over all images; inputs are preprocessed before timing. ONNX Runtime uses one
 * intra-op thread, the executor the given number of threads. The executor runs twice, with the plain Java GEMM and
 * with ND4J's (where its native libraries load; otherwise that column repeats plain Java, as the log says).
 */
public final class ExecutorBenchmark {
    private ExecutorBenchmark() {}

    private interface Runner {
        void run(Tensor batch) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        LabeledImages data = IdxFiles.locate(List.of(RepoFiles.fashionMnist())).slice(0, images);
        String t = threads + " thread" + (threads == 1 ? "" : "s");
        System.out.printf(Locale.ROOT, "| model | batch | tamp, plain Java GEMM (%s) | tamp, ND4J GEMM (%s) "
                + "| ONNX Runtime (1 thread) | plain / ORT | ND4J / ORT |%n", t, t);
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        Operators plain = Operators.withKernels(MatrixKernels.plainJava());
        Operators nd4j = Operators.withKernels(MatrixKernels.named("nd4j"));
        for (String name : List.of("fmnist_lenet300_100", "fmnist_lenet5", "fmnist_resnet8")) {
            Model model = OnnxImporter.withDefaults().load(RepoFiles.model(name + ".onnx"));
            for (int batch : new int[] {1, 256}) {
                List<Tensor> batches = new ArrayList<>();
                for (int from = 0; from < images; from += batch) {
                    batches.add(Preprocessing.unitScale().batch(data, from, Math.min(images, from + batch)));
                }
                double ours;
                try (Executor executor = Executor.create(model.graph(), plain, threads)) {
                    ours = time(batches, batch, images, executor::run);
                }
                double viaNd4j;
                try (Executor executor = Executor.create(model.graph(), nd4j, threads)) {
                    viaNd4j = time(batches, batch, images, executor::run);
                }
                double ort;
                try (OrtOracle oracle = OrtOracle.open(RepoFiles.model(name + ".onnx"), 1)) {
                    ort = time(batches, batch, images, oracle::run);
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %.1f µs/image (%.2f s) | %.1f µs/image (%.2f s) "
                        + "| %.1f µs/image (%.2f s) | %.2fx | %.2fx |%n", name, batch, ours * 1e6 / images, ours,
                        viaNd4j * 1e6 / images, viaNd4j, ort * 1e6 / images, ort, ours / ort, viaNd4j / ort);
            }
        }
    }

    private static double time(List<Tensor> batches, int batch, int images, Runner runner) throws Exception {
        int warmup = Math.max(1, Math.min(batches.size(), 1000 / batch));
        for (int i = 0; i < warmup; i++) {
            runner.run(batches.get(i));
        }
        long t0 = System.nanoTime();
        for (Tensor b : batches) {
            runner.run(b);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
