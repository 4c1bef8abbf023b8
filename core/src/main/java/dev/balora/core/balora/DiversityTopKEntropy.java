package dev.balora.core.balora;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * Diversity by entropy (SPEC §2.2, NLG default): per row, softmax over the row's K largest values only,
 * {@code L = −(1/M)·Σ H(p')}; per row {@code ∂L/∂z_j = (1/M)·p'_j·(log p'_j + H)} on the K chosen entries, 0
 * elsewhere. K = 0 means the full row. The sign is minus entropy: minimising L raises entropy. Ties at the K-th
 * value are broken by the lower column index.
 *
 * <p>Runs on the student's backend: {@link dev.balora.core.backend.Backend#rowTopKMask} builds an additive mask
 * (0 on the K chosen, {@value #OUTSIDE} elsewhere) that the masked row log-softmax uses; off the selection
 * {@code log p' = −1e30} is finite and {@code p' = 0} exactly, so {@code p'·log p'} and the gradient are exactly 0
 * there without any branching. The value is summed to one element on the device and becomes the output.
 */
public final class DiversityTopKEntropy implements Regularizer {
    /** The mask value off the top K: far below any logit, yet finite so that 0·log p' stays 0 (not NaN). */
    static final double OUTSIDE = -1e30;

    private final int k;

    /** @param k the number of largest logits per row (20 in the ICLR 2026 code); 0 = the full row */
    public DiversityTopKEntropy(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topk_entropy: K must be >= 0, got " + k);
        }
        this.k = k;
    }

    @Override
    public String name() {
        return "diversity_topk_entropy";
    }

    /** @param student Z [M, w] (logits at valid positions); the teacher is not used */
    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        int m = student.dim(0);
        int w = student.dim(1);
        int kk = k == 0 || k > w ? w : k;
        if (k > w) {
            RegularizerSupport.warnOnce(name() + ":k>w", name() + ": K = " + k + " exceeds the row width " + w
                    + "; using the full row");
        }
        long n = (long) m * w;
        MatrixKernels km = new MatrixKernels(student);
        Storage z = student.storage();
        // Three [M, w] buffers at most, recycled as their contents die (62 MB each at NLG size).
        Storage mask = null;
        if (kk < w) {
            mask = km.allocate(n);
            km.backend().rowTopKMask(z, m, w, kk, OUTSIDE, mask);
        }
        Storage logp = km.allocate(n);
        km.backend().softmax(z, mask, 1, Math.max(m, 1), false, 1, 0, logp, m, w, true);
        Storage p = km.mapInto(UnaryOp.EXP, logp, n, mask != null ? mask : km.allocate(n));
        Storage plogp = km.zipInto(BinaryOp.MUL, p, logp, m, w, km.allocate(n));
        // Forward: (1/M)·Σ p' log p' = −(1/M)·Σ H, summed by rows first (the per-row −H is needed below too).
        Storage negH = km.rowSums(plogp, m, w);
        Storage value = km.scaled(km.total(negH, m), 1, 1.0 / m);
        // Backward: (1/M)·p'·(log p' + H) = (1/M)·(p' log p' − p'·(−H)).
        Storage pNegH = km.withRowVectorInto(BinaryOp.MUL, p, negH, m, w, logp);
        Storage grad = km.scaledInto(km.zipInto(BinaryOp.SUB, plogp, pNegH, m, w, p), n, 1.0 / m, plogp);
        return RegularizerSupport.withGradient(name(), student, new Tensor(student.backend(), value), grad);
    }
}
