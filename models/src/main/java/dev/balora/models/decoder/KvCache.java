package dev.balora.models.decoder;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.List;

/**
 * Keys and values of the positions already processed, one slot per layer, each [N, H_kv, T_past, D]
 * (after RoPE for LLaMA), so that generation feeds only the new tokens. Meant for no-grad inference: the cached
 * tensors are detached.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int batch;
    private int length;

    /** An empty cache for {@code layers} blocks and a batch of {@code batch} sequences. */
    public KvCache(int layers, int batch) {
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        this.batch = batch;
    }

    /** @return the number of positions cached (the position of the next token) */
    public int length() {
        return length;
    }

    /** @return the batch size N this cache was made for */
    public int batch() {
        return batch;
    }

    /**
     * Appends this step's keys and values for one layer and returns the full ones.
     *
     * @param layer the block index
     * @param k     [N, H_kv, T_new, D]
     * @param v     [N, H_kv, T_new, D]
     * @return {keys, values}, each [N, H_kv, T_past + T_new, D]
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        Tensor fullK = keys[layer] == null ? k : Ops.concat(List.of(keys[layer], k), 2);
        Tensor fullV = values[layer] == null ? v : Ops.concat(List.of(values[layer], v), 2);
        keys[layer] = fullK.detach();
        values[layer] = fullV.detach();
        return new Tensor[] {fullK, fullV};
    }

    /** Records that a forward pass over {@code t} new positions finished. */
    void advance(int t) {
        length += t;
    }
}
