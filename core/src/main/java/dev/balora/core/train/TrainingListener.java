package dev.balora.core.train;

import java.nio.file.Path;

/**
 * Progress callbacks (a CLI progress bar, tests). Called on the training thread, in order; a listener that
 * throws stops the run. Every method has an empty default.
 */
public interface TrainingListener {
    /** The run begins (or resumes) at {@code startStep} of {@code totalSteps}. */
    default void onStart(long startStep, long totalSteps) {}

    /** An optimizer step finished. */
    default void onStep(StepRecord record) {}

    /** An evaluation finished. */
    default void onEval(EvalRecord record) {}

    /** A checkpoint was committed; {@code stateFile} is its {@code checkpoint.json}. */
    default void onCheckpoint(long step, Path stateFile) {}

    /** The run finished and {@code summary.json} was written. */
    default void onFinish(TrainingSummary summary) {}
}
