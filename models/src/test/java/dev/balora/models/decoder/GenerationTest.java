package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** KV-cached generation equals full recomputation; sampling settings behave as documented. */
class GenerationTest {

    private static CausalLm model(String name, DType dtype) throws IOException {
        return HfDecoderCheckpoint.load(DecoderFixture.load(name).dir(), new DecoderOptions(dtype, 3));
    }

    private record Run(int[] tokens, List<double[]> rows) {}

    private static Run run(CausalLm m, int[] prompt, GenerationConfig c) {
        List<double[]> rows = new ArrayList<>();
        int[] tokens = Generator.generate(m, prompt, c, (step, logits, token) -> rows.add(logits.clone()));
        return new Run(tokens, rows);
    }

    @ParameterizedTest
    @CsvSource({"gpt2-tiny, F64, 1e-11", "llama-gqa, F64, 1e-11", "llama-mqa-tied, F64, 1e-11",
            "gpt2-tiny, F32, 2e-5", "llama-gqa, F32, 2e-5"})
    void cachedGenerationEqualsFullRecompute(String name, DType dtype, double tol) throws IOException {
        CausalLm m = model(name, dtype);
        int[] prompt = {3, 17, 5};
        for (GenerationConfig c : List.of(GenerationConfig.greedy(11).withStopOnEos(false),
                GenerationConfig.sampled(11, 1.3, 0, 1.0, 42).withStopOnEos(false),
                GenerationConfig.sampled(11, 0.8, 6, 0.9, 7).withStopOnEos(false))) {
            Run cached = run(m, prompt, c);
            Run full = run(m, prompt, c.withCache(false));
            assertArrayEquals(full.tokens(), cached.tokens(), name + " " + c);
            assertEquals(11, cached.tokens().length);
            for (int s = 0; s < full.rows().size(); s++) {
                double err = DecoderFixture.relError(cached.rows().get(s), full.rows().get(s));
                assertTrue(err < tol, name + " step " + s + " logits differ by " + err);
            }
        }
    }

    @Test
    void seedsTopKAndTopPBehave() throws IOException {
        CausalLm m = model("llama-gqa", DType.F64);
        int[] prompt = {1, 9, 33, 4};
        int[] greedy = Generator.generate(m, prompt, GenerationConfig.greedy(10).withStopOnEos(false));
        assertArrayEquals(greedy, Generator.generate(m, prompt, GenerationConfig.sampled(10, 1.0, 1, 1.0, 5).withStopOnEos(false)),
                "top-k = 1 is greedy");
        assertArrayEquals(greedy, Generator.generate(m, prompt, GenerationConfig.sampled(10, 2.0, 0, 1e-9, 5).withStopOnEos(false)),
                "a vanishing top-p keeps only the best token");
        GenerationConfig hot = GenerationConfig.sampled(16, 3.0, 0, 1.0, 11).withStopOnEos(false);
        int[] a = Generator.generate(m, prompt, hot);
        assertArrayEquals(a, Generator.generate(m, prompt, hot), "same seed, same tokens");
        assertFalse(Arrays.equals(a, Generator.generate(m, prompt,
                new GenerationConfig(16, 3.0, 0, 1.0, 12, -1, false, true))), "another seed, other tokens");
    }

    @Test
    void samplerFollowsTheTemperedDistributionWithinTopK() {
        double[] logits = {0.3, 1.2, -0.5, 0.9, 2.0, -1.0, 0.0};
        int draws = 40_000;
        for (double temp : new double[] {1.0, 0.5}) {
            for (int k : new int[] {0, 3}) {
                Sampler s = new Sampler(GenerationConfig.sampled(1, temp, k, 1.0, 99));
                int[] counts = new int[logits.length];
                for (int i = 0; i < draws; i++) {
                    counts[s.next(logits)]++;
                }
                double[] p = new double[logits.length];
                double z = 0;
                for (int i = 0; i < logits.length; i++) {
                    boolean kept = k == 0 || logits[i] >= 0.9; // the top 3 are 2.0, 1.2, 0.9
                    p[i] = kept ? Math.exp(logits[i] / temp) : 0;
                    z += p[i];
                }
                for (int i = 0; i < logits.length; i++) {
                    assertEquals(p[i] / z, counts[i] / (double) draws, 0.01, "T=" + temp + " k=" + k + " token " + i);
                }
            }
        }
        // top-p = 0.5 over probabilities sorted (0.45, 0.20, 0.15, ...) keeps the top two tokens.
        Sampler nucleus = new Sampler(GenerationConfig.sampled(1, 1.0, 0, 0.5, 3));
        for (int i = 0; i < 2000; i++) {
            int t = nucleus.next(logits);
            assertTrue(t == 4 || t == 1, "top-p 0.5 drew token " + t);
        }
    }

    @Test
    void stopsAtEndTokenAndAtTheLastPosition() throws IOException {
        CausalLm m = model("llama-gqa", DType.F32);
        m.train();
        int[] prompt = {1, 9, 33};
        int[] greedy = Generator.generate(m, prompt, GenerationConfig.greedy(6).withStopOnEos(false));
        int[] stopped = Generator.generate(m, prompt, GenerationConfig.greedy(6).withEos(greedy[2]));
        assertArrayEquals(Arrays.copyOf(greedy, indexOf(greedy, greedy[2]) + 1), stopped);
        int max = m.config().maxPositions();
        assertEquals(max - prompt.length, Generator.generate(m, prompt,
                GenerationConfig.greedy(1000).withStopOnEos(false)).length);
        assertThrows(DecoderException.class, () -> Generator.generate(m, new int[0], GenerationConfig.greedy(3)));
        assertThrows(DecoderException.class, () -> GenerationConfig.sampled(3, 1.0, 0, 0.0, 1));
        assertTrue(m.isTraining(), "generation restores the training mode");
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
