package dev.balora.models.decoder;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;

/** The MLP non-linearity, by Hugging Face's {@code activation_function} / {@code hidden_act} names. */
public enum Activation {
    /** GPT-2's {@code gelu_new}: the tanh approximation (also {@code gelu_pytorch_tanh}). */
    GELU_TANH("gelu_new"),
    /** The exact erf GELU ({@code gelu}). */
    GELU("gelu"),
    /** {@code relu}. */
    RELU("relu"),
    /** {@code silu} (LLaMA's gate activation; also {@code swish}). */
    SILU("silu");

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    /** @return the name written to config.json */
    public String hfName() {
        return hfName;
    }

    /** @return this activation applied element-wise to x (any shape) */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case GELU_TANH -> Ops.geluTanh(x);
            case GELU -> Ops.gelu(x);
            case RELU -> Ops.relu(x);
            case SILU -> Ops.silu(x);
        };
    }

    /** @return the activation Hugging Face calls {@code name} */
    public static Activation of(String name) {
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
            case "gelu" -> GELU;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            default -> throw new DecoderException("activation: expected gelu_new, gelu_pytorch_tanh, gelu, relu, silu"
                    + " or swish, got '" + name + "'");
        };
    }
}
