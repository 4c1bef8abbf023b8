package dev.balora.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a {@link Trainer} output directory holds, read from its files: nothing of a run yet, an unfinished run (a
 * metrics log or a checkpoint, no summary), or a finished one ({@code summary.json}). Front ends use it to refuse a
 * fresh run over an earlier one with a message that names the way to continue it.
 */
public final class RunDirectory {
    /** The state of an output directory. */
    public enum State {
        /** No run has logged a step here (a missing or empty directory, or an empty metrics log). */
        EMPTY,
        /** A run started here and has not finished: continue it with {@link Trainer#resumeOrRun()}. */
        UNFINISHED,
        /** A run finished here: {@code summary.json} exists. */
        FINISHED
    }

    private final Path dir;

    /** The output directory {@code dir} (it need not exist). */
    public RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** @return the directory */
    public Path directory() {
        return dir;
    }

    /** @return the checkpoint store inside it */
    public CheckpointStore checkpoints() {
        return new CheckpointStore(dir.resolve(Trainer.CHECKPOINT_DIR));
    }

    /** @return what the directory holds */
    public State state() throws IOException {
        if (Files.exists(dir.resolve(Trainer.SUMMARY_FILE))) {
            return State.FINISHED;
        }
        Path metrics = dir.resolve(Trainer.METRICS_FILE);
        boolean logged = Files.exists(metrics) && Files.size(metrics) > 0;
        return logged || checkpoints().exists() ? State.UNFINISHED : State.EMPTY;
    }

    /**
     * @return the committed checkpoint's state, or empty when there is none
     * @throws CheckpointException when a state file is there but malformed
     */
    public Optional<CheckpointState> checkpoint() throws IOException {
        CheckpointStore store = checkpoints();
        return store.exists() ? Optional.of(store.read()) : Optional.empty();
    }

    /**
     * @return how far an unfinished run got, for a message: "step 12 of 40 is saved" or "no step is saved yet
     *     (it starts again from step 0)"
     */
    public String progress() throws IOException {
        Optional<CheckpointState> s;
        try {
            s = checkpoint();
        } catch (CheckpointException e) {
            return "its checkpoint is unreadable (" + e.getMessage() + ")";
        }
        return s.map(c -> "step " + c.step() + " of " + c.totalSteps() + " is saved")
                .orElse("no step is saved yet (it starts again from step 0)");
    }
}
