package dev.tamp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link InferenceBenchmark}'s engines side by side in time: set up in one JVM, then alternating in rounds of a few
 * images each for a given time, so every engine sees the same (changing) load of a shared machine, which JMH, running
 * the engines one after the other, cannot give. Prints, per engine, the best round (the least disturbed) and the
 * median of the rounds in the second half (the first half is warm-up), in microseconds per image, and both as ratios
 * to the fastest ONNX Runtime engine.
 *
 * <p>Usage (from the repository root): {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.tamp.bench.Interleaved MODEL SECONDS ENGINE...}; the system property {@code round} sets the images per round
 * (default 20).
 */
public final class Interleaved {
    private Interleaved() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: Interleaved MODEL SECONDS ENGINE...");
            System.exit(2);
        }
        String model = args[0];
        double seconds = Double.parseDouble(args[1]);
        List<String> engines = List.of(args).subList(2, args.length);
        int round = Integer.getInteger("round", 20);
        List<InferenceBenchmark> benches = new ArrayList<>();
        for (String engine : engines) {
            InferenceBenchmark b = new InferenceBenchmark();
            b.model = model;
            b.engine = engine;
            b.setUp();
            benches.add(b);
        }
        List<List<Double>> times = new ArrayList<>();
        for (int i = 0; i < engines.size(); i++) {
            times.add(new ArrayList<>());
        }
        long end = System.nanoTime() + (long) (seconds * 1e9);
        float sink = 0;
        while (System.nanoTime() < end) {
            for (int e = 0; e < benches.size(); e++) {
                InferenceBenchmark b = benches.get(e);
                long t0 = System.nanoTime();
                for (int i = 0; i < round; i++) {
                    sink += b.infer()[0];
                }
                times.get(e).add((System.nanoTime() - t0) / 1e3 / round);
            }
        }
        double[] best = new double[engines.size()];
        double[] median = new double[engines.size()];
        double bestOrt = Double.MAX_VALUE;
        double medianOrt = Double.MAX_VALUE;
        for (int e = 0; e < engines.size(); e++) {
            List<Double> t = times.get(e);
            double[] late = t.subList(t.size() / 2, t.size()).stream().mapToDouble(Double::doubleValue).sorted()
                    .toArray();
            best[e] = Arrays.stream(late).min().orElse(Double.NaN);
            median[e] = late[late.length / 2];
            if (engines.get(e).startsWith("ort_")) {
                bestOrt = Math.min(bestOrt, best[e]);
                medianOrt = Math.min(medianOrt, median[e]);
            }
        }
        System.out.printf(Locale.ROOT, "%s, %d rounds of %d images per engine, load average %s%n", model,
                times.get(0).size(), round, loadAverage());
        System.out.println("| engine | best round, us | / best ORT | median (2nd half), us | / best ORT |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int e = 0; e < engines.size(); e++) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.2fx | %.1f | %.2fx |%n", engines.get(e), best[e],
                    best[e] / bestOrt, median[e], median[e] / medianOrt);
        }
        for (InferenceBenchmark b : benches) {
            b.tearDown();
        }
        if (sink == 42.4242f) {
            System.out.println();
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
