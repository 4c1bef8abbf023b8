package dev.balora.models.decoder;

/**
 * A right-padded batch for {@link CausalLm#lmForward}: N rows of T positions, row-major.
 *
 * @param ids    N·T input ids (padding uses the pad id)
 * @param labels N·T aligned labels ({@link CausalLm#IGNORE_INDEX} at prompt and padding positions)
 * @param n      rows N
 * @param t      positions T (the longest example)
 */
public record LmBatch(int[] ids, int[] labels, int n, int t) {
    public LmBatch {
        if (ids.length != (long) n * t || labels.length != ids.length) {
            throw new DecoderException("LmBatch: ids " + ids.length + " and labels " + labels.length + " for N·T = " + n
                    + "·" + t);
        }
    }
}
