package dev.balora.core.train;

import java.io.IOException;

/**
 * How a run is kept safe and continued, apart from what it computes: how often it commits a checkpoint, whether it
 * continues what its output directory holds, and which {@link StopSignal} may stop it. The high-level runs
 * ({@code FineTuneRun}, {@code LmFineTuneRun}, {@code PretrainRun}) take one; none of it changes the numbers a run
 * produces, so a run stopped and resumed any number of times ends exactly as an uninterrupted one.
 *
 * <pre>{@code
 * StopSignal stop = new StopSignal();
 * Runtime.getRuntime().addShutdownHook(...);                       // request `stop`, then wait for the run to end
 * RunControl control = RunControl.checkpointEvery(50).resuming(true).stoppingOn(stop);
 * FineTuneRun.run(encoder, train, eval, null, options, outDir, control, listeners);
 * }</pre>
 *
 * @param checkpointEvery commit a checkpoint every this many optimizer steps and at the end; 0 = only when stopped
 * @param resume          continue the run in the output directory ({@link Trainer#resumeOrRun()}); false = start a
 *                        fresh run, refused when the directory holds an earlier run's log
 * @param stop            stops the run after its current step with a checkpoint, or null for none
 */
public record RunControl(long checkpointEvery, boolean resume, StopSignal stop) {
    /** No periodic checkpoints, a fresh run, no stop signal: the trainer's behaviour before resume support. */
    public static final RunControl NONE = new RunControl(0, false, null);

    public RunControl {
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("RunControl.checkpointEvery: expected >= 0, got " + checkpointEvery);
        }
    }

    /** @return a fresh run that checkpoints every {@code steps} steps (0 = only when stopped), with no stop signal */
    public static RunControl checkpointEvery(long steps) {
        return new RunControl(steps, false, null);
    }

    /** @return this control continuing the output directory's run when {@code resume} is true */
    public RunControl resuming(boolean resume) {
        return new RunControl(checkpointEvery, resume, stop);
    }

    /** @return this control watching {@code signal} */
    public RunControl stoppingOn(StopSignal signal) {
        return new RunControl(checkpointEvery, resume, signal);
    }

    /** Sets the checkpoint interval on a trainer config being built; returns it. */
    public TrainerConfig.Builder applyTo(TrainerConfig.Builder config) {
        return config.checkpointEvery(checkpointEvery);
    }

    /**
     * Trains with {@code trainer} (built with a config this control was {@linkplain #applyTo applied} to): resumes or
     * runs, watching the stop signal.
     *
     * @throws TrainingStoppedException when the stop signal was requested (a checkpoint was committed)
     */
    public TrainingSummary train(Trainer trainer) throws IOException {
        if (stop != null) {
            trainer.stopOn(stop);
        }
        return resume ? trainer.resumeOrRun() : trainer.run();
    }
}
