package dev.balora.models.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures {@link WordPieceTokenizer#encodeBatch} throughput on the 5,000 food reviews (not a unit test: run
 * by hand, {@code java -cp … dev.balora.models.tokenizer.WordPieceThroughput [train.tsv test.tsv]}).
 * Five warm-up passes, then the best of ten timed passes, batches of 64 at {@code maxLength = 128}.
 */
public final class WordPieceThroughput {
    private WordPieceThroughput() {
    }

    public static void main(String[] args) throws IOException {
        String[] files = args.length > 0 ? args : new String[] {
                "/work/shared/data/food-reviews/food-reviews-train.tsv",
                "/work/shared/data/food-reviews/food-reviews-test.tsv"};
        List<String> texts = new ArrayList<>();
        for (String file : files) {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (String line : lines.subList(1, lines.size())) {
                texts.add(line.substring(line.indexOf('\t', line.indexOf('\t') + 1) + 1));
            }
        }
        WordPieceTokenizer tokenizer = Tokenizers.miniLm();
        long best = Long.MAX_VALUE;
        long realTokens = 0;
        for (int pass = 0; pass < 15; pass++) {
            long start = System.nanoTime();
            long tokens = 0;
            for (int i = 0; i < texts.size(); i += 64) {
                BatchEncoding batch = tokenizer.encodeBatch(texts.subList(i, Math.min(texts.size(), i + 64)), 128,
                        false);
                for (int r = 0; r < batch.batchSize(); r++) {
                    tokens += batch.rowLength(r);
                }
            }
            long elapsed = System.nanoTime() - start;
            if (pass >= 5) {
                best = Math.min(best, elapsed);
            }
            realTokens = tokens;
        }
        long untruncated = 0;
        for (String text : texts) {
            untruncated += tokenizer.encode(text).length();
        }
        double seconds = best / 1e9;
        System.out.printf("%d texts, %d tokens after truncation to 128 (%d untruncated), best pass %.1f ms:%n"
                        + "  %.0f sentences/s, %.0f tokens/s (non-padding, after truncation)%n",
                texts.size(), realTokens, untruncated, best / 1e6, texts.size() / seconds, realTokens / seconds);
    }
}
