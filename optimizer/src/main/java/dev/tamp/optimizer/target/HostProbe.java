package dev.tamp.optimizer.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Measures the machine tamp runs on, for {@code tamp target probe}: what the OS tells (processor, cores, clock, SIMD
 * width and int8 dot-product instructions from the CPU flags, cache sizes) and what Java achieves on it, timed on
 * all cores at once: an fp32 multiply-add stream over L1-resident arrays (the loop shape the generated kernels have,
 * which HotSpot vectorizes), the same with int8 operands accumulated in int, and a STREAM triad over arrays far
 * larger than any cache. Each timing is the best of several repetitions, since a busy machine only ever slows
 * a repetition down.
 */
public final class HostProbe {
    /** Floats per L1-resident array of the arithmetic loops: 2 × 4 KB, well inside any L1 data cache. */
    private static final int L1_FLOATS = 1024;

    private HostProbe() {}

    /**
     * What was found. Throughputs are whole-machine (all {@code cores}), in operations per second counting a
     * multiply-add as two; {@code sources} says where each figure came from, one line each.
     */
    public record Facts(String cpu, int cores, OptionalDouble frequencyHz, int simdBits, boolean int8Dot,
            double fp32FlopsPerSecond, double int8OpsPerSecond, double bandwidthBytesPerSecond, OptionalLong l1,
            OptionalLong l2, OptionalLong l3, long ramBytes, List<String> sources) {
        public Facts {
            sources = List.copyOf(sources);
        }
    }

    /**
     * Probes the host; {@code effort} scales the timed work (1 for a normal probe of a few seconds, smaller for a
     * quick one).
     */
    public static Facts measure(double effort) {
        if (!(effort > 0)) {
            throw new IllegalArgumentException("effort must be positive");
        }
        List<String> sources = new ArrayList<>();
        String cpuinfo = read(Path.of("/proc/cpuinfo")).orElse("");
        String flags = field(cpuinfo, "flags").or(() -> field(cpuinfo, "Features")).orElse("");
        String cpu = cpu(cpuinfo);
        int cores = Runtime.getRuntime().availableProcessors();
        sources.add("cpu, cores: /proc/cpuinfo and the JVM's available processors");

        OptionalDouble frequency = read(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"))
                .map(s -> OptionalDouble.of(Double.parseDouble(s.strip()) * 1e3))
                .orElseGet(() -> field(cpuinfo, "cpu MHz").map(s -> OptionalDouble.of(Double.parseDouble(s) * 1e6))
                        .orElse(OptionalDouble.empty()));
        frequency.ifPresent(f -> sources.add("frequency: cpufreq's maximum, else /proc/cpuinfo's current clock"));

        List<String> words = List.of(flags.split("\\s+"));
        int simd = words.contains("avx512f") ? 512 : words.contains("avx2") || words.contains("avx") ? 256
                : words.contains("sse2") || words.contains("asimd") || words.contains("neon") ? 128 : 0;
        boolean int8Dot = words.contains("avx512_vnni") || words.contains("avx_vnni") || words.contains("asimddp");
        sources.add("simd, int8-dot: CPU flags (avx512f / avx2 / sse2 / asimd; avx512_vnni / avx_vnni / asimddp)");

        int reps = Math.max(3, (int) Math.round(7 * effort));
        double fp32 = onAllCores(cores, reps, core -> fp32Loop((long) (4e8 * effort)));
        sources.add(String.format(Locale.ROOT, "peak fp32: y[i] += a * x[i] over %d floats in L1 on %d threads, best "
                + "of %d", L1_FLOATS, cores, reps));
        double int8 = onAllCores(cores, reps, core -> int8Loop((long) (1e8 * effort)));
        sources.add(String.format(Locale.ROOT, "peak int8: s[i] += a[i] * b[i] (bytes into int) over %d elements in L1 "
                + "on %d threads, best of %d", L1_FLOATS, cores, reps));
        // Three arrays of 4 × 2^22 floats (48 MB) outgrow any cache; a small heap gets at most an eighth of itself.
        long heapFloats = Runtime.getRuntime().maxMemory() / 8 / 12;
        int triadFloats = (int) Math.min(heapFloats, Math.min(1 << 24, Math.max(1 << 20, (1 << 22) * effort)));
        double bandwidth = onAllCores(cores, reps, core -> triad(triadFloats / cores));
        sources.add(String.format(Locale.ROOT, "bandwidth: STREAM triad a[i] = b[i] + s * c[i] over %d MB on %d "
                + "threads, best of %d (12 bytes per element, write-allocate not counted)",
                12L * triadFloats >> 20, cores, reps));

        OptionalLong l1 = cache(1);
        OptionalLong l2 = cache(2);
        OptionalLong l3 = cache(3);
        sources.add("caches: /sys/devices/system/cpu/cpu0/cache (data and unified caches)");
        long ram = Runtime.getRuntime().maxMemory();
        sources.add("limits.ram: this JVM's maximum heap (-Xmx), what a Java application gets here by default");
        return new Facts(cpu, cores, frequency, simd, int8Dot, fp32, int8, bandwidth, l1, l2, l3, ram, sources);
    }

    /** This machine's CPU name, as {@link #measure} writes it into a target's {@code cpu}. */
    public static String cpu() {
        return cpu(read(Path.of("/proc/cpuinfo")).orElse(""));
    }

    private static String cpu(String cpuinfo) {
        return field(cpuinfo, "model name").or(() -> field(cpuinfo, "Hardware")).orElse(System.getProperty("os.arch"));
    }

    /** One timed piece of work: returns the operations (or bytes) it performed, timed by the caller. */
    private interface Work {
        double run();
    }

    /**
     * Runs {@code work} on every core at once, {@code reps} times; the best aggregate rate (total operations over the
     * slowest thread's wall time). The first repetition also warms the JIT up and is timed like the rest.
     */
    private static double onAllCores(int cores, int reps, IntFunction<Work> work) {
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        try {
            double best = 0;
            for (int r = 0; r < reps + 1; r++) {
                List<Callable<Double>> tasks = new ArrayList<>();
                for (int c = 0; c < cores; c++) {
                    Work w = work.apply(c);
                    tasks.add(w::run);
                }
                long start = System.nanoTime();
                double total = 0;
                for (Future<Double> f : pool.invokeAll(tasks)) {
                    total += f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (r > 0) {
                    best = Math.max(best, total / seconds);
                }
            }
            return best;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Multiply-adds over L1-resident floats; the result is kept live so the JIT cannot drop the loop. */
    private static Work fp32Loop(long flops) {
        return () -> {
            float[] x = new float[L1_FLOATS];
            float[] y = new float[L1_FLOATS];
            for (int i = 0; i < L1_FLOATS; i++) {
                x[i] = i * 1e-3f;
            }
            long sweeps = Math.max(1, flops / (2L * L1_FLOATS));
            float a = 1e-7f;
            for (long s = 0; s < sweeps; s++) {
                for (int i = 0; i < L1_FLOATS; i++) {
                    y[i] += a * x[i];
                }
            }
            return y[L1_FLOATS - 1] == -1f ? 0 : 2.0 * sweeps * L1_FLOATS;
        };
    }

    /** int8 × int8 multiply-adds into int accumulators, over L1-resident arrays. */
    private static Work int8Loop(long ops) {
        return () -> {
            byte[] a = new byte[L1_FLOATS];
            byte[] b = new byte[L1_FLOATS];
            int[] s = new int[L1_FLOATS];
            for (int i = 0; i < L1_FLOATS; i++) {
                a[i] = (byte) (i * 7);
                b[i] = (byte) (i * 13);
            }
            long sweeps = Math.max(1, ops / (2L * L1_FLOATS));
            for (long r = 0; r < sweeps; r++) {
                for (int i = 0; i < L1_FLOATS; i++) {
                    s[i] += a[i] * b[i];
                }
            }
            return s[L1_FLOATS - 1] == 42 ? 0 : 2.0 * sweeps * L1_FLOATS;
        };
    }

    /** One STREAM triad sweep per thread over its own arrays, allocated before the clock starts. */
    private static Work triad(int n) {
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        return () -> {
            float s = 3f;
            for (int i = 0; i < n; i++) {
                a[i] = b[i] + s * c[i];
            }
            return a[n - 1] == -1f ? 0 : 12.0 * n;
        };
    }

    /** The size of cpu0's data or unified cache of {@code level}, from sysfs. */
    static OptionalLong cache(int level) {
        for (int i = 0; i < 8; i++) {
            Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i);
            Optional<String> lv = read(dir.resolve("level"));
            Optional<String> type = read(dir.resolve("type"));
            Optional<String> size = read(dir.resolve("size"));
            if (lv.isPresent() && type.isPresent() && size.isPresent() && lv.get().strip().equals(String.valueOf(level))
                    && !type.get().strip().equals("Instruction")) {
                return OptionalLong.of(parseSize(size.get().strip()));
            }
        }
        return OptionalLong.empty();
    }

    /** sysfs cache sizes: {@code 48K}, {@code 1280K}, {@code 54M} (binary multiples). */
    static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1L << 10 : unit == 'M' ? 1L << 20 : unit == 'G' ? 1L << 30 : 1;
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits.strip()) * scale;
    }

    /** The value of the first {@code name : value} line of /proc/cpuinfo. */
    static Optional<String> field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals(name)) {
                return Optional.of(line.substring(colon + 1).strip()).filter(v -> !v.isEmpty());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
