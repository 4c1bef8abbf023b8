package dev.balora.models.hf;

import java.io.IOException;
import java.nio.file.Path;

/** A file of a Hugging Face folder that balora reads is malformed; the message names the file, the field and the problem. */
public final class HfFolderFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param file    the file read
     * @param field   the JSON key or tensor name at fault ({@code (json)} for a parse error)
     * @param problem what is wrong, in words
     */
    public HfFolderFormatException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
    }
}
