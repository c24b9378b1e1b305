package dev.tamp.codegen.java;

import java.util.Arrays;

/**
 * Batch-1 latency of a loaded generated model on this machine. A warm-up runs until C2 has compiled the kernels
 * (the Vector API ones run about 100 times slower before): in chunks, until a chunk is no faster than the one before
 * it. Then many short samples of about a millisecond each are timed, cycling through the inputs: short enough that
 * most run inside one time slice of the scheduler even when other processes share the cores. The low decile of the
 * samples is what the kernels cost when nothing else runs (other processes only ever add time); the median is what
 * a caller sees on a machine as loaded as this one.
 *
 * @param warmupSeconds  least time spent calling before anything is timed (at most 20 times as much)
 * @param measureSeconds time spent in timed samples
 */
public record LatencyTimer(double warmupSeconds, double measureSeconds) {
    /** Calls made before timing whatever the warm-up time: the Vector API kernels need about 200 to reach C2. */
    static final int MIN_WARMUP_CALLS = 2000;

    /** Target length of one timed sample. */
    static final double SAMPLE_SECONDS = 1e-3;

    public LatencyTimer {
        if (!(warmupSeconds >= 0) || !(measureSeconds > 0)) {
            throw new IllegalArgumentException("warm-up >= 0 s and a positive measuring time");
        }
    }

    /** Seconds per call: the low decile of the samples (an unloaded core) and their median (this machine now). */
    public record Latency(double quiet, double median) {}

    /** Times {@code model.predict} over {@code inputs} (each one image), cycling through them. */
    public Latency time(GeneratedModel model, float[][] inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("no inputs to time");
        }
        long[] next = {0};
        long[] sink = {0};
        // Warm-up in chunks until a chunk no longer gets faster (C2 done), after the least time and calls.
        double chunk = Math.max(0.05, warmupSeconds / 4);
        double previous = Double.POSITIVE_INFINITY;
        double spent = 0;
        long calls = 0;
        while (true) {
            long t0 = System.nanoTime();
            long n = 0;
            long now;
            do {
                sink[0] += call(model, inputs, next);
                n++;
                now = System.nanoTime();
            } while (now - t0 < chunk * 1e9);
            calls += n;
            spent += (now - t0) / 1e9;
            double perCall = (now - t0) / 1e9 / n;
            boolean settled = perCall > 0.95 * previous;
            previous = Math.min(previous, perCall);
            if (spent >= 20 * warmupSeconds || spent >= warmupSeconds && calls >= MIN_WARMUP_CALLS && settled) {
                break;
            }
        }
        int per = (int) Math.max(1, Math.min(1 << 20, SAMPLE_SECONDS / previous));
        int samples = (int) Math.max(5, Math.min(100_000, measureSeconds / (per * previous)));
        double[] perCall = new double[samples];
        for (int s = 0; s < samples; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < per; i++) {
                sink[0] += call(model, inputs, next);
            }
            perCall[s] = (System.nanoTime() - t0) / 1e9 / per;
        }
        if (sink[0] == 0x5eed) {
            // Keeps the results alive so the JIT cannot drop the calls; never true in practice, harmless if so.
            Thread.onSpinWait();
        }
        Arrays.sort(perCall);
        return new Latency(perCall[samples / 10], perCall[samples / 2]);
    }

    private static long call(GeneratedModel model, float[][] inputs, long[] next) {
        float[] out = model.predict(inputs[(int) (next[0]++ % inputs.length)]);
        return Float.floatToRawIntBits(out[0]);
    }
}
