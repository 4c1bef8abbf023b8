package dev.balora.core.lora;

import dev.balora.core.nn.Module;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * BA-LoRA's teacher (SPEC §2): the original pre-trained model, computed by the same modules with every adapter at its
 * initial value ({@link AdapterMode#INITIAL}: W_res + s·B₀·A₀ = W) — or with W_res alone for
 * {@code teacher = residual} — in eval mode and under no-grad, so no second copy of W exists.
 *
 * <p>Because the teacher is frozen and deterministic in eval mode, its output rows are a pure function of the
 * example: with the cache on, each example's row is computed once and reused in later epochs.
 */
public final class Teacher {
    /** Which function the teacher computes. */
    public enum Kind { ORIGINAL, RESIDUAL }

    private final Module model;
    private final Kind kind;
    private final boolean cache;
    private final Map<Long, double[]> rows = new HashMap<>();
    /** A computed teacher output: cached rows are rebuilt on its backend and dtype. */
    private Tensor template;
    private long hits;
    private long misses;

    public Teacher(Module model, Kind kind, boolean cache) {
        this.model = model;
        this.kind = kind;
        this.cache = cache;
    }

    /**
     * @param forward    computes the regularization target [N, w] of the current batch with the model as it is set up
     * @param exampleIds N stable ids of the batch's examples (cache keys), or null to bypass the cache
     * @return Z_P [N, w], no gradient
     */
    public Tensor outputs(Supplier<Tensor> forward, long[] exampleIds) {
        if (cache && exampleIds != null && allCached(exampleIds)) {
            hits += exampleIds.length;
            return assemble(exampleIds);
        }
        boolean wasTraining = model.isTraining();
        LoraInjector.setMode(model, kind == Kind.ORIGINAL ? AdapterMode.INITIAL : AdapterMode.RESIDUAL);
        model.eval();
        Tensor z;
        try (NoGrad ignored = NoGrad.enter()) {
            z = forward.get().detach();
        } finally {
            LoraInjector.setMode(model, AdapterMode.ADAPTED);
            if (wasTraining) {
                model.train();
            }
        }
        if (cache && exampleIds != null) {
            misses += exampleIds.length;
            template = z;
            double[] all = z.toDoubleArray();
            int w = z.dim(-1);
            for (int i = 0; i < exampleIds.length; i++) {
                double[] row = new double[w];
                System.arraycopy(all, i * w, row, 0, w);
                rows.put(exampleIds[i], row);
            }
        }
        return z;
    }

    private boolean allCached(long[] ids) {
        for (long id : ids) {
            if (!rows.containsKey(id)) {
                return false;
            }
        }
        return true;
    }

    private Tensor assemble(long[] ids) {
        int w = rows.get(ids[0]).length;
        double[] all = new double[ids.length * w];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(rows.get(ids[i]), 0, all, i * w, w);
        }
        return Constants.like(template, all, ids.length, w);
    }

    /** @return examples served from the cache */
    public long cacheHits() {
        return hits;
    }

    /** @return examples computed by a forward pass and cached */
    public long cacheMisses() {
        return misses;
    }
}
