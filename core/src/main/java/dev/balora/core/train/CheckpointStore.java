package dev.balora.core.train;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One checkpoint slot in a directory: {@code checkpoint.json} ({@link CheckpointState}) and the safetensors file
 * it names, {@code tensors-<step>.safetensors}.
 *
 * <p>Saving writes the tensor file under a new, step-numbered name (atomically, through {@link AtomicFiles}),
 * then atomically replaces {@code checkpoint.json}. <b>The rename of {@code checkpoint.json} is the commit
 * point</b>: before it, the old state file still names the old tensor file, which is still there; after it,
 * the new pair is complete. Only then are tensor files no state names deleted. A crash at any moment therefore
 * leaves exactly one loadable checkpoint: the old one or the new one.
 */
public final class CheckpointStore {
    /** The state file's name. */
    public static final String STATE_FILE = "checkpoint.json";
    private static final String TENSORS_PREFIX = "tensors-";
    private static final String TENSORS_SUFFIX = ".safetensors";

    private final Path dir;
    private final Runnable beforeCommit;

    /** A store in {@code dir} (created on the first save). */
    public CheckpointStore(Path dir) {
        this(dir, () -> {});
    }

    /** For tests: {@code beforeCommit} runs after the tensor file is written and before the state file is. */
    CheckpointStore(Path dir, Runnable beforeCommit) {
        this.dir = dir;
        this.beforeCommit = beforeCommit;
    }

    /** @return the directory */
    public Path directory() {
        return dir;
    }

    /** @return the state file's path */
    public Path stateFile() {
        return dir.resolve(STATE_FILE);
    }

    /** @return whether a committed checkpoint exists */
    public boolean exists() {
        return Files.isRegularFile(stateFile());
    }

    /**
     * Writes a checkpoint and commits it.
     *
     * @param state   the state; its {@code tensorsFile}/{@code tensorsBytes} are filled in here
     * @param tensors parameter values and AdamW moments under {@link CheckpointState}'s keys
     * @return the committed state
     * @throws IOException when a write fails; the previous checkpoint is then still the committed one
     */
    public CheckpointState save(CheckpointState state, Map<String, F32Tensor> tensors) throws IOException {
        Files.createDirectories(dir);
        String name = String.format(java.util.Locale.ROOT, "%s%09d%s", TENSORS_PREFIX, state.step(), TENSORS_SUFFIX);
        if (exists() && name.equals(read().tensorsFile())) {
            // Never overwrite the committed tensor file in place: that would break the old pair before commit.
            throw new CheckpointException(stateFile() + ": a checkpoint of step " + state.step() + " is already committed");
        }
        Path tensorsPath = dir.resolve(name);
        SafetensorsWriter.write(tensorsPath, tensors,
                Map.of("format", "balora-checkpoint", "step", Long.toString(state.step())));
        beforeCommit.run();
        CheckpointState committed = state.withTensors(name, Files.size(tensorsPath));
        AtomicFiles.writeString(stateFile(), Json.MAPPER.writeValueAsString(committed)); // commit point
        deleteUnreferenced(name);
        return committed;
    }

    /** Removes tensor files left by older checkpoints or by a save that crashed before its commit. */
    private void deleteUnreferenced(String keep) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TENSORS_PREFIX + "*" + TENSORS_SUFFIX)) {
            for (Path f : files) {
                if (!f.getFileName().toString().equals(keep)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * @return the committed state
     * @throws CheckpointException when there is none or it is malformed
     */
    public CheckpointState read() throws IOException {
        Path file = stateFile();
        CheckpointState s;
        try {
            s = Json.MAPPER.readValue(Files.readString(file), CheckpointState.class);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no checkpoint here (missing " + STATE_FILE + ")", e);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CheckpointException(file + ": malformed checkpoint state: " + e.getOriginalMessage(), e);
        }
        if (s.format() != CheckpointState.FORMAT) {
            throw new CheckpointException(file + ": key format: expected " + CheckpointState.FORMAT + ", found " + s.format());
        }
        if (s.tensorsFile() == null || s.parameters() == null) {
            throw new CheckpointException(file + ": keys tensorsFile and parameters are required");
        }
        return s;
    }

    /** A loaded checkpoint: its state and every tensor of its tensor file by key. */
    public record Loaded(CheckpointState state, Map<String, F32Tensor> tensors) {}

    /**
     * @return the committed checkpoint with all its tensors
     * @throws CheckpointException when the state is missing or malformed, or the tensor file's size differs
     */
    public Loaded load() throws IOException {
        CheckpointState s = read();
        Path tensorsPath = dir.resolve(s.tensorsFile());
        long size = Files.exists(tensorsPath) ? Files.size(tensorsPath) : -1;
        if (size != s.tensorsBytes()) {
            throw new CheckpointException(tensorsPath + ": expected " + s.tensorsBytes() + " bytes as " + STATE_FILE
                    + " records, found " + (size < 0 ? "no file" : size + " bytes"));
        }
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsReader r = SafetensorsReader.open(tensorsPath)) {
            for (String key : r.names()) {
                tensors.put(key, r.readF32Tensor(key));
            }
        }
        return new Loaded(s, tensors);
    }
}
