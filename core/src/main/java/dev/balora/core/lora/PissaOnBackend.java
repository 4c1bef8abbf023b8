package dev.balora.core.lora;

import dev.balora.core.backend.Backend;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * PiSSA initialisation computed on the weight's own backend (SPEC §1): the Gram matrix of the smaller side, its
 * eigendecomposition through {@link Backend#symmetricEigen} (cuSOLVER on the CUDA backend), and A, B and
 * {@code W_res = W − s·B·A} as GEMMs, so a weight that lives on a device never travels to the host. Only the
 * min(in, out) eigenvalues and the r leading eigenvectors (r·min(in, out) numbers) cross to the host, to be put in
 * descending order and scaled.
 *
 * <p>With σ_i² the eigenvalues and v_i (or u_i) the unit eigenvectors of WᵀW (or WWᵀ), in descending order:
 * <ul>
 *   <li>in ≤ out (Gram WᵀW, [in, in]): {@code A[i,:] = √(σ_i/s)·v_i}, {@code B = W·V'ᵀ} with
 *       {@code V'[i,:] = v_i/√(s·σ_i)} (so that {@code B[:,i] = √(σ_i/s)·u_i}, u_i = W·v_i/σ_i);</li>
 *   <li>out &lt; in (Gram WWᵀ, [out, out]): {@code B[:,i] = √(σ_i/s)·u_i}, {@code A = U'·W} with
 *       {@code U'[i,:] = u_i/√(s·σ_i)}.</li>
 * </ul>
 * Host backends keep the float64 route of {@link LoraLinear} (exact to 1e-10 against PyTorch); this one works in the
 * weight's dtype, so float32 weights get float32 Gram precision, which resolves the leading r singular triplets of
 * real weights (σ_r far above √ε·σ₁) but not the tail.
 */
final class PissaOnBackend {
    private PissaOnBackend() {}

    /**
     * @param w       W [out, in] on any backend
     * @param r       rank, 1 ≤ r ≤ min(in, out)
     * @param scaling s = α/r
     * @return {A [r, in], B [out, r], W_res [out, in]} on w's backend and dtype
     * @throws IllegalArgumentException when W has fewer than r singular values the Gram route can resolve
     */
    static Tensor[] init(Tensor w, int r, double scaling) {
        int out = w.dim(0);
        int in = w.dim(1);
        Backend be = w.backend();
        DType dt = w.dtype();
        boolean gramOfColumns = in <= out; // WᵀW when W is tall, WWᵀ when it is wide: the smaller Gram
        int n = gramOfColumns ? in : out;
        Storage gram = be.allocate(dt, (long) n * n);
        if (gramOfColumns) {
            be.gemm(true, false, 1, in, in, out, 1.0, w.storage(), 0, 0, w.storage(), 0, 0, 0.0, gram, 0, 0);
        } else {
            be.gemm(false, true, 1, out, out, in, 1.0, w.storage(), 0, 0, w.storage(), 0, 0, 0.0, gram, 0, 0);
        }
        Storage values = be.allocate(dt, n);
        Storage vectors = be.allocate(dt, (long) n * n);
        be.symmetricEigen(gram, n, values, vectors);

        double[] lambda = be.toDoubleArray(values);
        // The r leading eigenvectors are the last r rows (ascending order): only they come to the host.
        Storage top = be.allocate(dt, (long) r * n);
        be.copyStrided(vectors, (long) (n - r) * n, new long[] {n, 1}, top, 0, new long[] {n, 1}, new int[] {r, n});
        double[] leading = be.toDoubleArray(top); // row k = eigenvector of the (r−k)-th largest eigenvalue
        // The Gram route resolves σ only down to ≈ √ε·σ₁ (eigenvalues carry an absolute error ≈ ε·σ₁²).
        double epsilon = dt == DType.F64 ? 0x1p-52 : 0x1p-23;
        double floor = 10 * Math.sqrt(epsilon * n) * Math.sqrt(Math.max(lambda[n - 1], 0.0));
        double[] root = new double[r];        // √(σ_i/s)
        double[] inverse = new double[r];     // 1/√(s·σ_i)
        double[] direct = new double[r * n];  // rows √(σ_i/s)·e_i, descending
        double[] other = new double[r * n];   // rows e_i/√(s·σ_i), descending
        for (int i = 0; i < r; i++) {
            int src = r - 1 - i; // row of `leading` holding the i-th largest
            double sigma = Math.sqrt(Math.max(lambda[n - 1 - i], 0.0));
            if (!(sigma > floor)) {
                throw new IllegalArgumentException("PiSSA init: W [" + out + ", " + in + "] has fewer than r = " + r
                        + " singular values above the " + dt + " Gram route's resolution (σ_" + (i + 1) + " = " + sigma
                        + ", floor " + floor + ")");
            }
            root[i] = Math.sqrt(sigma / scaling);
            inverse[i] = 1.0 / Math.sqrt(scaling * sigma);
            for (int j = 0; j < n; j++) {
                double e = leading[src * n + j];
                direct[i * n + j] = root[i] * e;
                other[i * n + j] = inverse[i] * e;
            }
        }
        Tensor a;
        Tensor b;
        if (gramOfColumns) {
            a = Constants.like(w, direct, r, in);
            Tensor vPrime = Constants.like(w, other, r, in);
            b = new Tensor(be, be.allocate(dt, (long) out * r), out, r);
            be.gemm(false, true, 1, out, r, in, 1.0, w.storage(), 0, 0, vPrime.storage(), 0, 0, 0.0, b.storage(), 0, 0);
        } else {
            double[] bt = new double[out * r]; // B[:, i] = √(σ_i/s)·u_i
            for (int i = 0; i < r; i++) {
                for (int o = 0; o < out; o++) {
                    bt[o * r + i] = direct[i * n + o];
                }
            }
            b = Constants.like(w, bt, out, r);
            Tensor uPrime = Constants.like(w, other, r, out);
            a = new Tensor(be, be.allocate(dt, (long) r * in), r, in);
            be.gemm(false, false, 1, r, in, out, 1.0, uPrime.storage(), 0, 0, w.storage(), 0, 0, 0.0, a.storage(), 0, 0);
        }
        Storage res = be.allocate(dt, (long) out * in);
        be.copyStrided(w.storage(), 0, new long[] {in, 1}, res, 0, new long[] {in, 1}, new int[] {out, in});
        be.gemm(false, false, 1, out, in, r, -scaling, b.storage(), 0, 0, a.storage(), 0, 0, 1.0, res, 0, 0);
        return new Tensor[] {a, b, new Tensor(be, res, out, in)};
    }
}
