package dev.balora.kernels.cuda;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The bookkeeping of a ring buffer whose slices are released in the order they were taken (a FIFO of queued
 * copies), without any CUDA: {@link #reserve} returns where the next slice goes and hands every queued slice that the
 * new one would overwrite to a retire callback (which waits for its copy). Slices are 256-byte aligned and never
 * straddle the end of the ring. Kept apart from {@link PinnedRing} so the wrap-around logic is tested without a GPU.
 *
 * @param <T> what the caller attaches to a slice (its completion event)
 */
final class RingPlanner<T> {
    /** A queued slice [start, end) and the caller's token. */
    record Slice<T>(long start, long end, T token) {}

    private final long capacity;
    private final ArrayDeque<Slice<T>> queued = new ArrayDeque<>();
    private long head;

    RingPlanner(long capacity) {
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    /**
     * Plans a slice of {@code bytes} (at most the capacity) and retires, oldest first, every queued slice it would
     * overlap.
     *
     * @return the offset of the new slice; register it with {@link #queue} once its copy is queued
     */
    long reserve(long bytes, Consumer<T> retire) {
        if (bytes < 0 || bytes > capacity) {
            throw new IllegalArgumentException("ring slice of " + bytes + " bytes in a ring of " + capacity);
        }
        long start = (head + 255) & ~255L;
        if (start + bytes > capacity) {
            // Wrap. Queued slices at or beyond the old head were queued before the last wrap, so they are the
            // oldest (the front of the queue), and the new slice may not pass them later.
            while (!queued.isEmpty() && queued.peekFirst().start() >= head) {
                retire.accept(queued.pollFirst().token());
            }
            start = 0;
        }
        long end = start + bytes;
        while (!queued.isEmpty() && overlaps(queued.peekFirst(), start, end)) {
            retire.accept(queued.pollFirst().token());
        }
        head = end;
        return start;
    }

    /** Records that the slice at {@code start} of {@code bytes} is in use until {@code token} completes. */
    void queue(long start, long bytes, T token) {
        queued.addLast(new Slice<>(start, start + bytes, token));
    }

    /** @return the queued slices, oldest first (for tests and shutdown) */
    Iterable<Slice<T>> queued() {
        return queued;
    }

    private static boolean overlaps(Slice<?> s, long start, long end) {
        return s.start() < end && start < s.end();
    }
}
