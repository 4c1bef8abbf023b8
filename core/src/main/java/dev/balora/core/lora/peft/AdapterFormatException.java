package dev.balora.core.lora.peft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A PEFT adapter directory is not what the format, or the model it is loaded onto, requires.
 *
 * <p>The one exception family of {@link PeftAdapter#load}: a damaged or hostile {@code adapter_config.json},
 * {@code balora_config.json} or {@code adapter_model.safetensors} always ends here. A safetensors-level problem
 * (bad header, truncation, huge lengths) is wrapped: {@link #getCause()} is then the
 * {@link dev.balora.core.io.SafetensorsFormatException} and {@link #key()} its {@code where}. Checked, as an
 * {@link IOException}, like the safetensors reader's exception; plain I/O failures stay plain {@code IOException}s.
 *
 * <p>Message: {@code <file>: <key>: expected <expected>, found <actual>}; for tensor listings
 * {@code <file>: tensors: N problems: <problem>; <problem>; ...}, with every missing, unexpected, mis-shaped or
 * non-finite tensor named (see {@link #problems()}).
 */
public final class AdapterFormatException extends IOException {
    private final transient Path file;
    private final String key;
    private final List<String> problems;

    /**
     * @param file     the file at fault
     * @param key      the config key, tensor or field at fault
     * @param expected what the format or the model requires
     * @param actual   what was found
     * @param cause    the lower-level failure, or null
     */
    public AdapterFormatException(Path file, String key, String expected, String actual, Throwable cause) {
        super(file + ": " + key + ": expected " + expected + ", found " + actual, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.key = Objects.requireNonNull(key, "key");
        this.problems = List.of(key + ": expected " + expected + ", found " + actual);
    }

    /** As the five-argument constructor, without a cause. */
    public AdapterFormatException(Path file, String key, String expected, String actual) {
        this(file, key, expected, actual, null);
    }

    private AdapterFormatException(Path file, String key, List<String> problems) {
        super(file + ": " + key + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ": "
                + String.join("; ", problems));
        this.file = file;
        this.key = key;
        this.problems = List.copyOf(problems);
    }

    /** One exception listing every problem found under {@code key} (e.g. all tensor mismatches at once). */
    static AdapterFormatException listing(Path file, String key, List<String> problems) {
        return new AdapterFormatException(file, key, problems);
    }

    /** @return the file at fault */
    public Path file() {
        return file;
    }

    /** @return the config key, tensor or field at fault ("tensors" for a listing) */
    public String key() {
        return key;
    }

    /** @return every problem, one line each */
    public List<String> problems() {
        return problems;
    }
}
