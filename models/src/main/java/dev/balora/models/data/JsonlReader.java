package dev.balora.models.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a text-classification dataset from JSON Lines: one JSON object a line, such as
 * {@code {"text": "great tea", "label": "great"}}, UTF-8, blank lines skipped, {@code \n} or {@code \r\n}.
 *
 * <p>The text field ({@code text} unless configured) must be a non-empty string; the optional pair field a
 * non-empty string; the label field ({@code label} unless configured) a non-empty string or an integer
 * (written as its decimal string, so {@code 1} and {@code "1"} are the same label). Other fields are
 * ignored; a key given twice in one record is an error. A line over 4 MiB or a text over 1,048,576 characters is rejected.
 *
 * <p>Instances are immutable; the {@code with...} methods return configured copies.
 */
public final class JsonlReader {
    // Duplicate keys are refused: {"label": "a", "label": "b"} has no single meaning (Jackson would keep the last).
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String textField;
    private final String textPairField;
    private final String labelField;
    private final LabelVocabulary labels;

    private JsonlReader(String textField, String textPairField, String labelField, LabelVocabulary labels) {
        this.textField = textField;
        this.textPairField = textPairField;
        this.labelField = labelField;
        this.labels = labels;
    }

    /** Fields {@code text} and {@code label}, labels sorted from the data. */
    public static JsonlReader standard() {
        return new JsonlReader("text", null, "label", null);
    }

    /** This reader taking the text from field {@code name}. */
    public JsonlReader withTextField(String name) {
        return new JsonlReader(requireName(name), textPairField, labelField, labels);
    }

    /** This reader taking a second text (sentence pairs) from field {@code name}; {@code null} for none. */
    public JsonlReader withTextPairField(String name) {
        return new JsonlReader(textField, name == null ? null : requireName(name), labelField, labels);
    }

    /** This reader taking the label from field {@code name}. */
    public JsonlReader withLabelField(String name) {
        return new JsonlReader(textField, textPairField, requireName(name), labels);
    }

    /** This reader mapping labels through a fixed vocabulary; {@code null} derives a sorted one from the data. */
    public JsonlReader withLabels(LabelVocabulary labels) {
        return new JsonlReader(textField, textPairField, labelField, labels);
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "field name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("field name is empty");
        }
        return name;
    }

    /**
     * Reads a whole file.
     *
     * @throws DatasetFormatException naming the file, line and field when the content is malformed
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
        FieldBuffer lineBuffer = new FieldBuffer(ByteScanner.MAX_LINE_BYTES);
        ExampleCollector collector = new ExampleCollector(source, labels);
        while (scanner.peek() >= 0) {
            long line = scanner.line();
            lineBuffer.clear();
            scanner.copyRun(lineBuffer, -1, false); // the scanner's 4 MiB line limit trips first
            int end = scanner.read();
            if (end == '\r' && scanner.peek() == '\n') {
                scanner.read();
            }
            String json = lineBuffer.decodeOrNull();
            if (json == null) {
                throw new DatasetFormatException(source, line, null, "invalid UTF-8");
            }
            if (!json.isBlank()) {
                addRecord(collector, source, line, json);
            }
        }
        return collector.build();
    }

    private void addRecord(ExampleCollector collector, String source, long line, String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new DatasetFormatException(source, line, null, "bad JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (!node.isObject()) {
            throw new DatasetFormatException(source, line, null,
                    "wrong type: expected a JSON object, found " + node.getNodeType());
        }
        String text = string(node, textField, source, line);
        String pair = textPairField == null ? null : string(node, textPairField, source, line);
        collector.add(line, textField, text, textPairField, pair, labelField, label(node, source, line));
    }

    private static String string(JsonNode object, String field, String source, long line) {
        JsonNode value = object.get(field);
        if (value == null) {
            throw new DatasetFormatException(source, line, field, "missing field");
        }
        if (!value.isTextual()) {
            throw new DatasetFormatException(source, line, field,
                    "wrong type: expected a string, found " + value.getNodeType());
        }
        String text = value.textValue();
        if (text.length() > FieldBuffer.MAX_FIELD_BYTES) {
            throw new DatasetFormatException(source, line, field,
                    "field longer than " + FieldBuffer.MAX_FIELD_BYTES + " characters (1 MiB)");
        }
        return text;
    }

    private String label(JsonNode object, String source, long line) {
        JsonNode value = object.get(labelField);
        if (value != null && value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value != null && !value.isTextual()) {
            throw new DatasetFormatException(source, line, labelField,
                    "wrong type: expected a string or an integer, found " + value.getNodeType());
        }
        return string(object, labelField, source, line);
    }
}
