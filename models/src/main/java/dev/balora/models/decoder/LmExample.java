package dev.balora.models.decoder;

/**
 * One causal-LM training sequence with labels aligned to the inputs: {@code labels[i]} is the token that position
 * i should predict, or {@link CausalLm#IGNORE_INDEX} (prompt tokens, padding).
 *
 * @param ids    input ids [T]
 * @param labels aligned labels [T]
 */
public record LmExample(int[] ids, int[] labels) {
    public LmExample {
        if (ids.length != labels.length || ids.length == 0) {
            throw new DecoderException("LmExample: ids (" + ids.length + ") and labels (" + labels.length
                    + ") must have the same non-zero length");
        }
    }

    /** @return the number of positions that carry a label */
    public int labelledPositions() {
        int n = 0;
        for (int l : labels) {
            n += l != CausalLm.IGNORE_INDEX ? 1 : 0;
        }
        return n;
    }
}
