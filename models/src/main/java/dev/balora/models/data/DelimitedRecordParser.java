package dev.balora.models.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a delimited byte stream into records of string fields.
 *
 * <p>With quoting on, the rules are those of RFC 4180 with any single-byte delimiter: a field that begins
 * with {@code "} runs to the matching closing quote, may contain delimiters and line breaks, and writes a
 * literal quote as {@code ""}; after the closing quote only a delimiter or a line end may follow. A quote
 * inside an unquoted field is an error rather than a literal, because it almost always means a file
 * written with a different convention. With quoting off every byte but the delimiter and line breaks is
 * literal (the simple TSV convention). Empty lines between records are skipped; line ends may be
 * {@code \n}, {@code \r\n} or {@code \r}.
 */
final class DelimitedRecordParser {
    /** More fields than this in one record is treated as a malformed file, not as data. */
    static final int MAX_FIELDS = 1 << 16;

    /**
     * One record.
     *
     * @param line   1-based physical line on which the record starts
     * @param fields the decoded fields, at least one
     */
    record Row(long line, List<String> fields) {}

    private final ByteScanner in;
    private final int delimiter;
    private final boolean quoting;
    private final FieldBuffer field = new FieldBuffer();
    private List<String> columnNames = List.of();

    DelimitedRecordParser(ByteScanner in, char delimiter, boolean quoting) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter > 0x7F) {
            throw new IllegalArgumentException("delimiter must be an ASCII character other than quote and line breaks,"
                    + " got U+" + Integer.toHexString(delimiter));
        }
        this.in = in;
        this.delimiter = delimiter;
        this.quoting = quoting;
    }

    /** Names used for column {@code i} in error messages once the header is known. */
    void columnNames(List<String> names) {
        this.columnNames = List.copyOf(names);
    }

    /** The next non-empty record, or {@code null} at the end of the stream. */
    Row next() {
        while (in.peek() == '\n' || in.peek() == '\r') {
            in.read();
        }
        if (in.peek() < 0) {
            return null;
        }
        long recordLine = in.line();
        List<String> fields = new ArrayList<>();
        while (true) {
            int column = fields.size();
            if (column == MAX_FIELDS) {
                throw new DatasetFormatException(in.source(), recordLine, null,
                        "more than " + MAX_FIELDS + " fields in one record");
            }
            field.clear();
            if (quoting && in.peek() == '"') {
                readQuoted(column);
            } else {
                readUnquoted(column);
            }
            String value = field.decodeOrNull();
            if (value == null) {
                throw new DatasetFormatException(in.source(), recordLine, columnName(column), "invalid UTF-8");
            }
            fields.add(value);
            int end = in.read();
            if (end == '\r' && in.peek() == '\n') {
                in.read();
                return new Row(recordLine, fields);
            }
            if (end != delimiter) {
                return new Row(recordLine, fields); // line end or end of stream
            }
        }
    }

    private void readUnquoted(int column) {
        if (!in.copyRun(field, delimiter, quoting)) {
            throw fieldTooLong(column);
        }
        if (quoting && in.peek() == '"') {
            throw new DatasetFormatException(in.source(), in.line(), columnName(column),
                    "malformed quote: a quote inside an unquoted field (quote the whole field and double"
                            + " the inner quotes)");
        }
    }

    private void readQuoted(int column) {
        long openedOn = in.line();
        in.read(); // the opening quote
        while (true) {
            // Bulk-copy plain bytes; quotes and line breaks (data here, but counted as lines) go one by one.
            if (!in.copyRun(field, -1, true)) {
                throw fieldTooLong(column);
            }
            int b = in.read();
            if (b < 0) {
                throw new DatasetFormatException(in.source(), openedOn, columnName(column),
                        "malformed quote: quoted field opened on line " + openedOn + " is never closed");
            }
            if (b == '"') {
                if (in.peek() != '"') {
                    break;
                }
                in.read(); // "" is one literal quote
            }
            append(b, column);
        }
        int after = in.peek();
        if (after >= 0 && after != delimiter && after != '\n' && after != '\r') {
            throw new DatasetFormatException(in.source(), in.line(), columnName(column),
                    "malformed quote: expected a delimiter or line end after the closing quote, found "
                            + describe(after));
        }
    }

    private void append(int b, int column) {
        if (!field.append(b)) {
            throw fieldTooLong(column);
        }
    }

    private DatasetFormatException fieldTooLong(int column) {
        return new DatasetFormatException(in.source(), in.line(), columnName(column),
                "field longer than " + FieldBuffer.MAX_FIELD_BYTES + " bytes (1 MiB)");
    }

    private String columnName(int column) {
        return column < columnNames.size() ? columnNames.get(column) : "#" + (column + 1);
    }

    private static String describe(int b) {
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format("byte 0x%02X", b);
    }
}
