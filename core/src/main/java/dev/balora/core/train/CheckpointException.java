package dev.balora.core.train;

/**
 * A checkpoint cannot be used: missing or malformed state, a tensor of the wrong shape, or a run whose
 * configuration or task differs from the one that wrote it. Messages name the file, the key, and the expected
 * and actual values.
 */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
