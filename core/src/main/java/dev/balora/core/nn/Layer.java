package dev.balora.core.nn;

import dev.balora.core.tensor.Tensor;

/**
 * A module with a single-tensor forward pass. Models call their sub-layers through {@link Module#call} (a lookup
 * by name at forward time), so that a layer replaced in the tree — e.g. a {@code Linear} wrapped by a LoRA
 * adapter — takes effect without the model knowing.
 */
public interface Layer {
    /** @param x input, [..., in] @return output, [..., out] */
    Tensor forward(Tensor x);
}
