package dev.balora.core.train;

import java.nio.file.Path;

/**
 * Thrown by {@link Trainer#run()} and {@link Trainer#resume} when its {@link StopSignal} was requested: the step in
 * progress was finished and, when any step had been done, a checkpoint of it was committed. Not an error of the
 * run: continue it with {@link Trainer#resumeOrRun()} (or {@link Trainer#resume} on {@link #checkpointDir()}).
 */
public final class TrainingStoppedException extends RuntimeException {
    private final long step;
    private final long totalSteps;
    private final transient Path checkpointDir;

    /**
     * @param step          optimizer steps completed and saved
     * @param totalSteps    T of the run
     * @param checkpointDir the committed checkpoint's directory, or null when no step had been done (nothing saved)
     */
    public TrainingStoppedException(long step, long totalSteps, Path checkpointDir) {
        super(checkpointDir == null ? "training stopped before its first step; nothing to save"
                : "training stopped after step " + step + " of " + totalSteps + "; checkpoint saved in " + checkpointDir);
        this.step = step;
        this.totalSteps = totalSteps;
        this.checkpointDir = checkpointDir;
    }

    /** @return optimizer steps completed (and saved when {@link #checkpointDir()} is not null) */
    public long step() {
        return step;
    }

    /** @return T of the run */
    public long totalSteps() {
        return totalSteps;
    }

    /** @return the checkpoint to resume from, or null when the run stopped before its first step */
    public Path checkpointDir() {
        return checkpointDir;
    }
}
