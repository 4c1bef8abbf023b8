package dev.balora.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code point.json}: the state of one grid point in a sweep folder. Written with status {@code running} when the
 * point starts and replaced (atomically) by its final state, so a reader never sees half a file and a point without a
 * final status is unfinished (resumed from its checkpoint, or restarted).
 *
 * @param id         the point's id
 * @param group      its group
 * @param status     {@link #RUNNING}, {@link #DONE}, {@link #FAILED} or {@link #STOPPED} (by a scheduler, e.g. ASHA)
 * @param options    the resolved finetune options (references replaced by their values)
 * @param args       the equivalent {@code balora finetune} arguments, without {@code --out}
 * @param sameAs     the id of an identical finished point whose results this one shares, or null
 * @param validation the kept model's validation metrics (the best checkpoint's with {@code --select best})
 * @param test       the kept model's test metrics, or null without a test set
 * @param bestStep   the step of the kept model (-1 when unknown)
 * @param steps      optimizer steps run
 * @param stoppedEarly  whether early stopping ended the run
 * @param notConverged  whether the best validation was the last one
 * @param trainSeconds  training wall time (evaluations included)
 * @param wallSeconds   the point's wall time in the runner (loading data, training, writing files)
 * @param error      why it failed, or null
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record SweepPointRecord(String id, String group, String status, Map<String, String> options, List<String> args,
                        @JsonProperty("same_as") String sameAs, Map<String, Double> validation, Map<String, Double> test,
                        @JsonProperty("best_step") long bestStep, long steps,
                        @JsonProperty("stopped_early") boolean stoppedEarly,
                        @JsonProperty("not_converged") boolean notConverged,
                        @JsonProperty("train_s") double trainSeconds, @JsonProperty("wall_s") double wallSeconds,
                        String error) {
    static final String FILE = "point.json";
    static final String RUNNING = "running";
    static final String DONE = "done";
    static final String FAILED = "failed";
    static final String STOPPED = "stopped";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** @return whether the point will not run again without being asked to (done, failed or stopped) */
    boolean terminal() {
        return DONE.equals(status) || FAILED.equals(status) || STOPPED.equals(status);
    }

    static SweepPointRecord running(SweepGrid.Point p, Map<String, String> options, List<String> args) {
        return new SweepPointRecord(p.id(), p.group(), RUNNING, options, args, null, null, null, -1, 0, false, false,
                0, 0, null);
    }

    SweepPointRecord failed(String why, double wall) {
        return new SweepPointRecord(id, group, FAILED, options, args, null, null, null, -1, 0, false, false, 0, wall, why);
    }

    /** @return the record in {@code pointDir}, or null when there is none */
    static SweepPointRecord read(Path pointDir) throws IOException {
        Path f = pointDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return MAPPER.readValue(f.toFile(), SweepPointRecord.class);
        } catch (JacksonException e) {
            throw new UserInputException(f + ": malformed point record: " + e.getOriginalMessage());
        }
    }

    void write(Path pointDir) throws IOException {
        Files.createDirectories(pointDir);
        AtomicFiles.writeString(pointDir.resolve(FILE), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n");
    }
}
