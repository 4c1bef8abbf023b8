package dev.balora.core.lora;

import dev.balora.core.backend.CounterRandom;
import dev.balora.core.linalg.Matrix64;
import dev.balora.core.linalg.RandomizedSvd;
import dev.balora.core.linalg.ThinSvd;
import dev.balora.core.nn.Layer;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Constants;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;

/**
 * A linear layer with a low-rank adapter (SPEC §1): {@code y = x·W_resᵀ + b + s·drop(x)·Aᵀ·Bᵀ}.
 *
 * <p>Parameters keep Hugging Face / PEFT names: {@code weight} (W_res [out, in], frozen), {@code bias} [out],
 * {@code lora_A.weight} [r, in] and {@code lora_B.weight} [out, r]. The initial adapter (A₀, B₀) is kept so the
 * layer can compute the original pre-trained function ({@link AdapterMode#INITIAL}: BA-LoRA's teacher, with no
 * second copy of W) and so a PiSSA adapter can be converted to a plain rank-2r LoRA against the original W.
 * The forward pass goes through the fused {@code lowRankLinear} op: B·A is never formed.
 */
public final class LoraLinear extends Module implements Layer {
    private final int in;
    private final int out;
    private final int r;
    private final double scaling;
    private final double dropout;
    /** Counter-based dropout on the adapter's input: call k after a reseed uses key bits(dropoutSeed, k). */
    private long dropoutSeed;
    private long dropoutCalls;
    private final LoraInit init;
    private Tensor a0;
    private Tensor b0;
    private AdapterMode mode = AdapterMode.ADAPTED;
    private boolean merged;

    /**
     * Wraps {@code base} (its weight becomes W_res after init) with a fresh adapter.
     *
     * @param base the pre-trained layer (not modified; its tensors are shared until init rewrites W_res)
     * @param cfg  rank, α, dropout, init
     * @param seed this layer's seed (Kaiming init, randomized SVD, dropout)
     */
    public LoraLinear(Linear base, LoraConfig cfg, long seed) {
        this.in = base.inFeatures();
        this.out = base.outFeatures();
        this.r = cfg.r();
        if (r > Math.min(in, out)) {
            throw new IllegalArgumentException("LoRA rank " + r + " exceeds min(in, out) = " + Math.min(in, out));
        }
        this.scaling = cfg.scaling();
        this.dropout = cfg.dropout();
        this.dropoutSeed = seed ^ 0x5DEECE66DL;
        this.init = cfg.init();
        Tensor w = base.weight();
        Tensor[] abw = switch (cfg.init()) {
            case LoraInit.Kaiming k -> kaiming(w, seed);
            // The Gram route is exact for the leading r triplets (σ_r ≫ 1e-6·σ₁ in real weights) and twice as fast as Jacobi.
            // On a device backend the decomposition runs there (cuSOLVER), not on a host copy of W.
            case LoraInit.Pissa p -> w.backend().isHost()
                    ? pissa(w, ThinSvd.viaGram(toMatrix(w)))
                    : PissaOnBackend.init(w, r, scaling);
            case LoraInit.PissaRandomized p -> pissa(w, new RandomizedSvd(r, p.oversampling(), p.niter(), seed).decompose(toMatrix(w)));
        };
        registerParameter("weight", abw[2]).requiresGrad(false);
        if (base.bias() != null) {
            registerParameter("bias", base.bias().detach()).requiresGrad(false);
        }
        registerModule("lora_A", new LoraFactor(abw[0]));
        registerModule("lora_B", new LoraFactor(abw[1]));
        snapshotInitial();
    }

    private Tensor[] kaiming(Tensor w, long seed) {
        double bound = 1.0 / Math.sqrt(in);
        Tensor a = Tensor.uniform(w.dtype(), seed, -bound, bound, r, in);
        Tensor b = Constants.full(w, 0.0, out, r);
        return new Tensor[] {onBackendOf(w, a), b, w.detach()};
    }

    /** A = diag(√(σ/s))·Q_rᵀ, B = P_r·diag(√(σ/s)), W_res = W − s·B·A, all computed in float64. */
    private Tensor[] pissa(Tensor w, ThinSvd svd) {
        double[] wd = w.toDoubleArray();
        double[] a = new double[r * in];
        double[] b = new double[out * r];
        for (int i = 0; i < r; i++) {
            double root = Math.sqrt(svd.sigma()[i] / scaling);
            for (int j = 0; j < in; j++) {
                a[i * in + j] = root * svd.v().get(j, i);
            }
            for (int o = 0; o < out; o++) {
                b[o * r + i] = root * svd.u().get(o, i);
            }
        }
        double[] res = wd.clone();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < r; i++) {
                double bs = scaling * b[o * r + i];
                for (int j = 0; j < in; j++) {
                    res[o * in + j] -= bs * a[i * in + j];
                }
            }
        }
        return new Tensor[] {Constants.like(w, a, r, in), Constants.like(w, b, out, r), Constants.like(w, res, out, in)};
    }

    private static Tensor onBackendOf(Tensor like, Tensor t) {
        return Constants.like(like, t.toDoubleArray(), t.shape());
    }

    private static Matrix64 toMatrix(Tensor w) {
        return new Matrix64(w.dim(0), w.dim(1), w.toDoubleArray());
    }

    private void snapshotInitial() {
        a0 = Constants.like(loraA(), loraA().toDoubleArray(), loraA().shape());
        b0 = Constants.like(loraB(), loraB().toDoubleArray(), loraB().shape());
    }

    @Override
    protected void onReseed(long seed) {
        dropoutSeed = seed;
        dropoutCalls = 0;
    }

    // ---- accessors ----------------------------------------------------------------------------------------------

    /** @return A [r, in] */
    public Tensor loraA() {
        return ((LoraFactor) child("lora_A")).weight();
    }

    /** @return B [out, r] */
    public Tensor loraB() {
        return ((LoraFactor) child("lora_B")).weight();
    }

    /** @return W_res [out, in] (or the merged weight while {@link #isMerged()}) */
    public Tensor weight() {
        return localParameters().get("weight");
    }

    /** @return bias [out] or null */
    public Tensor bias() {
        return localParameters().get("bias");
    }

    /** @return A₀ [r, in], the adapter as initialised */
    public Tensor initialA() {
        return a0;
    }

    /** @return B₀ [out, r], the adapter as initialised */
    public Tensor initialB() {
        return b0;
    }

    public int rank() {
        return r;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /** @return s */
    public double scaling() {
        return scaling;
    }

    public LoraInit init() {
        return init;
    }

    /** Selects which weights forward uses (the teacher switches to INITIAL or RESIDUAL under no-grad). */
    public void setMode(AdapterMode m) {
        this.mode = m;
    }

    public AdapterMode mode() {
        return mode;
    }

    public boolean isMerged() {
        return merged;
    }

    /** Replaces A and B (e.g. from a saved adapter); shapes must match. */
    public void setAdapter(Tensor a, Tensor b) {
        ((LoraFactor) child("lora_A")).set(a);
        ((LoraFactor) child("lora_B")).set(b);
    }

    // ---- forward ------------------------------------------------------------------------------------------------

    /** @param x [..., in] @return [..., out] */
    @Override
    public Tensor forward(Tensor x) {
        if (merged) {
            if (mode != AdapterMode.ADAPTED) {
                throw new IllegalStateException("teacher modes need the unmerged layer: call unmerge() first");
            }
            return linear(x, weight());
        }
        return switch (mode) {
            case RESIDUAL -> linear(x, weight());
            case INITIAL -> Ops.lowRankLinear(x, weight(), bias(), a0, b0, scaling);
            case ADAPTED -> {
                if (dropout > 0 && isTraining()) {
                    Tensor h = Ops.matmul(Ops.dropout(x, dropout, CounterRandom.bits(dropoutSeed, dropoutCalls++)), loraA(), false, true);
                    Tensor base = linear(x, weight());
                    Tensor hb = Ops.matmul(h, loraB(), false, true);
                    Tensor scaled = Ops.scale(hb, scaling);
                    Tensor y = Ops.add(base, scaled);
                    // Read by no backward (add and scale need no inputs; the products need x, the dropped x and h):
                    // device memory back now, not when the step ends (a no-op on the host).
                    base.storage().release();
                    hb.storage().release();
                    scaled.storage().release();
                    yield y;
                }
                yield Ops.lowRankLinear(x, weight(), bias(), loraA(), loraB(), scaling);
            }
        };
    }

    private Tensor linear(Tensor x, Tensor w) {
        Tensor y = Ops.matmul(x, w, false, true);
        if (bias() == null) {
            return y;
        }
        Tensor biased = Ops.add(y, bias());
        y.storage().release(); // read by no backward (the product's needs x and w)
        return biased;
    }

    // ---- merge / unmerge / conversion ---------------------------------------------------------------------------

    /** W ← W_res + s·B·A in float32; forward then uses the plain weight. */
    public void merge() {
        if (merged) {
            return;
        }
        addScaledProduct(scaling);
        merged = true;
    }

    /** Restores W_res = W − s·B·A. */
    public void unmerge() {
        if (!merged) {
            return;
        }
        addScaledProduct(-scaling);
        merged = false;
    }

    private void addScaledProduct(double c) {
        try (NoGrad ignored = NoGrad.enter()) {
            Tensor ba = Ops.matmul(loraB(), loraA());
            weight().backend().axpby(weight().numel(), c, ba.storage(), 1.0, weight().storage());
        }
    }

    /** @return a copy of the effective weight W_res + s·B·A [out, in] (without changing the layer) */
    public Tensor mergedWeight() {
        try (NoGrad ignored = NoGrad.enter()) {
            if (merged) {
                return Constants.like(weight(), weight().toDoubleArray(), out, in);
            }
            Tensor w = Constants.like(weight(), weight().toDoubleArray(), out, in);
            Tensor ba = Ops.matmul(loraB(), loraA());
            w.backend().axpby(w.numel(), scaling, ba.storage(), 1.0, w.storage());
            return w;
        }
    }

    /**
     * PiSSA → plain LoRA (SPEC §1.4): {@code ΔW = s(BA − B₀A₀) = s·[B | B₀]·[A ; −A₀]}, a rank-2r adapter against the
     * original W. Save it with r' = 2r and α' = 2α (√2·α with rsLoRA) so its scaling stays s.
     *
     * @return {A' [2r, in], B' [out, 2r]}
     */
    public Tensor[] toPlainLoraRank2r() {
        try (NoGrad ignored = NoGrad.enter()) {
            Tensor aPrime = Ops.concat(java.util.List.of(loraA().detach(), Ops.scale(a0, -1.0)), 0);
            Tensor bPrime = Ops.concat(java.util.List.of(loraB().detach(), b0), 1);
            return new Tensor[] {aPrime, bPrime};
        }
    }

    /** @return whether the layer holds float64 weights (gradient checks). */
    public boolean isFloat64() {
        return weight().dtype() == DType.F64;
    }
}
