package dev.balora.core.optim;

import dev.balora.core.backend.Backend;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with PyTorch semantics (decoupled weight decay applied before the moment update, bias correction,
 * eps added after the square root). Defaults: β = (0.9, 0.999), eps 1e-8, weight decay 0.01.
 */
public final class AdamW implements Optimizer {
    private final List<Tensor> params;
    private final List<Storage> m = new ArrayList<>();
    private final List<Storage> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    public AdamW(List<Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Tensor p : this.params) {
            m.add(p.backend().allocate(p.dtype(), p.numel()));
            v.add(p.backend().allocate(p.dtype(), p.numel()));
        }
    }

    /** AdamW with PyTorch's defaults. */
    public AdamW(List<Tensor> params) {
        this(params, 0.9, 0.999, 1e-8, 0.01);
    }

    @Override
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        // Parameters with a gradient, grouped by backend, one multi-tensor call per backend (one launch on a GPU).
        Map<Backend, List<Integer>> byBackend = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).grad() != null) {
                byBackend.computeIfAbsent(params.get(i).backend(), b -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Backend, List<Integer>> e : byBackend.entrySet()) {
            List<Integer> idx = e.getValue();
            int k = idx.size();
            Storage[] ps = new Storage[k];
            Storage[] gs = new Storage[k];
            Storage[] ms = new Storage[k];
            Storage[] vs = new Storage[k];
            long[] ns = new long[k];
            for (int j = 0; j < k; j++) {
                Tensor p = params.get(idx.get(j));
                ps[j] = p.storage();
                gs[j] = p.grad().storage();
                ms[j] = m.get(idx.get(j));
                vs[j] = v.get(idx.get(j));
                ns[j] = p.numel();
            }
            e.getKey().adamW(ps, gs, ms, vs, ns, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
        }
    }

    @Override
    public List<Tensor> parameters() {
        return params;
    }

    /** @return the number of steps taken (for checkpoints). */
    public long stepCount() {
        return step;
    }

    /** Restores the step count (for checkpoints). */
    public void setStepCount(long s) {
        step = s;
    }

    /** @return first-moment storage of parameter i (for checkpoints). */
    public Storage firstMoment(int i) {
        return m.get(i);
    }

    /** @return second-moment storage of parameter i (for checkpoints). */
    public Storage secondMoment(int i) {
        return v.get(i);
    }
}
