package dev.balora.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.NoGrad;
import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.bpe.BpeTrainer;
import dev.balora.models.data.Austen;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.Sampler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContinuationScorer} against the model's own cross-entropy path and its arg-max, and {@link PretrainRun} with a
 * given tokenizer (the controlled two-base comparison of the inheritance experiment).
 */
class ContinuationScorerTest {
    @TempDir
    static Path dir;
    static PretrainRun.Result pretrain;
    static ContinuationScorer scorer;

    @BeforeAll
    static void pretrainTiny() throws IOException {
        String text = Austen.novel("emma").text().substring(0, 50_000);
        pretrain = PretrainRun.run(List.of(text), PretrainOptions.smoke(), dir.resolve("base"), List.of());
        pretrain.lm().model().eval();
        scorer = new ContinuationScorer(pretrain.lm());
    }

    @Test
    void logProbabilityEqualsTheCrossEntropyOfTheContinuationPositions() {
        String context = "Emma Woodhouse, handsome,"; // the smoke window is 32 tokens
        for (String continuation : List.of(" seemed", " to unite", " Q")) {
            ContinuationScorer.Score s = scorer.score(context, continuation);
            BpeTokenizer tok = pretrain.lm().tokenizer();
            int[] c = tok.encode(context);
            int[] y = tok.encode(continuation);
            assertEquals(y.length, s.tokens());
            int[] ids = concat(c, y);
            // labels[i] = the token position i predicts; only the continuation is labelled
            int[] labels = new int[ids.length];
            Arrays.fill(labels, CausalLm.IGNORE_INDEX);
            for (int j = 0; j < y.length; j++) {
                labels[c.length - 1 + j] = y[j];
            }
            double meanCe;
            try (NoGrad ignored = NoGrad.enter()) {
                meanCe = pretrain.lm().model().lmLoss(ids, labels, 1, ids.length).item();
            }
            assertEquals(-meanCe * y.length, s.logProb(), 1e-3 * y.length, continuation);
            assertTrue(s.logProb() < 0 && s.probability() > 0 && s.probability() < 1, continuation + ": " + s);
        }
    }

    @Test
    void greedyIsTrueExactlyForTheArgMaxToken() {
        String context = "She was the youngest,";
        BpeTokenizer tok = pretrain.lm().tokenizer();
        int[] c = tok.encode(context);
        float[] z;
        try (NoGrad ignored = NoGrad.enter()) {
            z = pretrain.lm().model().forward(c, 1, c.length).toFloatArray();
        }
        int v = z.length / c.length;
        int last = (c.length - 1) * v;
        double[] row = new double[v];
        for (int i = 0; i < v; i++) {
            row[i] = z[last + i];
        }
        int best = Sampler.argmax(row);
        int other = (best + 17) % v;
        String bestText = tok.decode(new int[] {best});
        String otherText = tok.decode(new int[] {other});
        // single BPE tokens re-encode to themselves, so the scorer sees exactly these ids
        assertArrayEquals(new int[] {best}, tok.encode(bestText));
        ContinuationScorer.Score top = scorer.score(context, bestText);
        assertTrue(top.greedy(), "the arg-max token is what greedy decoding emits");
        assertEquals(1, top.tokens());
        if (Arrays.equals(new int[] {other}, tok.encode(otherText))) {
            ContinuationScorer.Score s = scorer.score(context, otherText);
            assertFalse(s.greedy(), "token " + other + " is not the arg-max " + best);
            assertTrue(s.logProb() <= top.logProb());
        }
    }

    @Test
    void longContextsKeepTheirTailAndBadContinuationsAreRejected() {
        String longContext = Austen.novel("emma").text().substring(1_000, 6_000);
        ContinuationScorer.Score s = scorer.score(longContext, " she");
        assertTrue(Double.isFinite(s.logProb()) && s.logProb() < 0, s.toString());
        ContinuationScorer.Score empty = scorer.score("", " she");
        assertTrue(Double.isFinite(empty.logProb()), "an empty context is scored after the end token");
        assertThrows(IllegalArgumentException.class, () -> scorer.score("x", ""));
        String tooLong = " she".repeat(pretrain.lm().model().config().maxPositions());
        assertThrows(IllegalArgumentException.class, () -> scorer.score("x", tooLong));
    }

    @Test
    void aGivenTokenizerIsUsedAsIsAndMustHaveTheEndToken() throws IOException {
        String other = Austen.novel("persuasion").text().substring(0, 30_000);
        PretrainOptions o = PretrainOptions.smoke().withMaxSteps(3);
        PretrainRun.Result r = PretrainRun.run(List.of(other), pretrain.lm().tokenizer(), o, dir.resolve("given"), List.of());
        BpeTokenizer given = pretrain.lm().tokenizer();
        assertEquals(given.vocabSize(), r.lm().tokenizer().vocabSize());
        String probe = "Sir Walter Elliot, of Kellynch Hall, in Somersetshire";
        assertArrayEquals(given.encode(probe), r.lm().tokenizer().encode(probe));
        assertArrayEquals(given.encode(probe), PretrainedLm.load(r.modelDir()).tokenizer().encode(probe));
        assertEquals(given.vocabSize(), r.lm().model().config().vocabSize());

        BpeTokenizer noEnd = new BpeTrainer(300, 2, List.of()).train(List.of(other));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PretrainRun.run(List.of(other), noEnd, o, dir.resolve("noend"), List.of()));
        assertTrue(e.getMessage().contains(PretrainRun.END_OF_TEXT), e.getMessage());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
