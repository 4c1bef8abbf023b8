package dev.balora.models.decoder;

import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Continues one prompt with a {@link CausalLm}, greedily or by sampling ({@link GenerationConfig}), with or without
 * a {@link KvCache}. Runs without recording gradients and with dropout off (the model's mode is restored after).
 */
public final class Generator {
    private Generator() {}

    /** Called with each step's logits row, for tests and streaming. */
    @FunctionalInterface
    public interface StepListener {
        /** @param step 0-based index of the new token @param logits the row [V] it was chosen from @param token it */
        void onToken(int step, double[] logits, int token);
    }

    /**
     * @param model  the model
     * @param prompt the prompt ids (at least one, at most maxPositions)
     * @param config decoding settings
     * @return the new tokens only (ending with the end token when it was produced and {@code stopOnEos})
     */
    public static int[] generate(CausalLm model, int[] prompt, GenerationConfig config) {
        return generate(model, prompt, config, null);
    }

    /** As {@link #generate(CausalLm, int[], GenerationConfig)}, reporting every step to {@code listener}. */
    public static int[] generate(CausalLm model, int[] prompt, GenerationConfig config, StepListener listener) {
        int maxPositions = model.config().maxPositions();
        if (prompt.length == 0 || prompt.length > maxPositions) {
            throw new DecoderException("Generator.generate: prompt length " + prompt.length + " outside [1, "
                    + maxPositions + "]");
        }
        int eos = config.eosTokenId() >= 0 ? config.eosTokenId() : model.config().eosTokenId();
        int budget = Math.min(config.maxNewTokens(), maxPositions - prompt.length);
        int[] sequence = Arrays.copyOf(prompt, prompt.length + budget);
        int length = prompt.length;
        Sampler sampler = new Sampler(config);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            KvCache cache = config.useCache() ? model.newCache(1) : null;
            int fed = 0;
            for (int step = 0; step < budget; step++) {
                double[] row;
                if (cache != null) {
                    int[] fresh = Arrays.copyOfRange(sequence, fed, length);
                    row = lastRow(model.forward(fresh, 1, fresh.length, cache));
                    fed = length;
                } else {
                    row = lastRow(model.forward(Arrays.copyOf(sequence, length), 1, length));
                }
                int token = sampler.next(row);
                if (listener != null) {
                    listener.onToken(step, row, token);
                }
                sequence[length++] = token;
                if (config.stopOnEos() && token == eos) {
                    break;
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return Arrays.copyOfRange(sequence, prompt.length, length);
    }

    /** @param logits [1, T, V] @return the last position's row [V] */
    private static double[] lastRow(Tensor logits) {
        int t = logits.dim(1);
        int v = logits.dim(2);
        double[] all = logits.toDoubleArray();
        return Arrays.copyOfRange(all, (t - 1) * v, t * v);
    }
}
