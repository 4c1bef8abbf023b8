package dev.balora.core.optim;

import dev.balora.core.tensor.Tensor;
import java.util.List;

/** Plain stochastic gradient descent: {@code p −= lr·g}. */
public final class Sgd implements Optimizer {
    private final List<Tensor> params;

    public Sgd(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    @Override
    public void step(double lr) {
        for (Tensor p : params) {
            if (p.grad() != null) {
                p.backend().axpby(p.numel(), -lr, p.grad().storage(), 1.0, p.storage());
            }
        }
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }
}
