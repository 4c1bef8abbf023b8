package dev.balora.core.backend;

/** Thrown in strict mode, or when a forced backend does not exist, instead of silently falling back. */
public final class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
