package dev.balora.models.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level table, pre-tokenizer pieces, merge order, added tokens and tokenizer.json errors on small inputs. */
class BpeTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void byteTableIsABijectionOntoPrintableCharacters() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertTrue(seen.add(c), "duplicate character for byte " + b);
            assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b + " maps to " + (int) c);
            assertEquals(b, ByteLevel.byteOf(c));
        }
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('!', ByteLevel.charOf('!'));
        byte[] random = new byte[333];
        new SplittableRandom(5).nextBytes(random);
        StringBuilder sb = new StringBuilder();
        for (byte b : random) {
            sb.append(ByteLevel.charOf(b));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteLevel.decodeInto(sb, out);
        assertArrayEquals(random, out.toByteArray());
        assertThrows(IllegalArgumentException.class, () -> ByteLevel.decodeInto(" ", new ByteArrayOutputStream()));
    }

    @Test
    void preTokenizerSplitsLikeGpt2AndCoversTheText() {
        // A whitespace run leaves its last space to the next word: "\n\n   42" → "\n\n  ", " 42".
        assertEquals(List.of("Hello", " world", "'s", " ", " test", "\n\n  ", " 42", "!?", " don", "'t"),
                Gpt2PreTokenizer.split("Hello world's  test\n\n   42!? don't"));
        String text = "  trailing spaces  \t\n x";
        assertEquals(text, String.join("", Gpt2PreTokenizer.split(text)));
    }

    /** Tokens a, b, c, Ġ plus merges "a b" (rank 0), "ab c" (1), "Ġ a" (2) over the full byte alphabet. */
    private static BpeModel small() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (char c : ByteLevel.alphabet()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        vocab.put("ab", vocab.size());
        vocab.put("abc", vocab.size());
        vocab.put("Ġa", vocab.size());
        return new BpeModel(vocab, List.of(new String[] {"a", "b"}, new String[] {"ab", "c"}, new String[] {"Ġ", "a"}),
                false);
    }

    @Test
    void mergesApplyInRankOrder() {
        BpeModel m = small();
        BpeTokenizer t = new BpeTokenizer(m, List.of(new AddedToken(m.size(), "<eot>", true)), false);
        // " abc": ranks pick a+b first (0), then ab+c (1); Ġ+a (2) never applies since a is consumed.
        assertArrayEquals(new int[] {m.id("Ġ"), m.id("abc")}, t.encode(" abc"));
        assertArrayEquals(new int[] {m.id("Ġa"), m.id("c")}, t.encode(" ac"));
        assertArrayEquals(new int[] {m.id("ab"), m.id("ab"), m.id("a")}, t.encode("ababa"));
        int[] withSpecial = t.encode("abc<eot> ac");
        assertArrayEquals(new int[] {m.id("abc"), m.size(), m.id("Ġa"), m.id("c")}, withSpecial);
        assertEquals("abc<eot> ac", t.decode(withSpecial));
        assertEquals("abc ac", t.decode(withSpecial, true));
        assertEquals(m.size() + 1, t.vocabSize());
    }

    @Test
    void readsArrayMergesAndRejectsBadFiles() throws IOException {
        BpeTokenizer t = new BpeTokenizer(small(), List.of(), false);
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"a b\"", "[\"a\",\"b\"]"));
        assertArrayEquals(t.encode("ababc"), BpeTokenizer.load(file).encode("ababc"));

        Files.writeString(file, json.replace("\"ab c\"", "\"ab zz\""));
        BpeFormatException e = assertThrows(BpeFormatException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains("zz") && e.getMessage().contains("model"), e.getMessage());

        Files.writeString(file, json.replace("\"normalizer\":null", "\"normalizer\":{\"type\":\"NFC\"}"));
        e = assertThrows(BpeFormatException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains("normalizer") && e.getMessage().contains("NFC"), e.getMessage());

        Files.writeString(file, json.replace("\"type\":\"BPE\"", "\"type\":\"WordPiece\""));
        e = assertThrows(BpeFormatException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().contains("model.type") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void smallTrainingIsDeterministicAndLossless() {
        List<String> texts = List.of("the cat sat on the mat; the cat ate", "that hat, that cat! 7 cats", "ünïcödé ünï");
        BpeTokenizer a = new BpeTrainer(300, 1, List.of("<s>")).train(texts);
        BpeTokenizer b = new BpeTrainer(300, 1, List.of("<s>")).train(texts);
        assertEquals(a.model().tokens(), b.model().tokens());
        assertEquals(" the", a.idToToken(a.encode(" the")[0]).replace('Ġ', ' '));
        for (String s : texts) {
            assertEquals(s, a.decode(a.encode(s)));
        }
        assertEquals("unseen ✓ text<s>", a.decode(a.encode("unseen ✓ text<s>")));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(100, 1, List.of()));
    }
}
