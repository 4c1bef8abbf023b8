package dev.balora.core.train;

/**
 * A request to stop training early, safely: a {@link Trainer} that {@linkplain Trainer#stopOn watches} this signal
 * finishes the optimizer step in progress (and an evaluation due at that step), commits a checkpoint, and throws
 * {@link TrainingStoppedException}. The run then continues with {@link Trainer#resume} or
 * {@link Trainer#resumeOrRun}, bit for bit as if it had never stopped.
 *
 * <p>Thread-safe: typically requested from a shutdown hook (Ctrl-C, SIGTERM) while the training thread polls it
 * between steps. One signal may serve several runs in sequence (a sweep): once requested it stays requested.
 */
public final class StopSignal {
    private volatile boolean requested;

    /** Asks every trainer watching this signal to stop after its current step. */
    public void request() {
        requested = true;
    }

    /** @return whether a stop was requested */
    public boolean isRequested() {
        return requested;
    }
}
