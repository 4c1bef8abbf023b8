package dev.balora.models.bpe;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@code tokenizer.json} that this byte-level BPE cannot use: not a BPE model, a merge naming unknown tokens, an
 * unsupported normalizer or pre-tokenizer. The message names the file, the JSON field, the expected and the actual
 * value.
 */
public final class BpeFormatException extends IOException {
    public BpeFormatException(Path file, String field, String expected, String actual) {
        super(file + ": " + field + ": expected " + expected + ", got " + actual);
    }
}
