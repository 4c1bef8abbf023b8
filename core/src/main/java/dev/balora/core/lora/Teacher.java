package dev.balora.core.lora;

import dev.balora.core.backend.Backend;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.StorageScope;
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
 * example: with the cache on, each example's row is computed once and reused in later epochs. The cache lives where
 * the outputs do (on the GPU for a CUDA model): a hit is one gather on that backend.
 */
public final class Teacher {
    /** Which function the teacher computes. */
    public enum Kind { ORIGINAL, RESIDUAL }

    private final Module model;
    private final Kind kind;
    private final boolean cache;
    /** Row of {@link #table} that holds each cached example's output. */
    private final Map<Long, Integer> slots = new HashMap<>();
    /**
     * Cached outputs [capacity, w] on the backend and dtype of the teacher's outputs (the GPU keeps them on the GPU:
     * a hit is one gather, nothing crosses to the host). Grown by doubling; kept past every {@link StorageScope}.
     */
    private Tensor table;
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
            return gather(exampleIds);
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
            store(z, exampleIds);
        }
        return z;
    }

    private boolean allCached(long[] ids) {
        for (long id : ids) {
            if (!slots.containsKey(id)) {
                return false;
            }
        }
        return true;
    }

    private Tensor gather(long[] ids) {
        int w = table.dim(1);
        int[] rows = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            rows[i] = slots.get(ids[i]);
        }
        Tensor out = new Tensor(table.backend(), table.backend().allocate(table.dtype(), (long) ids.length * w), ids.length, w);
        table.backend().gatherRows(table.storage(), rows, out.storage(), w);
        return out;
    }

    /** Copies the rows of examples not cached yet into free rows of the table (one copy when they are consecutive). */
    private void store(Tensor z, long[] ids) {
        int w = z.dim(-1);
        int n = ids.length;
        int first = slots.size();
        int fresh = 0;
        for (long id : ids) {
            if (!slots.containsKey(id)) {
                fresh++;
            }
        }
        ensureCapacity(z, first + fresh, w);
        Backend b = table.backend();
        boolean allFresh = fresh == n && java.util.Arrays.stream(ids).distinct().count() == n;
        if (allFresh) {
            b.copyStrided(z.storage(), 0, new long[] {1}, table.storage(), (long) first * w, new long[] {1},
                    new int[] {n * w});
        }
        for (int i = 0; i < n; i++) {
            if (slots.containsKey(ids[i])) {
                continue;
            }
            int slot = slots.size();
            slots.put(ids[i], slot);
            if (!allFresh) {
                b.copyStrided(z.storage(), (long) i * w, new long[] {1}, table.storage(), (long) slot * w,
                        new long[] {1}, new int[] {w});
            }
        }
    }

    private void ensureCapacity(Tensor like, int rows, int w) {
        if (table != null && table.dim(0) >= rows) {
            return;
        }
        int capacity = Math.max(rows, table == null ? 256 : 2 * table.dim(0));
        Backend b = like.backend();
        Tensor grown = new Tensor(b, b.allocate(like.dtype(), (long) capacity * w), capacity, w);
        if (table != null) {
            b.copyStrided(table.storage(), 0, new long[] {1}, grown.storage(), 0, new long[] {1},
                    new int[] {slots.size() * w});
            table.storage().release();
        }
        table = StorageScope.keep(grown);
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
