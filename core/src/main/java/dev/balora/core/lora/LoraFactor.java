package dev.balora.core.lora;

import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;

/** Holds one adapter matrix as parameter {@code weight}, giving PEFT's names {@code lora_A.weight}, {@code lora_B.weight}. */
public final class LoraFactor extends Module {
    LoraFactor(Tensor weight) {
        registerParameter("weight", weight);
    }

    /** @return the matrix */
    public Tensor weight() {
        return localParameters().get("weight");
    }

    void set(Tensor value) {
        replaceParameter("weight", value);
    }
}
