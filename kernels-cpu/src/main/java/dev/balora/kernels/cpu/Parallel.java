package dev.balora.kernels.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The one shared thread pool of the CPU kernels, and the loop that splits work over it.
 *
 * <p>The pool has {@code -Dbalora.threads} workers (default: the available processors). A caller may ask
 * for fewer or more workers for the calls it makes inside {@link #withThreads} (tests compare 1, 2 and 4;
 * benchmarks compare 1 and 2): {@link #forEach} then cuts its range into that many chunks. When more chunks
 * than pool workers are asked for they queue on the same pool, so the partition (and thus the summation
 * order each kernel uses) follows the requested count, not the hardware.
 *
 * <p>Kernels call {@link #forEach} once per operation, outside their reduction loops, so no thread ever
 * waits for another in the middle of a product.
 */
public final class Parallel {
    /** Threads requested by {@code -Dbalora.threads}, or the available processors. */
    public static final int DEFAULT_THREADS = readThreads(System.getProperty("balora.threads"));

    private static final ForkJoinPool POOL = new ForkJoinPool(DEFAULT_THREADS,
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("balora-cpu-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    private static final ThreadLocal<Integer> OVERRIDE = new ThreadLocal<>();

    private Parallel() {}

    /** The number of chunks {@link #forEach} uses from the calling thread. */
    public static int threads() {
        Integer o = OVERRIDE.get();
        return o != null ? o : DEFAULT_THREADS;
    }

    /** Runs {@code body} with {@link #threads()} set to {@code n} on this thread, then restores it. */
    public static void withThreads(int n, Runnable body) {
        withThreads(n, () -> {
            body.run();
            return null;
        });
    }

    /** Returns {@code body.get()} computed with {@link #threads()} set to {@code n} on this thread. */
    public static <T> T withThreads(int n, Supplier<T> body) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count: expected >= 1, got " + n);
        }
        Integer before = OVERRIDE.get();
        OVERRIDE.set(n);
        try {
            return body.get();
        } finally {
            if (before == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(before);
            }
        }
    }

    /**
     * Calls {@code body.accept(i)} for every chunk index {@code i} in {@code [0, chunks)}, spreading the chunks
     * over at most {@link #threads()} threads (the caller runs the first share itself) and returning when all
     * are done. Nested calls from a pool worker run serially. An exception in any chunk is rethrown.
     */
    public static void forEach(int chunks, IntConsumer body) {
        int workers = Math.min(chunks, threads());
        if (workers <= 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < chunks; i++) {
                body.accept(i);
            }
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[workers - 1];
        // The first failure, kept as thrown (ForkJoinTask.join would rethrow a wrapped copy).
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        for (int w = 1; w < workers; w++) {
            int from = share(chunks, workers, w);
            int to = share(chunks, workers, w + 1);
            tasks[w - 1] = POOL.submit(() -> runRange(body, from, to, failure));
        }
        runRange(body, 0, share(chunks, workers, 1), failure);
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    private static void runRange(IntConsumer body, int from, int to, AtomicReference<RuntimeException> failure) {
        try {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** First chunk index of worker {@code w} when {@code chunks} are dealt as evenly as possible to {@code workers}. */
    private static int share(int chunks, int workers, int w) {
        return (int) ((long) chunks * w / workers);
    }

    static int readThreads(String value) {
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("system property balora.threads: expected an integer >= 1, got '" + value + "'");
    }
}
