package dev.balora.models.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test inputs: the committed review texts, hand-written hard cases, and the MiniLM tokenizer as a file. */
final class TestTexts {
    private TestTexts() {
    }

    /** The 600 committed food-review texts (see the header of the resource for provenance). */
    static List<String> reviews() {
        try (InputStream in = TestTexts.class.getResourceAsStream("/tokenizer/food-reviews-600.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.startsWith("#")) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Inputs chosen to exercise every rule of the normalizer, the pre-tokenizer and WordPiece. */
    static List<String> hardCases() {
        List<String> cases = new ArrayList<>(List.of(
                "", " ", "   \t\n  ", "\t", "\n\r\n",
                "hello world", "Hello, World!!!", "...?!?!...", "a--b__c~~d", "((nested [brackets] {braces}))",
                "$100 + 20% = <lots> ^_^ `code` | pipe ~tilde @at #hash &amp; *star*",
                "don't won't it's you're we've I'm",
                "caf\u00e9 na\u00efve \u00c5ngstr\u00f6m r\u00e9sum\u00e9 co\u00f6perate se\u00f1or \u00fcber Stra\u00dfe",
                "cafe\u0301 (combining acute) n\u0303", "\u0130stanbul I\u0307 \u0131", "\u03a3\u039f\u03a3 \u03bf\u03b4\u03bf\u03c2",
                "\u00c6sir \u0152uvre \u00d8re \u0141\u00f3d\u017a \u0110",
                "12345 3.14159 1,000,000 2024-01-31 0x1F 1e-9 \u00bd \u00b2 \u2163 \u0663\u0664",
                "emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd \ud83e\udd70 \ud83e\udee0 \ud83c\uddeb\ud83c\uddf7 \u2764\ufe0f x",
                "\u4e2d\u6587\u5b57\u7b26abc\u65e5\u672c\u8a9e \u3072\u3089\u304c\u306a \u30ab\u30bf\u30ab\u30ca \ud55c\uad6d\uc5b4",
                "\ud840\udc00 \ud86e\udc25x \ud86e\udd25y \uf900 \ufaff",
                "ctrl\u0000a\u0001b\u0007c\u001bd\u007fe\u0085f\u00adg\u200bh\u200di\ufeffj\ufffdk",
                "tab\there\nnew\u000bline\u000cform\rret\u00a0nbsp\u2028ls\u2029ps\u3000ideo\u202fnarrow",
                "\u201cquoted\u201d \u2018single\u2019 \u00abguillemets\u00bb \u2014 dash \u2013 en \u2026 \u00a7 \u00b6 \u2020",
                "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd \u0928\u092e\u0938\u094d\u0924\u0947 \u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35",
                "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440 \u0401\u0436",
                "\ufb01 \ufb02 \u2126 \u212b \u00b5 \u01c5 \u1e9e \u0149",
                "[CLS] already [SEP] special [MASK] tokens [PAD][UNK]", "x[SEP]y", "[cls] lower [sep]", "[CLS",
                "unaffable supercalifragilisticexpialidocious antidisestablishmentarianism",
                "a".repeat(100), "b".repeat(101), "\u00e9".repeat(150), "ab".repeat(60),
                "\ud83d", "lone\udc00surrogate", "\u0378\u0379 unassigned \uE000 private \udb80\udc00",
                "<br /><br />Great product!<br />", "http://www.amazon.com/gp/product/B000EVMNMI?x=1&y=2",
                "e-mail: someone@example.com; path C:\\dir\\file.txt"));
        return cases;
    }

    /** Copies the MiniLM tokenizer.json resource to a file (the DJL oracle needs a path). */
    static Path miniLmFile(Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        try (InputStream in = TestTexts.class.getClassLoader().getResourceAsStream(Tokenizers.MINILM_RESOURCE)) {
            Files.copy(in, file);
        }
        return file;
    }

    static byte[] miniLmBytes() {
        try (InputStream in = TestTexts.class.getClassLoader().getResourceAsStream(Tokenizers.MINILM_RESOURCE)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
