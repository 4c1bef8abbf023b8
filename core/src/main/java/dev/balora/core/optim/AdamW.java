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
 *
 * <p>Parameter groups: each parameter may carry a learning-rate scale, so that {@code step(lr)} updates it with
 * {@code lr · scale} (PyTorch's param groups under one schedule, e.g. a classification head with its own peak lr).
 * A scale of exactly 1 multiplies to the same bits, so a run without groups is unchanged.
 */
public final class AdamW implements Optimizer {
    private final List<Tensor> params;
    private final List<Storage> m = new ArrayList<>();
    private final List<Storage> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final double[] lrScales;
    private long step;

    public AdamW(List<Tensor> params, double beta1, double beta2, double eps, double weightDecay) {
        this(params, beta1, beta2, eps, weightDecay, null);
    }

    /**
     * @param lrScales per parameter (in the order of {@code params}), the factor applied to the step's learning rate;
     *                 null for 1 everywhere
     * @throws IllegalArgumentException when the scales do not match the parameters or one is not finite and &gt; 0
     */
    public AdamW(List<Tensor> params, double beta1, double beta2, double eps, double weightDecay, double[] lrScales) {
        this.params = List.copyOf(params);
        if (lrScales != null) {
            if (lrScales.length != this.params.size()) {
                throw new IllegalArgumentException("AdamW: " + lrScales.length + " lr scales for " + this.params.size()
                        + " parameters");
            }
            for (double v : lrScales) {
                if (!(v > 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("AdamW: an lr scale must be finite and > 0, got " + v);
                }
            }
        }
        this.lrScales = lrScales == null ? null : lrScales.clone();
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
            // one multi-tensor call per learning-rate group (the head's own lr, the adapters'), in parameter order
            Map<Double, List<Integer>> byScale = new LinkedHashMap<>();
            for (int i : e.getValue()) {
                byScale.computeIfAbsent(lrScale(i), s -> new ArrayList<>()).add(i);
            }
            for (Map.Entry<Double, List<Integer>> g : byScale.entrySet()) {
                List<Integer> idx = g.getValue();
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
                double groupLr = lrScales == null ? lr : lr * g.getKey();
                e.getKey().adamW(ps, gs, ms, vs, ns, groupLr, beta1, beta2, eps, weightDecay, bc1, bc2);
            }
        }
    }

    /** @return the lr scale of parameter i (1 without groups) */
    public double lrScale(int i) {
        return lrScales == null ? 1.0 : lrScales[i];
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
