package dev.balora.models.decoder;

/**
 * The two causal decoder families, named by Hugging Face's {@code model_type}.
 * <ul>
 *   <li>{@link #GPT2}: learned absolute positions, LayerNorm, GELU MLP, fused {@code c_attn} (q, k, v in one
 *       Conv1D), biases everywhere, LM head tied to the token embeddings.</li>
 *   <li>{@link #LLAMA}: rotary positions (RoPE), RMSNorm, SwiGLU MLP, separate {@code q/k/v/o_proj} with
 *       grouped-query attention, optionally tied embeddings.</li>
 * </ul>
 */
public enum DecoderFamily {
    GPT2("gpt2", "GPT2LMHeadModel"),
    LLAMA("llama", "LlamaForCausalLM");

    private final String modelType;
    private final String architecture;

    DecoderFamily(String modelType, String architecture) {
        this.modelType = modelType;
        this.architecture = architecture;
    }

    /** @return Hugging Face's {@code model_type} */
    public String modelType() {
        return modelType;
    }

    /** @return the class name written to {@code architectures} in config.json */
    public String architecture() {
        return architecture;
    }

    /** @return the family whose {@code model_type} is {@code name} */
    public static DecoderFamily of(String name) {
        for (DecoderFamily f : values()) {
            if (f.modelType.equals(name)) {
                return f;
            }
        }
        throw new DecoderException("model_type: expected gpt2 or llama, got '" + name + "'");
    }
}
