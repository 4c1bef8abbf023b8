package dev.balora.core.backend;

/**
 * A {@link java.util.ServiceLoader} provider of a backend. Providers are ranked; the highest-ranked available one
 * is used unless {@code -Dbalora.backend=NAME} forces one.
 */
public interface BackendProvider {
    /** @return the name used by {@code -Dbalora.backend} (reference, cpu, cuda). */
    String name();

    /** @return the rank: higher wins (reference 0, cpu 100, cuda 200). */
    int rank();

    /**
     * Probes whether the backend can run here. Must not throw: a missing library or CPU feature is returned as
     * {@link Availability#unavailable(String)} with the reason.
     */
    Availability probe();

    /** Creates the backend; only called after a successful probe. */
    Backend create();

    /** The result of a probe. */
    record Availability(boolean available, String reason) {
        public static Availability available(String reason) {
            return new Availability(true, reason);
        }

        public static Availability unavailable(String reason) {
            return new Availability(false, reason);
        }
    }
}
