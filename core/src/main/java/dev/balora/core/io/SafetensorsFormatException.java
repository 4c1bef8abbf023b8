package dev.balora.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A safetensors file (or a request against one) is not what the format or the caller requires.
 *
 * <p>This is the one exception family of the safetensors reader: every way a hostile or damaged file can
 * fail ends here, never in another exception type. It is a checked {@link IOException} on purpose: callers
 * reading files already handle {@code IOException}, and a damaged checkpoint is an I/O-level problem the
 * caller must decide about, not a programming error. Plain I/O failures (file missing, disk error) stay
 * ordinary {@code IOException}s.
 *
 * <p>The message always has the form {@code <file>: <where>: expected <expected>, found <actual>}, where
 * {@code where} names the header field or tensor (for example {@code tensor 'lm_head.weight' field
 * data_offsets}).
 */
public final class SafetensorsFormatException extends IOException {
    private final transient Path file;
    private final String where;
    private final String expected;
    private final String actual;

    /**
     * @param file the file being read
     * @param where the header field, tensor name or byte range the problem is in
     * @param expected what the format (or the caller) requires there
     * @param actual what was found instead
     */
    public SafetensorsFormatException(Path file, String where, String expected, String actual) {
        this(file, where, expected, actual, null);
    }

    /**
     * @param file the file being read
     * @param where the header field, tensor name or byte range the problem is in
     * @param expected what the format (or the caller) requires there
     * @param actual what was found instead
     * @param cause the lower-level failure (a JSON parser error, an early end of file), or {@code null}
     */
    public SafetensorsFormatException(Path file, String where, String expected, String actual, Throwable cause) {
        super(file + ": " + where + ": expected " + expected + ", found " + actual, cause);
        this.file = Objects.requireNonNull(file, "file");
        this.where = Objects.requireNonNull(where, "where");
        this.expected = Objects.requireNonNull(expected, "expected");
        this.actual = Objects.requireNonNull(actual, "actual");
    }

    /** @return the file being read */
    public Path file() {
        return file;
    }

    /** @return the header field, tensor name or byte range the problem is in */
    public String where() {
        return where;
    }

    /** @return what the format (or the caller) requires */
    public String expected() {
        return expected;
    }

    /** @return what was found instead */
    public String actual() {
        return actual;
    }
}
