package dev.balora.core.train;

import java.util.Map;

/** Stops training at the first non-finite loss value, naming the term that went bad. */
final class LossCheck {
    private LossCheck() {}

    /**
     * Checks the task loss, then every BA-LoRA term, then the total (a non-finite total with finite parts means
     * an infinite λ or an overflow in the sum).
     *
     * @throws NonFiniteValueException naming "task", the term's name or "total"
     */
    static void requireFinite(MicroBatchLoss loss, double total, long step, String where) {
        if (!Double.isFinite(loss.task())) {
            throw new NonFiniteValueException(step, "task", loss.task(), where);
        }
        for (Map.Entry<String, Double> e : loss.terms().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw new NonFiniteValueException(step, "BA-LoRA term " + e.getKey(), e.getValue(), where
                        + ", λ = " + loss.lambdas().get(e.getKey()));
            }
        }
        if (!Double.isFinite(total)) {
            throw new NonFiniteValueException(step, "total", total, where);
        }
    }
}
