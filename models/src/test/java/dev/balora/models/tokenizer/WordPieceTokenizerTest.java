package dev.balora.models.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of the MiniLM tokenizer and of small hand-written tokenizer files, checked by hand. */
class WordPieceTokenizerTest {
    static WordPieceTokenizer miniLm;

    @BeforeAll
    static void load() {
        miniLm = Tokenizers.miniLm();
    }

    @Test
    void helloWorldHasTheKnownIds() {
        Encoding e = miniLm.encode("hello world");
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, e.ids());
        assertArrayEquals(new int[] {0, 0, 0, 0}, e.tokenTypeIds());
        assertArrayEquals(new int[] {1, 1, 1, 1}, e.attentionMask());
        assertArrayEquals(new int[] {101, 7592, 2088, 102}, miniLm.encode("  HeLLo\tWORLD \n").ids());
    }

    @Test
    void miniLmFactsFromTheFile() {
        assertEquals(30522, miniLm.vocabSize());
        assertEquals(100, miniLm.unkId());
        assertEquals(0, miniLm.padId());
        assertEquals(128, miniLm.fileTruncation().orElseThrow().maxLength());
        assertEquals(128, miniLm.filePadding().orElseThrow().fixedLength());
        assertEquals(BertNormalizer.UNCASED, miniLm.normalizer().orElseThrow());
        assertEquals(7592, miniLm.tokenToId("hello").orElseThrow());
        assertTrue(miniLm.tokenToId("no such token").isEmpty());
        assertTrue(miniLm.source().contains(Tokenizers.MINILM_RESOURCE));
    }

    @Test
    void pairLayoutHasSegmentIds() {
        Encoding e = miniLm.encodePair("hello world", "world");
        assertArrayEquals(new int[] {101, 7592, 2088, 102, 2088, 102}, e.ids());
        assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1}, e.tokenTypeIds());
    }

    @Test
    void truncationKeepsSep() {
        Encoding e = miniLm.encode("hello world hello world hello", 5);
        assertArrayEquals(new int[] {101, 7592, 2088, 7592, 102}, e.ids());
        assertArrayEquals(new int[] {101, 102}, miniLm.encode("hello", 2).ids());
        assertThrows(IllegalArgumentException.class, () -> miniLm.encode("hello", 1));
        assertThrows(IllegalArgumentException.class, () -> miniLm.encodePair("a", "b", 2));
    }

    @Test
    void batchIsRowMajorAndPadded() {
        List<String> texts = List.of("hello", "hello world hello world hello world", "", "world world");
        BatchEncoding fixed = miniLm.encodeBatch(texts, 7, false);
        assertEquals(4, fixed.batchSize());
        assertEquals(7, fixed.sequenceLength());
        assertArrayEquals(new int[] {
                101, 7592, 102, 0, 0, 0, 0,
                101, 7592, 2088, 7592, 2088, 7592, 102,
                101, 102, 0, 0, 0, 0, 0,
                101, 2088, 2088, 102, 0, 0, 0}, fixed.ids());
        assertArrayEquals(new int[] {
                1, 1, 1, 0, 0, 0, 0,
                1, 1, 1, 1, 1, 1, 1,
                1, 1, 0, 0, 0, 0, 0,
                1, 1, 1, 1, 0, 0, 0}, fixed.attentionMask());
        assertEquals(new int[28].length, fixed.tokenTypeIds().length);
        assertEquals(0, Arrays.stream(fixed.tokenTypeIds()).sum());
        assertEquals(3, fixed.rowLength(0));
        assertEquals(7, fixed.rowLength(1));

        BatchEncoding longest = miniLm.encodeBatch(List.of("hello", "world world", "a"), 17, true);
        assertEquals(4, longest.sequenceLength());
        assertArrayEquals(new int[] {101, 7592, 102, 0, 101, 2088, 2088, 102, 101, 1037, 102, 0}, longest.ids());

        BatchEncoding pairs = miniLm.encodePairBatch(List.of("hello", "a"), List.of("world", "hello world"), 9, true);
        assertEquals(6, pairs.sequenceLength());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1}, pairs.tokenTypeIds());
        assertThrows(IllegalArgumentException.class,
                () -> miniLm.encodePairBatch(List.of("a"), List.of("b", "c"), 9, true));
    }

    @Test
    void normalizerFollowsHuggingFace() {
        BertNormalizer n = BertNormalizer.UNCASED;
        assertEquals("cafe naive angstrom", n.normalize("Caf\u00e9 Na\u00efve \u00c5ngstr\u00f6m"));
        assertEquals("\u03c3\u03bf\u03c3", n.normalize("\u03a3\u039f\u03a3"), "no final-sigma rule");
        assertEquals("abc d e", n.normalize("a\u0000b\u200bc\td\u00a0e"));
        assertEquals(" \u4e2d  \u6587 x", n.normalize("\u4e2d\u6587x"));
        BertNormalizer cased = new BertNormalizer(true, true, false, true);
        assertEquals("i\u0307", cased.normalize("\u0130"), "Rust's full lowercase of U+0130");
        assertEquals("i", n.normalize("\u0130"), "NFD then mark stripping comes first");
    }

    @Test
    void wordsLongerThanTheLimitAreUnknown() {
        assertArrayEquals(new int[] {101, 100, 102}, miniLm.encode("a".repeat(101)).ids());
        assertTrue(miniLm.encode("a".repeat(100)).length() > 3);
    }

    @Test
    void decodeJoinsPiecesAndSkipsSpecials() {
        int[] ids = miniLm.encode("Hello, World! Don't stop unaffable.").ids();
        // HF cleans up token by token, so the apostrophe, a token of its own, keeps its spaces.
        assertEquals("hello, world! don ' t stop unaffable.", miniLm.decode(ids));
        assertEquals("hello", miniLm.decode(new int[] {101, 7592, -5, 999_999, 0, 102}));
    }

    @Test
    void concurrentUseGivesTheSameIds() {
        List<String> reviews = TestTexts.reviews();
        int[][] sequential = reviews.stream().map(t -> miniLm.encode(t).ids()).toArray(int[][]::new);
        int[][] parallel = reviews.parallelStream().map(t -> miniLm.encode(t).ids()).toArray(int[][]::new);
        for (int i = 0; i < sequential.length; i++) {
            assertArrayEquals(sequential[i], parallel[i], reviews.get(i));
        }
    }

    /** A cased vocabulary with BertProcessing, no normalizer and one normalized added token. */
    static final String TINY = """
            {"model": {"type": "WordPiece", "unk_token": "<unk>", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 9,
                       "vocab": {"<pad>": 0, "<unk>": 1, "<s>": 2, "</s>": 3, "Hello": 4, "world": 5, "##s": 6,
                                 "un": 7, "##aff": 8, "##able": 9, ",": 10, "##a": 11, "a": 12}},
             "normalizer": null,
             "pre_tokenizer": {"type": "BertPreTokenizer"},
             "post_processor": {"type": "BertProcessing", "sep": ["</s>", 3], "cls": ["<s>", 2]},
             "added_tokens": [{"id": 13, "content": "<sep>", "special": false, "normalized": true}],
             "decoder": null}
            """;

    @Test
    void tinyCasedTokenizer() {
        WordPieceTokenizer t = TokenizerJsonReader.parse(TINY.getBytes(StandardCharsets.UTF_8), "tiny.json");
        assertArrayEquals(new int[] {2, 4, 5, 6, 10, 7, 8, 9, 3}, t.encode("Hello worlds, unaffable").ids());
        assertArrayEquals(new int[] {2, 1, 3}, t.encode("hello").ids(), "no lowercasing without a normalizer");
        assertArrayEquals(new int[] {2, 1, 3}, t.encode("a".repeat(10)).ids(), "10 chars > max_input_chars_per_word");
        assertArrayEquals(new int[] {2, 12, 11, 11, 11, 11, 11, 11, 11, 11, 3}, t.encode("a".repeat(9)).ids());
        assertArrayEquals(new int[] {2, 1, 5, 3}, t.encode("Worlds world").ids(), "one unknown piece spoils the word");
        assertArrayEquals(new int[] {2, 5, 13, 5, 3}, t.encode("world<sep>world").ids());
        Encoding pair = t.encodePair("Hello", "world");
        assertArrayEquals(new int[] {2, 4, 3, 5, 3}, pair.ids());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1}, pair.tokenTypeIds());
        assertEquals(0, t.padId(), "no padding section: the pad id falls back to 0");
        assertEquals(14, t.vocabSize());
        // <s> and </s> are not declared as special added tokens here, so decoding keeps them (as HF does).
        assertEquals("<s> Hello worlds, unaffable </s>", t.decode(t.encode("Hello worlds, unaffable").ids()));
    }
}
