package dev.balora.kernels.cpu;

import static jdk.incubator.vector.VectorOperators.SQRT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One AdamW step over n contiguous float32 parameters, PyTorch semantics (see
 * {@link dev.balora.core.backend.Backend#adamW}): {@code p ← p·(1 − lr·wd)}, {@code m ← β1·m + (1−β1)·g},
 * {@code v ← β2·v + (1−β2)·g²}, {@code p ← p − (lr/bc1)·m / (√(v/bc2) + eps)}. The scalar coefficients are
 * formed once in double and rounded to float; the per-element math is float32.
 */
final class AdamWKernel {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private AdamWKernel() {}

    static void step(float[] param, float[] grad, float[] m, float[] v, int n, double lr, double beta1, double beta2,
                     double eps, double weightDecay, double bc1, double bc2) {
        Check.fits("adamW", "param", param, n, "n");
        Check.fits("adamW", "grad", grad, n, "n");
        Check.fits("adamW", "m", m, n, "n");
        Check.fits("adamW", "v", v, n, "n");
        float decay = (float) (1 - lr * weightDecay);
        float b1 = (float) beta1;
        float c1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float c2 = (float) (1 - beta2);
        float stepSize = (float) (lr / bc1);
        float invBc2 = (float) (1 / bc2);
        float epsF = (float) eps;
        int parts = Split.parts(4L * n, n / S.length());
        Parallel.forEach(parts, p -> {
            int from = Split.start(n, parts, p);
            int to = Split.start(n, parts, p + 1);
            for (int i = from; i < to; i += S.length()) {
                VectorMask<Float> k = S.indexInRange(i, to);
                FloatVector g = FloatVector.fromArray(S, grad, i, k);
                FloatVector mi = FloatVector.fromArray(S, m, i, k).mul(b1).add(g.mul(c1));
                FloatVector vi = FloatVector.fromArray(S, v, i, k).mul(b2).add(g.mul(g).mul(c2));
                FloatVector denom = vi.mul(invBc2).lanewise(SQRT).add(epsF);
                FloatVector pi = FloatVector.fromArray(S, param, i, k).mul(decay).sub(mi.mul(stepSize).div(denom));
                mi.intoArray(m, i, k);
                vi.intoArray(v, i, k);
                pi.intoArray(param, i, k);
            }
        });
    }
}
