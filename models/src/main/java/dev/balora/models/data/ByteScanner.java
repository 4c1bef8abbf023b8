package dev.balora.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a stream byte by byte, counting physical lines and refusing any line longer than
 * {@link #MAX_LINE_BYTES}, so that a hostile file can never make a reader buffer more than a few megabytes.
 *
 * <p>The readers work on bytes rather than chars because every structural character (delimiter, quote,
 * line break) is ASCII and UTF-8 never uses ASCII bytes inside a multi-byte sequence; decoding each field
 * on its own then gives an exact line number for invalid UTF-8. A line ends at {@code \n}, {@code \r\n} or
 * a lone {@code \r}. A UTF-8 byte-order mark at the very start is skipped.
 */
final class ByteScanner {
    /** The longest physical line accepted: 4 MiB. */
    static final int MAX_LINE_BYTES = 4 << 20;

    private final InputStream in;
    private final String source;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private long line = 1;
    private int lineBytes;

    ByteScanner(InputStream in, String source) {
        this.in = in;
        this.source = source;
        skipByteOrderMark();
    }

    private void skipByteOrderMark() {
        // Make sure the first three bytes are buffered, then drop them if they are EF BB BF.
        while (!eof && limit < 3) {
            fill(true);
        }
        if (limit >= 3 && (buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB && (buffer[2] & 0xFF) == 0xBF) {
            pos = 3;
        }
    }

    /** Reads more bytes; with {@code append} keeps what is buffered, otherwise the buffer must be consumed. */
    private void fill(boolean append) {
        if (!append) {
            pos = 0;
            limit = 0;
        }
        try {
            int n = in.read(buffer, limit, buffer.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + source + " at line " + line, e);
        }
    }

    /** The next byte (0..255) without consuming it, or -1 at the end of the stream. */
    int peek() {
        while (pos == limit) {
            if (eof) {
                return -1;
            }
            fill(false);
        }
        return buffer[pos] & 0xFF;
    }

    /** Consumes and returns the next byte (0..255), or -1 at the end of the stream. */
    int read() {
        int b = peek();
        if (b < 0) {
            return -1;
        }
        pos++;
        if (b == '\n') {
            newLine();
        } else if (b == '\r') {
            if (peek() != '\n') {
                newLine(); // a lone CR ends a line; of CR LF only the LF counts
            }
        } else if (++lineBytes > MAX_LINE_BYTES) {
            throw lineTooLong();
        }
        return b;
    }

    /**
     * Copies the run of bytes up to, not including, the next line break, {@code stop} byte or (when
     * {@code stopAtQuote}) double quote into {@code out}, scanning the buffer directly; the byte-at-a-time
     * {@link #read()} path is kept for the structural bytes. Afterwards {@link #peek()} returns the byte that
     * stopped the run, or -1 at the end of the stream.
     *
     * @param stop an ASCII byte that ends the run (the delimiter), or -1 for none
     * @return false when {@code out} reached its cap before the run ended
     */
    boolean copyRun(FieldBuffer out, int stop, boolean stopAtQuote) {
        while (true) {
            if (pos == limit) {
                if (eof) {
                    return true;
                }
                fill(false);
                continue;
            }
            int start = pos;
            int p = pos;
            while (p < limit) {
                int b = buffer[p] & 0xFF;
                if (b == '\n' || b == '\r' || b == stop || (stopAtQuote && b == '"')) {
                    break;
                }
                p++;
            }
            int n = p - start;
            lineBytes += n;
            if (lineBytes > MAX_LINE_BYTES) {
                throw lineTooLong();
            }
            if (!out.append(buffer, start, n)) {
                return false;
            }
            pos = p;
            if (p < limit) {
                return true;
            }
        }
    }

    private DatasetFormatException lineTooLong() {
        return new DatasetFormatException(source, line, null,
                "line longer than " + MAX_LINE_BYTES + " bytes (4 MiB); refusing to read further");
    }

    private void newLine() {
        line++;
        lineBytes = 0;
    }

    /** The 1-based physical line of the next byte. */
    long line() {
        return line;
    }

    /** The source name used in error messages. */
    String source() {
        return source;
    }
}
