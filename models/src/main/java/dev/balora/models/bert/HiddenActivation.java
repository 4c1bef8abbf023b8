package dev.balora.models.bert;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.Locale;

/** The feed-forward activation named by Hugging Face's {@code hidden_act}. */
public enum HiddenActivation {
    /** {@code "gelu"}: x·Φ(x) with the exact (erf) normal CDF. */
    GELU,
    /** {@code "gelu_new"}, {@code "gelu_pytorch_tanh"}: the tanh approximation of GELU. */
    GELU_TANH,
    /** {@code "relu"}. */
    RELU;

    /**
     * @param hiddenAct the config's {@code hidden_act} string
     * @throws BertModelException for a name balora does not implement
     */
    public static HiddenActivation of(String hiddenAct) {
        return switch (hiddenAct == null ? "" : hiddenAct.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh" -> GELU_TANH;
            case "relu" -> RELU;
            default -> throw new BertModelException("BertConfig.hiddenAct: expected one of gelu, gelu_new, "
                    + "gelu_pytorch_tanh, relu; got '" + hiddenAct + "'");
        };
    }

    /** @param x any shape @return the activation applied element-wise, same shape (differentiable) */
    public Tensor apply(Tensor x) {
        return switch (this) {
            case GELU -> Ops.gelu(x);
            case GELU_TANH -> Ops.geluTanh(x);
            case RELU -> Ops.relu(x);
        };
    }
}
