package dev.balora.models.finetune;

/**
 * A model produced NaN or infinite outputs during evaluation, so no metric computed from them would mean anything:
 * evaluation stops instead of reporting an accuracy over NaN probabilities. With weights and adapters checked
 * when they are loaded (finite values, a scale that fits float32) this points at values that overflow in the
 * forward pass.
 */
public final class NonFiniteOutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param example the index of the first example with a non-finite output
     * @param value   the offending value
     */
    public NonFiniteOutputException(int example, double value) {
        super("evaluation: the model's output for example " + example + " is " + value
                + "; no metrics are reported (its weights or adapter overflow float32)");
    }
}
