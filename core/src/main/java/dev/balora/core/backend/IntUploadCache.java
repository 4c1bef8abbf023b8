package dev.balora.core.backend;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The integer arrays a device backend uploads for its kernels (token, position and type ids for gathers, class
 * targets for the loss), cached by content: a step gathers positions and token types that never change, and its
 * forward and backward pass the same targets, so each distinct array crosses to the device once while it stays among
 * the {@code capacity} most recently used. The key is a private copy of the array compared element by element: a
 * caller that reuses and rewrites its array gets a fresh upload, never a stale one.
 *
 * @param <H> the device handle of an uploaded array
 */
public final class IntUploadCache<H> {
    /** Arrays longer than this are uploaded each time and not kept (they are not per-step metadata). */
    public static final int MAX_CACHED_LENGTH = 1 << 20;

    private record Key(int[] values, int hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.values, values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final int capacity;
    private final Function<int[], H> upload;
    private final Consumer<H> free;
    private final LinkedHashMap<Key, H> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long uploads;
    private long hits;

    /**
     * @param capacity arrays kept (least recently used goes first)
     * @param upload   copies an array to the device and returns its handle
     * @param free     gives an evicted handle's memory back
     */
    public IntUploadCache(int capacity, Function<int[], H> upload, Consumer<H> free) {
        if (capacity < 1) {
            throw new IllegalArgumentException("IntUploadCache: capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.upload = upload;
        this.free = free;
    }

    /**
     * @return the device handle of an array with {@code values}' contents: a cached one, or a new upload. Handles of
     *     arrays longer than {@link #MAX_CACHED_LENGTH} are not cached: the caller must free them after use
     *     ({@link #isCached}).
     */
    public synchronized H get(int[] values) {
        if (values.length > MAX_CACHED_LENGTH) {
            uploads++;
            return upload.apply(values);
        }
        Key probe = new Key(values, Arrays.hashCode(values));
        H h = entries.get(probe);
        if (h != null) {
            hits++;
            return h;
        }
        uploads++;
        h = upload.apply(values);
        entries.put(new Key(values.clone(), probe.hash), h);
        if (entries.size() > capacity) {
            Iterator<Map.Entry<Key, H>> eldest = entries.entrySet().iterator();
            H old = eldest.next().getValue();
            eldest.remove();
            free.accept(old);
        }
        return h;
    }

    /** @return whether arrays of this length are cached (else the handle from {@link #get} is the caller's to free) */
    public static boolean isCached(int length) {
        return length <= MAX_CACHED_LENGTH;
    }

    /** @return uploads made (cache misses and uncached arrays) */
    public synchronized long uploads() {
        return uploads;
    }

    /** @return calls served without an upload */
    public synchronized long hits() {
        return hits;
    }
}
