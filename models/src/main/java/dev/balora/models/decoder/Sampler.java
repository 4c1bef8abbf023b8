package dev.balora.models.decoder;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Chooses the next token from one row of logits: greedy, or temperature / top-k / top-p sampling. */
public final class Sampler {
    private final GenerationConfig config;
    private final SplittableRandom rng;

    /** A sampler whose random draws are seeded by {@code config.seed()}. */
    public Sampler(GenerationConfig config) {
        this.config = config;
        this.rng = new SplittableRandom(config.seed());
    }

    /** @param logits one row [V] @return the chosen token id */
    public int next(double[] logits) {
        if (config.temperature() == 0) {
            return argmax(logits);
        }
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        // Most likely first; the stable sort keeps lower ids first among equal logits.
        Arrays.sort(order, (a, b) -> Double.compare(logits[b], logits[a]));
        int keep = config.topK() == 0 ? v : Math.min(config.topK(), v);
        double max = logits[order[0]];
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / config.temperature());
            total += p[i];
        }
        if (config.topP() < 1) {
            // The smallest prefix (by probability) whose mass reaches top-p; always at least one token.
            double cumulative = 0;
            int cut = keep;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / total;
                if (cumulative >= config.topP()) {
                    cut = i + 1;
                    break;
                }
            }
            keep = cut;
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += p[i];
            }
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** @return the index of the largest value (the first on ties) */
    public static int argmax(double[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
