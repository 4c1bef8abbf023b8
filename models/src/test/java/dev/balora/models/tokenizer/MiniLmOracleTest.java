package dev.balora.models.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact agreement with Hugging Face's Rust tokenizer (through DJL, which runs offline from the native library in
 * its jar), built from the same {@code tokenizer.json}: ids, token type ids and attention masks, for single
 * texts, pairs, truncation and padded batches.
 */
class MiniLmOracleTest {
    @TempDir
    static Path dir;
    static WordPieceTokenizer ours;
    static HuggingFaceTokenizer full;
    static Path file;
    static final List<HuggingFaceTokenizer> opened = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        file = TestTexts.miniLmFile(dir);
        ours = TokenizerJsonReader.read(file);
        full = open(HuggingFaceTokenizer.builder().optTokenizerPath(file).optTruncation(false).optPadding(false));
    }

    static HuggingFaceTokenizer open(HuggingFaceTokenizer.Builder builder) throws IOException {
        HuggingFaceTokenizer t = builder.build();
        opened.add(t);
        return t;
    }

    /** Oracle instances are slow to build (each parses the file), so one per length is shared by all tests. */
    static final java.util.Map<Integer, HuggingFaceTokenizer> truncatingByLength = new java.util.HashMap<>();

    static HuggingFaceTokenizer truncating(int maxLength) throws IOException {
        HuggingFaceTokenizer t = truncatingByLength.get(maxLength);
        if (t == null) {
            t = open(HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(maxLength)
                    .optTruncation(true).optPadding(false));
            truncatingByLength.put(maxLength, t);
        }
        return t;
    }

    @AfterAll
    static void close() {
        opened.forEach(HuggingFaceTokenizer::close);
    }

    static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }

    static void assertSame(ai.djl.huggingface.tokenizers.Encoding expected, Encoding actual, String what) {
        assertArrayEquals(ints(expected.getIds()), actual.ids(), () -> "ids of " + what + "\n hf:   "
                + Arrays.toString(expected.getTokens()) + "\n ours: " + Arrays.toString(ours.tokens(actual.ids())));
        assertArrayEquals(ints(expected.getTypeIds()), actual.tokenTypeIds(), () -> "type ids of " + what);
        assertArrayEquals(ints(expected.getAttentionMask()), actual.attentionMask(), () -> "mask of " + what);
    }

    static String show(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    @Test
    void reviewsMatchUntruncated() {
        List<String> reviews = TestTexts.reviews();
        assertTrue(reviews.size() >= 500, "review corpus has " + reviews.size() + " texts");
        for (String text : reviews) {
            assertSame(full.encode(text), ours.encode(text), show(text));
        }
    }

    @Test
    void hardCasesMatch() {
        for (String text : TestTexts.hardCases()) {
            assertSame(full.encode(text), ours.encode(text), show(text));
        }
    }

    @Test
    void truncationMatchesAtSeveralLengths() throws IOException {
        List<String> texts = new ArrayList<>(TestTexts.hardCases());
        List<String> reviews = TestTexts.reviews();
        texts.addAll(reviews.subList(0, 40));
        texts.add(String.join(" ", reviews.subList(100, 112))); // well over 512 tokens
        for (int maxLength : new int[] {2, 7, 128, 512}) {
            HuggingFaceTokenizer hf = truncating(maxLength);
            for (String text : texts) {
                Encoding e = ours.encode(text, maxLength);
                assertTrue(e.length() <= maxLength);
                assertSame(hf.encode(text), e, show(text) + " @" + maxLength);
            }
        }
        String longText = String.join(" ", reviews.subList(100, 112));
        assertTrue(ours.encode(longText).length() > 512, "the long text should exceed 512 tokens");
    }

    @Test
    void pairsMatchWithAndWithoutTruncation() throws IOException {
        List<String> reviews = TestTexts.reviews();
        List<String> hard = TestTexts.hardCases();
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < 120; i += 2) {
            pairs.add(new String[] {reviews.get(i), reviews.get(i + 1)});
        }
        for (int i = 0; i + 1 < hard.size(); i++) {
            pairs.add(new String[] {hard.get(i), hard.get(i + 1)});
        }
        // Equal and nearly equal lengths, to pin the tie rule of LongestFirst.
        pairs.add(new String[] {"one two three four five six", "seven eight nine ten eleven twelve"});
        pairs.add(new String[] {"one two three four five six seven", "eight nine ten eleven twelve"});
        pairs.add(new String[] {"a b", "c d e f g h i j k l m n o p q r s t u v w x y z"});
        for (String[] p : pairs) {
            assertSame(full.encode(p[0], p[1]), ours.encodePair(p[0], p[1]), show(p[0]) + " | " + show(p[1]));
        }
        for (int maxLength : new int[] {3, 9, 10, 128}) { // budgets 0, 6 (even), 7 (odd), 125
            HuggingFaceTokenizer hf = truncating(maxLength);
            for (String[] p : pairs) {
                Encoding e = ours.encodePair(p[0], p[1], maxLength);
                assertTrue(e.length() <= maxLength);
                assertSame(hf.encode(p[0], p[1]), e, show(p[0]) + " | " + show(p[1]) + " @" + maxLength);
            }
        }
    }

    @Test
    void paddedBatchesMatch() throws IOException {
        List<String> batch = new ArrayList<>(TestTexts.reviews().subList(200, 237));
        batch.add("");
        batch.add("short one");
        HuggingFaceTokenizer longest = open(HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(64)
                .optTruncation(true).optPadding(true));
        HuggingFaceTokenizer fixed = open(HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(64)
                .optTruncation(true).optPadToMaxLength());
        for (boolean padToLongest : new boolean[] {true, false}) {
            ai.djl.huggingface.tokenizers.Encoding[] expected = (padToLongest ? longest : fixed).batchEncode(batch);
            BatchEncoding actual = ours.encodeBatch(batch, 64, padToLongest);
            assertEquals(batch.size(), actual.batchSize());
            assertEquals(expected[0].getIds().length, actual.sequenceLength());
            int t = actual.sequenceLength();
            for (int r = 0; r < batch.size(); r++) {
                String what = "row " + r + " padToLongest=" + padToLongest;
                assertArrayEquals(ints(expected[r].getIds()), Arrays.copyOfRange(actual.ids(), r * t, r * t + t), what);
                assertArrayEquals(ints(expected[r].getAttentionMask()),
                        Arrays.copyOfRange(actual.attentionMask(), r * t, r * t + t), what);
                assertArrayEquals(ints(expected[r].getTypeIds()),
                        Arrays.copyOfRange(actual.tokenTypeIds(), r * t, r * t + t), what);
            }
        }
    }

    /**
     * Random strings from a mix of scripts, symbols, marks and controls: a wide net for the character classes.
     * Includes the whole code space (unassigned, private use, supplementary planes) except lone surrogates.
     */
    @Test
    void randomMixedScriptStringsMatch() {
        int[][] ranges = {{0x20, 0x7E}, {0x20, 0x7E}, {0x20, 0x7E}, {0x00, 0x1F}, {0x80, 0x24F}, {0x300, 0x36F},
                {0x370, 0x3FF}, {0x400, 0x4FF}, {0x590, 0x5FF}, {0x600, 0x6FF}, {0x900, 0x97F}, {0xE00, 0xE7F},
                {0x2000, 0x206F}, {0x20A0, 0x20BF}, {0x2100, 0x214F}, {0x2190, 0x21FF}, {0x3000, 0x303F},
                {0x3040, 0x30FF}, {0x4E00, 0x9FA5}, {0xAC00, 0xD7A3}, {0xFF00, 0xFFEF}, {0x1F300, 0x1F5FF}, {0x0, 0xFFFF}, {0x10000, 0x10FFFF},
                {0x2000, 0x2BFF}, {0x10000, 0x1FFFF}};
        Random random = new Random(20240531);
        int mismatches = 0;
        StringBuilder report = new StringBuilder();
        for (int n = 0; n < 1500; n++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(40);
            for (int i = 0; i < length; i++) {
                int[] range = ranges[random.nextInt(ranges.length)];
                int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
                if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) { // Rust strings cannot hold them
                    sb.appendCodePoint(cp);
                }
            }
            String text = sb.toString();
            int[] expected = ints(full.encode(text).getIds());
            int[] actual = ours.encode(text).ids();
            if (!Arrays.equals(expected, actual)) {
                mismatches++;
                if (report.length() < 4000) {
                    report.append("\n").append(text.codePoints().mapToObj(Integer::toHexString).toList())
                            .append("\n hf   ").append(Arrays.toString(full.encode(text).getTokens()))
                            .append("\n ours ").append(Arrays.toString(ours.tokens(actual)));
                }
            }
        }
        assertEquals(0, mismatches, report.toString());
    }

    @Test
    void decodeMatchesOnPlainText() {
        for (String text : TestTexts.reviews().subList(0, 50)) {
            long[] ids = full.encode(text).getIds();
            assertEquals(full.decode(ids, true), ours.decode(ints(ids)), show(text));
        }
    }
}
