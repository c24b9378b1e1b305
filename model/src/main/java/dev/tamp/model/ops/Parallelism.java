package dev.tamp.model.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Splits independent work (images of a batch) into contiguous chunks, one per thread. Every element is computed by
 * exactly the same arithmetic whatever the thread count, so results do not depend on it.
 */
public final class Parallelism {
    /** A chunk of work over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final Parallelism SEQUENTIAL = new Parallelism(null, 1);

    private final ExecutorService pool;
    private final int threads;

    public Parallelism(ExecutorService pool, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        this.pool = pool;
        this.threads = pool == null ? 1 : threads;
    }

    public static Parallelism sequential() {
        return SEQUENTIAL;
    }

    public int threads() {
        return threads;
    }

    public void forRange(int count, RangeTask task) {
        int chunks = Math.min(threads, count);
        if (chunks <= 1) {
            task.run(0, count);
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) count * c / chunks);
            int to = (int) ((long) count * (c + 1) / chunks);
            futures.add(pool.submit(() -> task.run(from, to)));
        }
        task.run(0, (int) ((long) count / chunks));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
