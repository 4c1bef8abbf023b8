package dev.balora.models.finetune;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainable parameters (adapters and head) of the best validation result so far, kept on disk as
 * {@code <dir>/parameters.safetensors} with the step in its metadata, so that a resumed run still has them.
 * Each save replaces the file atomically; {@link #restore} copies the values back bit for bit.
 */
public final class BestCheckpoint {
    /** The file inside the directory. */
    public static final String FILE = "parameters.safetensors";
    private final Path dir;

    /** A checkpoint kept in {@code dir} (created on the first save). */
    public BestCheckpoint(Path dir) {
        this.dir = dir;
    }

    /** @return the parameter file */
    public Path file() {
        return dir.resolve(FILE);
    }

    /** Writes the current values of {@code params} as the best of step {@code step}. */
    public void save(Map<String, Tensor> params, long step) throws IOException {
        Files.createDirectories(dir);
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put(name, new F32Tensor(Arrays.stream(p.shape()).asLongStream().toArray(),
                p.toFloatArray())));
        SafetensorsWriter.write(file(), out, Map.of("format", "balora-best", "step", Long.toString(step)));
    }

    /** @return the step of the saved parameters, or -1 when there are none */
    public long savedStep() throws IOException {
        if (!Files.isRegularFile(file())) {
            return -1;
        }
        try (SafetensorsReader r = SafetensorsReader.open(file())) {
            return Long.parseLong(r.metadata().getOrDefault("step", "-1"));
        }
    }

    /**
     * Copies the saved values into {@code params}.
     *
     * @param expectedStep the step the caller's selection says is best; the file must hold exactly that one
     * @throws IllegalStateException when the file is missing, holds another step, or its names or shapes differ
     */
    public void restore(Map<String, Tensor> params, long expectedStep) throws IOException {
        long step = savedStep();
        if (step != expectedStep) {
            throw new IllegalStateException(file() + ": holds the parameters of step " + step + ", but the best "
                    + "validation was at step " + expectedStep);
        }
        try (SafetensorsReader r = SafetensorsReader.open(file())) {
            if (!r.names().equals(params.keySet())) {
                throw new IllegalStateException(file() + ": parameters " + r.names() + " differ from the model's "
                        + params.keySet());
            }
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                Tensor p = e.getValue();
                F32Tensor t = r.readF32Tensor(e.getKey());
                long[] shape = Arrays.stream(p.shape()).asLongStream().toArray();
                if (!Arrays.equals(shape, t.shape())) {
                    throw new IllegalStateException(file() + ": tensor " + e.getKey() + " has shape "
                            + Arrays.toString(t.shape()) + ", the model's is " + Arrays.toString(shape));
                }
                // A strided copy keeps every bit (1·x + 0 would turn −0.0 into +0.0).
                Storage src = p.backend().fromHost(t.values());
                p.backend().copyStrided(src, 0, new long[] {1}, p.storage(), 0, new long[] {1},
                        new int[] {Math.toIntExact(p.numel())});
            }
        }
    }
}
