package dev.balora.core.lora;

/** Which weights a {@link LoraLinear} computes with. */
public enum AdapterMode {
    /** W_res + s·B·A with the current (trained) A, B: the student. */
    ADAPTED,
    /** W_res + s·B₀·A₀ with the initial adapter: the original pre-trained layer (BA-LoRA's teacher). */
    INITIAL,
    /** W_res alone: the 2024–25 reference code's teacher ({@code teacher = residual}). */
    RESIDUAL
}
