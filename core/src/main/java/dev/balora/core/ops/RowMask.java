package dev.balora.core.ops;

import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * How a row-wise softmax is masked: an optional additive mask whose row {@code (r / div) % mod} applies to input
 * row r, and optional causal masking (column c of row r hidden when {@code c > r % causalRows + causalOffset}).
 * Masks are constants: no gradient flows into them.
 *
 * @param additive     [M, cols] additive mask (0 keep, large negative drop) or null
 * @param div          rows of input per mask row
 * @param mod          mask rows (after division)
 * @param causal       whether to apply causal masking
 * @param causalRows   query length (rows repeat every causalRows)
 * @param causalOffset key positions before the first query (KV cache length)
 */
public record RowMask(Tensor additive, int div, int mod, boolean causal, int causalRows, int causalOffset) {
    /** No masking. */
    public static final RowMask NONE = new RowMask(null, 1, 1, false, 1, 0);

    /**
     * A padding mask for attention scores [N, H, Tq, Tk] from a 0/1 key mask [N, Tk] converted to additive
     * (0 where 1, −1e9... use {@link #additiveFromKeep}).
     */
    public static RowMask padding(Tensor additiveNxTk, int heads, int queryLen) {
        if (additiveNxTk.rank() != 2) {
            throw new ShapeMismatchException("RowMask.padding: mask must be [N, Tk], got " + Arrays.toString(additiveNxTk.shape()));
        }
        return new RowMask(additiveNxTk, heads * queryLen, additiveNxTk.dim(0), false, 1, 0);
    }

    /** Causal masking for [.., Tq, Tk] scores where queries are the last Tq of Tk positions. */
    public static RowMask causal(int queryLen, int keyLen) {
        return new RowMask(null, 1, 1, true, queryLen, keyLen - queryLen);
    }

    /** This mask plus causal masking. */
    public RowMask withCausal(int queryLen, int keyLen) {
        return new RowMask(additive, div, mod, true, queryLen, keyLen - queryLen);
    }

    /** Converts a 0/1 keep mask to an additive mask (0 keep, −1e9 drop) with the tensor's backend and dtype. */
    public static Tensor additiveFromKeep(Tensor keep) {
        double[] k = keep.toDoubleArray();
        double[] d = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            d[i] = k[i] != 0 ? 0.0 : -1e9;
        }
        return Constants.like(keep, d, keep.shape());
    }
}
