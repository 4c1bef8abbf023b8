package dev.balora.core.optim;

import dev.balora.core.tensor.Tensor;
import java.util.List;

/** Updates parameters from their gradients. Only the given parameters have optimizer state. */
public interface Optimizer {
    /** Applies one update with learning rate {@code lr} to every parameter that has a gradient. */
    void step(double lr);

    /** @return the parameters this optimizer updates */
    List<Tensor> parameters();

    /** Clears every parameter's gradient. */
    default void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }
}
