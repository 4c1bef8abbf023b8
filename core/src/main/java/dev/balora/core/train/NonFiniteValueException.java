package dev.balora.core.train;

/**
 * Training stopped because a loss term or a gradient was NaN or infinite. The last checkpoint written before
 * this step is left untouched.
 */
public final class NonFiniteValueException extends RuntimeException {
    private final long step;
    private final String term;
    private final double value;

    /**
     * @param step  the 1-based optimizer step being computed (the {@code step} its metrics line would have had)
     * @param term  "task", the BA-LoRA term's name, "total", or "gradient of &lt;parameter&gt;"
     * @param value the offending value (NaN or ±∞; for a gradient, its sum of squares)
     * @param where extra position facts (epoch, micro-batch) for the message
     */
    public NonFiniteValueException(long step, String term, double value, String where) {
        super("training step " + step + " (" + where + "): " + term + " is " + value
                + "; stopped, the last checkpoint is left as it was");
        this.step = step;
        this.term = term;
        this.value = value;
    }

    /** @return the 1-based optimizer step that failed */
    public long step() {
        return step;
    }

    /** @return what was non-finite: "task", a term name, "total" or "gradient of &lt;parameter&gt;" */
    public String term() {
        return term;
    }

    /** @return the offending value */
    public double value() {
        return value;
    }
}
