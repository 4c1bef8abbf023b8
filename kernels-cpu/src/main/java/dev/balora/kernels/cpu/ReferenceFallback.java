package dev.balora.kernels.cpu;

import dev.balora.core.backend.BackendUnavailableException;
import dev.balora.core.backend.Backends;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls the CPU backend hands to {@link dev.balora.core.backend.ReferenceBackend} (float64 storage,
 * which exists only for gradient checks), per kernel name, so {@code balora info} can show that the hot path
 * never took the slow one. In strict mode ({@code -Dbalora.strict=true}) a fallback is an error instead.
 */
final class ReferenceFallback {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /**
     * Records one fallback of {@code kernel}.
     *
     * @throws BackendUnavailableException in strict mode
     */
    void record(String kernel, String why) {
        if (Backends.strict()) {
            throw new BackendUnavailableException("cpu backend: kernel '" + kernel + "' has no Vector API path for "
                    + why + ", and -Dbalora.strict=true forbids falling back to the scalar reference");
        }
        counts.computeIfAbsent(kernel, k -> new LongAdder()).increment();
    }

    /** @return fallback calls so far, by kernel name (sorted). */
    Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
