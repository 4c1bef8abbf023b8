package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlReaderTest {

    private static TextClassificationDataset read(String content) {
        return JsonlReader.standard().read(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), "d.jsonl");
    }

    private static DatasetFormatException error(String content) {
        return assertThrows(DatasetFormatException.class, () -> read(content));
    }

    @Test
    void readsObjectsSkippingBlankLinesWithBomAndCrlf() {
        TextClassificationDataset d = read("\uFEFF{\"text\": \"tab\\there \\\"q\\\"\", \"label\": \"pos\", \"extra\": [1]}\r\n"
                + "\r\n   \n{\"label\":\"neg\",\"text\":\"line\\nbreak\"}");
        assertEquals(2, d.size());
        assertEquals("tab\there \"q\"", d.get(0).text());
        assertEquals("line\nbreak", d.get(1).text());
        assertEquals(List.of("neg", "pos"), d.labels().labels());
        assertEquals(1, d.get(0).label());
    }

    @Test
    void integerLabelsAreTheirDecimalStrings() {
        TextClassificationDataset d = read("{\"text\":\"a\",\"label\":10}\n{\"text\":\"b\",\"label\":\"2\"}\n"
                + "{\"text\":\"c\",\"label\":2}\n");
        assertEquals(List.of("2", "10"), d.labels().labels());
        assertEquals(d.get(1).label(), d.get(2).label());
    }

    @Test
    void pairsAndCustomFieldNames() {
        TextClassificationDataset d = JsonlReader.standard().withTextField("premise").withTextPairField("hypothesis")
                .withLabelField("y").withLabels(LabelVocabulary.of("entail", "contradict"))
                .read(new ByteArrayInputStream("{\"premise\":\"p\",\"hypothesis\":\"h\",\"y\":\"contradict\"}"
                        .getBytes(StandardCharsets.UTF_8)), "nli.jsonl");
        assertEquals(new TextClassificationDataset.Example("p", "h", 1), d.get(0));
    }

    @Test
    void badJsonNamesFileAndLine() {
        DatasetFormatException e = error("{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\": \"b\", \"label\": }\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith("d.jsonl:3: bad JSON at column"), e.getMessage());
        assertTrue(error("{\"text\":\"a\",\"label\":\"x\"} {}\n").problem().startsWith("bad JSON"));
        assertTrue(error("[" .repeat(5000) + "\n").problem().startsWith("bad JSON"));
    }

    /** Issue 14: {"label": "a", "label": "b"} was accepted (Jackson keeps the last value). */
    @Test
    void aKeyGivenTwiceIsAnErrorNamingTheLineAndTheKey() {
        DatasetFormatException e = error("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"x\",\"label\":\"y\"}\n");
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("label"), e.getMessage());
    }

    @Test
    void wrongTypesMissingFieldsAndEmptyValues() {
        DatasetFormatException notObject = error("[1, 2]\n");
        assertTrue(notObject.problem().contains("expected a JSON object, found ARRAY"), notObject.getMessage());
        DatasetFormatException textType = error("{\"text\": 3, \"label\": \"a\"}");
        assertEquals("text", textType.field());
        assertEquals("wrong type: expected a string, found NUMBER", textType.problem());
        DatasetFormatException labelType = error("{\"text\": \"t\", \"label\": 1.5}");
        assertEquals("label", labelType.field());
        assertTrue(labelType.problem().contains("found NUMBER"), labelType.getMessage());
        assertTrue(error("{\"text\": \"t\", \"label\": null}").problem().contains("found NULL"));
        DatasetFormatException missing = error("{\"text\":\"a\",\"label\":\"x\"}\n{\"txt\": \"t\", \"label\": \"a\"}");
        assertEquals("d.jsonl:2: field 'text': missing field", missing.getMessage());
        assertEquals("empty text", error("{\"text\": \" \", \"label\": \"a\"}").problem());
        assertEquals("empty label", error("{\"text\": \"t\", \"label\": \"\"}").problem());
    }

    @Test
    void unknownLabelAndEmptyDataset() {
        DatasetFormatException unknown = assertThrows(DatasetFormatException.class, () -> JsonlReader.standard()
                .withLabels(LabelVocabulary.of("a", "b"))
                .read(new ByteArrayInputStream("{\"text\":\"t\",\"label\":\"c\"}".getBytes(StandardCharsets.UTF_8)), "x"));
        assertEquals("x:1: field 'label': unknown label 'c'; known labels: [a, b]", unknown.getMessage());
        assertTrue(error("\n \n").problem().contains("no examples"));
        assertTrue(error("").problem().contains("no examples"));
    }

    @Test
    void overlongTextAndLineAreRejected() {
        String text = "z".repeat(FieldBuffer.MAX_FIELD_BYTES + 1);
        DatasetFormatException field = error("{\"text\":\"" + text + "\",\"label\":\"a\"}");
        assertEquals("text", field.field());
        assertTrue(field.problem().contains("1 MiB"), field.getMessage());
        DatasetFormatException line = error("{\"text\":\"a\",\"label\":\"b\"}\n{\"pad\":\"" + "q".repeat(ByteScanner.MAX_LINE_BYTES) + "\"}");
        assertEquals(2, line.line());
        assertTrue(line.problem().contains("4 MiB"), line.getMessage());
    }

    @Test
    void invalidUtf8IsAFormatError() {
        byte[] bytes = "{\"text\":\"ab\",\"label\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        bytes[10] = (byte) 0xC3; // a lead byte followed by ASCII
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> JsonlReader.standard().read(new ByteArrayInputStream(bytes), "u.jsonl"));
        assertEquals("invalid UTF-8", e.problem());
        assertEquals(1, e.line());
    }
}
