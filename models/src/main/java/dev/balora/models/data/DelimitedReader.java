package dev.balora.models.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a text-classification dataset from a delimited file with a header line (TSV or CSV, UTF-8).
 *
 * <p>The header names the columns; the reader picks the text column ({@code text} unless configured), an
 * optional second-text column for sentence pairs, and the label column ({@code label} unless configured).
 * Other columns are ignored, but every record must have as many fields as the header. Header names are
 * compared after stripping surrounding whitespace; label values are stripped too; texts are kept verbatim.
 *
 * <p>Quoting follows RFC 4180 (see {@link #csv()}); {@link #tsv()} uses the same rules with a tab, which is
 * what Python's {@code csv} module and pandas write and how the shipped food-review files are quoted.
 * {@link #withoutQuoting()} switches to the simple TSV convention where quotes are ordinary characters.
 *
 * <p>Limits: a field over 1 MiB or a physical line over 4 MiB is rejected with a
 * {@link DatasetFormatException} before it is buffered, so a hostile file cannot exhaust memory.
 *
 * <p>Instances are immutable; the {@code with...} methods return configured copies.
 */
public final class DelimitedReader {
    private final char delimiter;
    private final boolean quoting;
    private final String textColumn;
    private final String textPairColumn;
    private final String labelColumn;
    private final LabelVocabulary labels;

    private DelimitedReader(char delimiter, boolean quoting, String textColumn, String textPairColumn,
                            String labelColumn, LabelVocabulary labels) {
        this.delimiter = delimiter;
        this.quoting = quoting;
        this.textColumn = textColumn;
        this.textPairColumn = textPairColumn;
        this.labelColumn = labelColumn;
        this.labels = labels;
    }

    /** Tab-separated, RFC 4180 quoting, columns {@code text} and {@code label}, labels sorted from the data. */
    public static DelimitedReader tsv() {
        return new DelimitedReader('\t', true, "text", null, "label", null);
    }

    /**
     * Comma-separated with RFC 4180 quoting: quoted fields may hold commas, line breaks and doubled quotes;
     * columns {@code text} and {@code label}; labels sorted from the data.
     */
    public static DelimitedReader csv() {
        return new DelimitedReader(',', true, "text", null, "label", null);
    }

    /** This reader with another single ASCII delimiter (not a quote or line break). */
    public DelimitedReader withDelimiter(char delimiter) {
        return new DelimitedReader(delimiter, quoting, textColumn, textPairColumn, labelColumn, labels);
    }

    /** This reader treating quotes as ordinary characters (simple TSV: no field may hold a tab or line break). */
    public DelimitedReader withoutQuoting() {
        return new DelimitedReader(delimiter, false, textColumn, textPairColumn, labelColumn, labels);
    }

    /** This reader taking the text from column {@code name}. */
    public DelimitedReader withTextColumn(String name) {
        return new DelimitedReader(delimiter, quoting, requireName(name), textPairColumn, labelColumn, labels);
    }

    /** This reader taking a second text (sentence pairs) from column {@code name}; {@code null} for none. */
    public DelimitedReader withTextPairColumn(String name) {
        return new DelimitedReader(delimiter, quoting, textColumn, name == null ? null : requireName(name),
                labelColumn, labels);
    }

    /** This reader taking the label from column {@code name}. */
    public DelimitedReader withLabelColumn(String name) {
        return new DelimitedReader(delimiter, quoting, textColumn, textPairColumn, requireName(name), labels);
    }

    /**
     * This reader mapping labels through a fixed vocabulary: a label outside it is a
     * {@link DatasetFormatException} naming the line. {@code null} derives a sorted vocabulary from the data.
     */
    public DelimitedReader withLabels(LabelVocabulary labels) {
        return new DelimitedReader(delimiter, quoting, textColumn, textPairColumn, labelColumn, labels);
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "column name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("column name is blank");
        }
        return name.strip();
    }

    /**
     * Reads a whole file.
     *
     * @throws DatasetFormatException naming the file, line and column when the content is malformed
     * @throws UncheckedIOException   when the file cannot be read
     */
    public TextClassificationDataset read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Reads a whole stream (not closed here).
     *
     * @param source the name to use in error messages and as the dataset name
     */
    public TextClassificationDataset read(InputStream in, String source) {
        ByteScanner scanner = new ByteScanner(in, source);
        DelimitedRecordParser parser = new DelimitedRecordParser(scanner, delimiter, quoting);
        DelimitedRecordParser.Row header = parser.next();
        if (header == null) {
            throw new DatasetFormatException(source, 0, null, "empty file: no header line");
        }
        List<String> names = new ArrayList<>();
        for (String name : header.fields()) {
            names.add(name.strip());
        }
        parser.columnNames(names);
        Map<String, Integer> columns = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Integer previous = columns.putIfAbsent(names.get(i), i);
            if (previous != null && isUsed(names.get(i))) {
                throw new DatasetFormatException(source, header.line(), names.get(i),
                        "column appears twice in the header (columns " + (previous + 1) + " and " + (i + 1) + ")");
            }
        }
        int text = column(columns, textColumn, header, names, source);
        int pair = textPairColumn == null ? -1 : column(columns, textPairColumn, header, names, source);
        int label = column(columns, labelColumn, header, names, source);

        ExampleCollector collector = new ExampleCollector(source, labels);
        for (DelimitedRecordParser.Row row = parser.next(); row != null; row = parser.next()) {
            List<String> fields = row.fields();
            if (fields.size() != names.size()) {
                throw new DatasetFormatException(source, row.line(), null, "expected " + names.size()
                        + " fields as in the header " + shortList(names) + ", found " + fields.size());
            }
            collector.add(row.line(), textColumn, fields.get(text), textPairColumn,
                    pair < 0 ? null : fields.get(pair), labelColumn, fields.get(label));
        }
        return collector.build();
    }

    private static String shortList(List<String> names) {
        return names.size() <= 20 ? names.toString() : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
    }

    private boolean isUsed(String name) {
        return name.equals(textColumn) || name.equals(textPairColumn) || name.equals(labelColumn);
    }

    private static int column(Map<String, Integer> columns, String name, DelimitedRecordParser.Row header,
                              List<String> names, String source) {
        Integer index = columns.get(name);
        if (index == null) {
            throw new DatasetFormatException(source, header.line(), name, "missing column; the header has " + shortList(names));
        }
        return index;
    }
}
