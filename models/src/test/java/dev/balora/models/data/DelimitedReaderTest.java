package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DelimitedReaderTest {

    private static TextClassificationDataset csv(String content) {
        return DelimitedReader.csv().read(stream(content), "t.csv");
    }

    private static TextClassificationDataset tsv(String content) {
        return DelimitedReader.tsv().read(stream(content), "t.tsv");
    }

    private static ByteArrayInputStream stream(String content) {
        return new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
    }

    private static DatasetFormatException csvError(String content) {
        return assertThrows(DatasetFormatException.class, () -> csv(content));
    }

    @Test
    void csvQuotedFieldsKeepDelimitersNewlinesAndDoubledQuotes() {
        TextClassificationDataset d = csv("""
                id,text,label
                1,"a, b",pos
                2,"say ""hi""
                twice",neg
                3,plain,pos
                """);
        assertEquals(3, d.size());
        assertEquals("a, b", d.get(0).text());
        assertEquals("say \"hi\"\ntwice", d.get(1).text());
        assertEquals("plain", d.get(2).text());
        assertEquals(List.of("neg", "pos"), d.labels().labels());
        assertEquals(1, d.get(0).label());
        assertEquals(0, d.get(1).label());
    }

    @Test
    void crlfBomAndEmptyLinesAreHandled() {
        String content = "\uFEFFtext,label\r\n\r\n\"x\r\ny\",a\r\nz,b\r\n\r\n";
        TextClassificationDataset d = csv(content);
        assertEquals(2, d.size());
        assertEquals("x\r\ny", d.get(0).text()); // a line break inside quotes is data and kept verbatim
        assertEquals("z", d.get(1).text());
        assertEquals("b", d.labels().label(d.get(1).label()));
    }

    @Test
    void lastLineWithoutNewlineAndLoneCarriageReturns() {
        TextClassificationDataset d = tsv("label\ttext\rgreat\tone\rother\ttwo");
        assertEquals(2, d.size());
        assertEquals("two", d.get(1).text());
    }

    @Test
    void tsvQuotingMatchesTheShippedFilesAndCanBeSwitchedOff() {
        String content = "label\ttext\ngreat\t\"he said \"\"wow\"\"\"\n";
        assertEquals("he said \"wow\"", tsv(content).get(0).text());
        TextClassificationDataset raw = DelimitedReader.tsv().withoutQuoting()
                .read(stream("label\ttext\ngreat\tit's 5\" long\n"), "raw.tsv");
        assertEquals("it's 5\" long", raw.get(0).text());
    }

    @Test
    void configurableColumnsAndPairs() {
        TextClassificationDataset d = DelimitedReader.csv().withTextColumn("premise").withTextPairColumn("hypothesis")
                .withLabelColumn("gold").read(stream("gold,premise,hypothesis\n2,a cat,an animal\n10,x,y\n"), "p.csv");
        assertTrue(d.hasPairs());
        assertEquals("an animal", d.get(0).textPair());
        assertEquals(List.of("2", "10"), d.labels().labels()); // integer labels sort numerically
        assertNull(csv("text,label\na,b\n").get(0).textPair());
    }

    @Test
    void headerNamesAndLabelsAreStripped() {
        TextClassificationDataset d = csv(" text , label \n hello ,  pos \n");
        assertEquals(" hello ", d.get(0).text());
        assertEquals("pos", d.labels().label(0));
    }

    @Test
    void missingColumnNamesFileLineColumnAndHeader() {
        DatasetFormatException e = csvError("\n\ntxt,label\na,b\n");
        assertEquals("t.csv", e.source());
        assertEquals(3, e.line());
        assertEquals("text", e.field());
        assertTrue(e.getMessage().startsWith("t.csv:3: field 'text': missing column"), e.getMessage());
        assertTrue(e.getMessage().contains("[txt, label]"), e.getMessage());
    }

    @Test
    void wrongFieldCountEmptyTextAndEmptyLabelNameTheLine() {
        DatasetFormatException count = csvError("text,label\na,b\nc\n");
        assertEquals(3, count.line());
        assertTrue(count.problem().contains("expected 2 fields"), count.getMessage());

        DatasetFormatException emptyText = csvError("text,label\na,b\n\"multi\nline\",x\n  ,b\n");
        assertEquals(5, emptyText.line()); // the quoted newline on line 3 counts
        assertEquals("text", emptyText.field());
        assertEquals("empty text", emptyText.problem());

        DatasetFormatException emptyLabel = csvError("text,label\na, \n");
        assertEquals(2, emptyLabel.line());
        assertEquals("label", emptyLabel.field());
    }

    @Test
    void unknownLabelWithAFixedVocabulary() {
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DelimitedReader.tsv()
                .withLabels(LabelVocabulary.of("great", "other"))
                .read(stream("label\ttext\ngreat\ta\nbad\tb\n"), "f.tsv"));
        assertEquals("f.tsv:3: field 'label': unknown label 'bad'; known labels: [great, other]", e.getMessage());
    }

    @Test
    void malformedQuotesAreReportedWhereTheyOccur() {
        DatasetFormatException after = csvError("text,label\n\"ab\"c,x\n");
        assertEquals(2, after.line());
        assertTrue(after.problem().contains("after the closing quote, found 'c'"), after.getMessage());

        DatasetFormatException inside = csvError("text,label\nab\"c,x\n");
        assertTrue(inside.problem().contains("quote inside an unquoted field"), inside.getMessage());
        assertEquals("text", inside.field());

        DatasetFormatException open = csvError("text,label\nfine,x\n\"never\nclosed,x\n");
        assertEquals(3, open.line());
        assertTrue(open.problem().contains("never closed"), open.getMessage());
    }

    @Test
    void emptyFileAndHeaderOnlyAreClearErrors() {
        assertTrue(csvError("").problem().contains("no header"));
        assertTrue(csvError("\uFEFF\n\n").problem().contains("no header"));
        DatasetFormatException headerOnly = csvError("text,label\n\n");
        assertTrue(headerOnly.problem().contains("no examples"), headerOnly.getMessage());
    }

    @Test
    void duplicateUsedColumnIsRejected() {
        DatasetFormatException e = csvError("text,label,text\na,b,c\n");
        assertEquals("text", e.field());
        assertTrue(e.problem().contains("appears twice"), e.getMessage());
        assertEquals(1, csv("text,label,x,x\na,b,c,d\n").size()); // unused duplicates do not matter
    }

    @Test
    void invalidUtf8NamesTheLineAndColumn() {
        byte[] bytes = "text,label\nok,a\nbad\u00e9,a\n".getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 4] = (byte) 0xFF; // break the second byte of é
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> DelimitedReader.csv().read(new ByteArrayInputStream(bytes), "u.csv"));
        assertEquals(3, e.line());
        assertEquals("text", e.field());
        assertEquals("invalid UTF-8", e.problem());
        assertEquals("\u00e9t\u00e9", csv("text,label\n\u00e9t\u00e9,a\n").get(0).text());
    }

    @Test
    void overlongFieldAndLineAreRejectedBeforeBuffering() {
        String big = "x".repeat(FieldBuffer.MAX_FIELD_BYTES + 1);
        DatasetFormatException field = csvError("text,label\n\"" + big + "\",a\n");
        assertEquals("text", field.field());
        assertTrue(field.problem().contains("1 MiB"), field.getMessage());

        // Many modest fields on one line: each field is fine, the line is not.
        StringBuilder line = new StringBuilder("text,label\n");
        String part = "y".repeat(1 << 19);
        for (int i = 0; i < 9; i++) {
            line.append(part).append(',');
        }
        DatasetFormatException longLine = csvError(line + "a\n");
        assertEquals(2, longLine.line());
        assertTrue(longLine.problem().contains("4 MiB"), longLine.getMessage());
    }

    @Test
    void readsFilesAndNamesThemInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("reviews.csv");
        Files.writeString(file, "text,label\nfine,a\n,b\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DelimitedReader.csv().read(file));
        assertEquals(file + ":3: field 'text': empty text", e.getMessage());
    }

    @Test
    void manyRowsWithLiteralQuotesInSimpleTsv() {
        StringBuilder sb = new StringBuilder("label\ttext\n");
        for (int i = 0; i < 3333; i++) {
            sb.append(i % 3).append("\treview ").append(i).append(" 5\" long\n");
        }
        TextClassificationDataset d = DelimitedReader.tsv().withoutQuoting().read(stream(sb.toString()), "big.tsv");
        assertEquals(3333, d.size());
        assertArrayEquals(new int[] {1111, 1111, 1111}, d.labelCounts());
        assertEquals("review 3332 5\" long", d.get(3332).text());
    }
}
