package dev.balora.models.decoder;

/**
 * How {@link Generator} continues a prompt. Sampling follows Hugging Face's order: divide the logits by the
 * temperature, keep the top-k, keep the smallest set of most likely tokens whose probability reaches top-p, renormalise
 * and draw from a generator seeded with {@code seed}.
 *
 * @param maxNewTokens most tokens to add (generation also stops at the model's last position)
 * @param temperature  0 for greedy decoding (argmax, first index on ties); otherwise the softmax temperature (&gt; 0)
 * @param topK         keep only the k most likely tokens (0 = all)
 * @param topP         nucleus threshold in (0, 1] (1 = all)
 * @param seed         seeds the sampling generator (same seed, same tokens)
 * @param eosTokenId   the token that ends generation, or −1 to take the model config's {@code eos_token_id}
 * @param stopOnEos    whether to stop after emitting the end token
 * @param useCache     whether to keep keys/values between steps (same result, far less work) or recompute the whole
 *                     sequence at each step
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, long seed, int eosTokenId,
                               boolean stopOnEos, boolean useCache) {
    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new DecoderException("GenerationConfig.maxNewTokens: expected >= 0, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new DecoderException("GenerationConfig.temperature: expected a finite value >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new DecoderException("GenerationConfig.topK: expected >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new DecoderException("GenerationConfig.topP: expected a value in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens}, with the cache, stopping at the config's EOS. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 0.0, 0, 1.0, 0L, -1, true, true);
    }

    /** Sampling with the given temperature, top-k (0 = off), top-p (1 = off) and seed, with the cache. */
    public static GenerationConfig sampled(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, -1, true, true);
    }

    /** @return this config with or without the KV cache */
    public GenerationConfig withCache(boolean use) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosTokenId, stopOnEos, use);
    }

    /** @return this config stopping (or not) at the end token */
    public GenerationConfig withStopOnEos(boolean stop) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, eosTokenId, stop, useCache);
    }

    /** @return this config with an explicit end token id (−1: the model config's) */
    public GenerationConfig withEos(int id) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, seed, id, stopOnEos, useCache);
    }
}
