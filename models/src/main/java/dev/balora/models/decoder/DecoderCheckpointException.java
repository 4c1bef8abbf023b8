package dev.balora.models.decoder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Hugging Face decoder directory ({@code config.json}, {@code model.safetensors} or a sharded index) does not
 * match what the model expects: a missing or unexpected tensor, a wrong shape, an unsupported field value. The
 * message names the file, the key, the expected and the actual value.
 */
public final class DecoderCheckpointException extends IOException {
    /**
     * @param file     the file that was read or written
     * @param key      the tensor name or JSON field
     * @param expected what the model expected
     * @param actual   what the file holds
     */
    public DecoderCheckpointException(Path file, String key, String expected, String actual) {
        super(file + ": " + key + ": expected " + expected + ", got " + actual);
    }
}
