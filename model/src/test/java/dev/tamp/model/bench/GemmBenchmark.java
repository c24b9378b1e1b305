package dev.tamp.model.bench;

import dev.tamp.model.ops.MatrixKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GMAC/s of the plain Java GEMM against ND4J's, side by side in one JVM, on the products the reference models make.
 * Not a test; run it with {@code model/scripts/gemm-bench.sh}. Arguments: {@code [threads] [seconds per cell]},
 * defaults 1 and 1.0. With several threads each runs its own products on its own operands, as the executor splits a
 * batch's images; ND4J's BLAS uses one thread per call.
 *
 * <p>Columns: plain Java; ND4J through {@code Nd4jMatrixKernels} (copying A, B and C from and to Java arrays on every
 * call, as the executor needs); ND4J's {@code gemm} alone on operands already off-heap (its ceiling here).
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    private record Shape(String name, int m, int n, int k) {}

    private interface Gemm {
        void run(float[] a, float[][] b, float[][] c);
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        List<Shape> shapes = List.of(
                // As the executor issues them: Conv lays images side by side up to about 1,024 columns.
                new Shape("resnet8 stage 1 conv, executor call", 32, 784, 288),
                new Shape("resnet8 stage 2 conv, executor call", 64, 980, 576),
                new Shape("resnet8 stage 3 conv, executor call", 128, 980, 1152),
                new Shape("lenet5 conv2, executor call", 50, 1024, 500),
                new Shape("lenet300 fc1, batch 256", 256, 300, 784),
                // Batch 1.
                new Shape("resnet8 stage 3 conv, batch 1", 128, 49, 1152),
                new Shape("lenet5 conv2, batch 1", 50, 64, 500),
                new Shape("lenet300 fc1, batch 1", 1, 300, 784),
                new Shape("lenet300 fc1, batch 8", 8, 300, 784),
                new Shape("lenet300 fc1, batch 16", 16, 300, 784),
                new Shape("lenet300 fc1, batch 32", 32, 300, 784),
                new Shape("lenet300 fc2, batch 16", 16, 100, 300),
                // One product for a whole batch of 64 images.
                new Shape("resnet8 stage 1 conv, 64 images", 32, 784 * 64, 288),
                new Shape("resnet8 stage 2 conv, 64 images", 64, 196 * 64, 576),
                new Shape("resnet8 stage 3 conv, 64 images", 128, 49 * 64, 1152),
                new Shape("lenet5 conv2, 64 images", 50, 64 * 64, 500));
        MatrixKernels plain = MatrixKernels.plainJava();
        MatrixKernels nd4j = MatrixKernels.named("nd4j");
        System.out.printf(Locale.ROOT, "GMAC/s, %d thread%s%n", threads, threads == 1 ? "" : "s");
        System.out.println("| product (m x n x k) | plain Java | ND4J with copies | ND4J gemm alone |");
        System.out.println("|---|---:|---:|---:|");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Shape s : shapes) {
                double p = measure(s, threads, pool, seconds, () -> (a, b, c) -> plain.gemmF32(s.m, s.n, s.k, a, 0,
                        s.k, b, c));
                double w = measure(s, threads, pool, seconds, () -> (a, b, c) -> nd4j.gemmF32(s.m, s.n, s.k, a, 0,
                        s.k, b, c));
                double g = measure(s, threads, pool, seconds, offHeapOnly(s));
                System.out.printf(Locale.ROOT, "| %s, %d x %d x %d | %.1f | %.1f | %.1f |%n", s.name, s.m, s.n, s.k,
                        p, w, g);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** ND4J's gemm on operands filled once: what a caller that kept its tensors off-heap would get. */
    private static Supplier<Gemm> offHeapOnly(Shape s) {
        return () -> {
            INDArray a = Nd4j.create(DataType.FLOAT, new long[] {s.m, s.k}, 'c');
            INDArray b = Nd4j.create(DataType.FLOAT, new long[] {s.k, s.n}, 'c');
            INDArray c = Nd4j.create(DataType.FLOAT, new long[] {s.m, s.n}, 'c');
            boolean[] filled = {false};
            return (ja, jb, jc) -> {
                if (!filled[0]) {
                    new FloatPointer(a.data().addressPointer()).put(ja, 0, s.m * s.k);
                    FloatPointer pb = new FloatPointer(b.data().addressPointer());
                    for (int p = 0; p < s.k; p++) {
                        pb.position((long) p * s.n).put(jb[p], 0, s.n);
                    }
                    filled[0] = true;
                }
                Nd4j.gemm(a, b, c, false, false, 1.0, 1.0);
            };
        };
    }

    private static float[][] randomRows(SplittableRandom r, int rows, int cols) {
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) r.nextDouble(-1, 1);
            }
        }
        return x;
    }

    /** GMAC/s summed over threads, after half a second of warm-up that also sets the repetition count. */
    private static double measure(Shape s, int threads, ExecutorService pool, double seconds, Supplier<Gemm> make)
            throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>();
        long[] reps = {0};
        {
            Gemm g = make.get();
            float[] a = new float[s.m * s.k];
            float[][] b = randomRows(new SplittableRandom(1), s.k, s.n);
            float[][] c = new float[s.m][s.n];
            long t0 = System.nanoTime();
            int runs = 0;
            while (System.nanoTime() - t0 < 500_000_000L || runs < 3) {
                g.run(a, b, c);
                runs++;
            }
            reps[0] = Math.max(3, (long) (seconds * runs / ((System.nanoTime() - t0) / 1e9)));
        }
        for (int t = 0; t < threads; t++) {
            int seed = t;
            Gemm g = make.get();
            tasks.add(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                float[] a = new float[s.m * s.k];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextDouble(-1, 1);
                }
                float[][] b = randomRows(r, s.k, s.n);
                float[][] c = new float[s.m][s.n];
                g.run(a, b, c);
                long t0 = System.nanoTime();
                for (long i = 0; i < reps[0]; i++) {
                    g.run(a, b, c);
                }
                return System.nanoTime() - t0;
            });
        }
        long slowest = 0;
        for (Future<Long> f : pool.invokeAll(tasks)) {
            slowest = Math.max(slowest, f.get());
        }
        return (double) s.m * s.n * s.k * reps[0] * threads / (slowest / 1e9) / 1e9;
    }
}
