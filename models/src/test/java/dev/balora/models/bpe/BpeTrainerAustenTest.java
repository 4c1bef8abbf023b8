package dev.balora.models.bpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.balora.models.data.Austen;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trains an 8,000-token byte-level BPE on all six Austen novels (3.9 MB) once, then checks the training time, the
 * lossless round trip on the whole corpus, the saved tokenizer.json (reloaded by us and by Hugging Face's Rust
 * tokenizers through DJL, which must produce the same ids), and that the learned merges actually compress.
 */
class BpeTrainerAustenTest {
    static final int VOCAB = 8000;
    static final String EOT = "<|endoftext|>";
    static List<String> texts;
    static BpeTokenizer trained;
    static double trainSeconds;
    @TempDir
    static Path dir;

    @BeforeAll
    static void train() {
        texts = new ArrayList<>();
        Austen.novels().forEach(n -> texts.add(n.text()));
        long t0 = System.nanoTime();
        trained = new BpeTrainer(VOCAB, 2, List.of(EOT)).train(texts);
        trainSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BPE: trained %d tokens on %d chars in %.2f s%n", trained.vocabSize(),
                texts.stream().mapToInt(String::length).sum(), trainSeconds);
    }

    @Test
    void trainsTheFullVocabularyWellUnderAMinute() {
        assertEquals(VOCAB, trained.vocabSize());
        assertEquals(VOCAB - 256 - 1, trained.model().merges().size());
        assertEquals(0, trained.tokenToId(EOT));
        assertTrue(trainSeconds < 30, "training took " + trainSeconds + " s");
    }

    @Test
    void roundTripsTheWholeCorpusAndCompresses() {
        long tokens = 0;
        long bytes = 0;
        long t0 = System.nanoTime();
        for (String text : texts) {
            int[] ids = trained.encode(text);
            assertEquals(text, trained.decode(ids));
            tokens += ids.length;
            bytes += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("BPE: encoded+decoded %d bytes into %d tokens (%.2f bytes/token) in %.2f s%n", bytes, tokens,
                (double) bytes / tokens, seconds);
        assertTrue((double) bytes / tokens > 3.5, "an 8k vocabulary should average > 3.5 bytes per token, got "
                + (double) bytes / tokens);
    }

    @Test
    void savedFileReloadsAndHuggingFaceAgrees() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        trained.save(file);
        BpeTokenizer reloaded = BpeTokenizer.load(file);
        List<String> samples = new ArrayList<>(List.of(
                "Hello world's  test\n\n  end", "It isn't, I'd say, what we'll've done.", "naïve café — “quoted” ½ 12345",
                "emoji 🙂 and 漢字 and tabs\tand\r\nCRLF", "   leading and trailing   ", "a" + EOT + "b " + EOT,
                "UPPER lower MiXeD 3.14159", ""));
        for (String text : texts) {
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i += 97) {
                samples.add(lines[i] + "\n" + (i + 1 < lines.length ? lines[i + 1] : ""));
            }
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                .optTruncation(false).optPadding(false).build()) {
            for (String s : samples) {
                int[] ours = trained.encode(s);
                assertArrayEquals(ours, reloaded.encode(s), () -> "reloaded tokenizer differs on " + s);
                int[] theirs = Arrays.stream(hf.encode(s).getIds()).mapToInt(Math::toIntExact).toArray();
                assertArrayEquals(theirs, ours, () -> "HF tokenizers differs on '" + s + "'");
                assertEquals(s, trained.decode(ours));
            }
        }
    }
}
