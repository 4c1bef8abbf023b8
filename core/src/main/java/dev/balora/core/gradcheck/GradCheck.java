package dev.balora.core.gradcheck;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.function.Supplier;

/**
 * Float64 central-difference gradient check. For a scalar function f of some leaf tensors, compares the autograd
 * gradient {@code a} with {@code n = (f(x+h) − f(x−h)) / 2h} element by element and passes when
 * {@code |a−n| / (|a|+|n|) ≤ tol} or {@code |a−n| ≤ absFloor} (the brief's rule: tol 1e-5, floor 1e-6).
 */
public final class GradCheck {
    /** Relative tolerance of the brief. */
    public static final double REL_TOL = 1e-5;
    /** Absolute floor below which differences are ignored. */
    public static final double ABS_FLOOR = 1e-6;
    private static final double STEP = 1e-6;

    private GradCheck() {}

    /** The outcome: the worst element and a readable description. */
    public record Result(boolean passed, double worstRelError, String worst) {}

    /**
     * @param f      recomputes the scalar loss from the current values of {@code inputs} (called many times)
     * @param inputs float64 host leaf tensors that require gradients; their elements are perturbed in place
     */
    public static Result check(Supplier<Tensor> f, List<Tensor> inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.F64 || !(t.storage() instanceof HostStorage)) {
                throw new IllegalArgumentException("gradcheck needs float64 host tensors, got " + t);
            }
            t.zeroGrad();
        }
        Tensor loss = f.get();
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("gradcheck: f must return a scalar, got " + loss);
        }
        loss.backward();
        double worst = 0;
        String worstWhere = "none";
        boolean passed = true;
        for (int ti = 0; ti < inputs.size(); ti++) {
            Tensor t = inputs.get(ti);
            double[] data = ((HostStorage) t.storage()).f64();
            double[] analytic = t.grad() == null ? new double[data.length] : t.grad().toDoubleArray();
            for (int i = 0; i < data.length; i++) {
                double orig = data[i];
                double h = STEP * Math.max(1.0, Math.abs(orig));
                double plus;
                double minus;
                try (NoGrad ignored = NoGrad.enter()) {
                    data[i] = orig + h;
                    plus = f.get().item();
                    data[i] = orig - h;
                    minus = f.get().item();
                } finally {
                    data[i] = orig;
                }
                double numeric = (plus - minus) / (2 * h);
                double a = analytic[i];
                double diff = Math.abs(a - numeric);
                double rel = diff / Math.max(Math.abs(a) + Math.abs(numeric), 1e-300);
                boolean ok = diff <= ABS_FLOOR || rel <= REL_TOL;
                if (!ok) {
                    passed = false;
                }
                if (!ok && rel > worst || worstWhere.equals("none") && !ok) {
                    worst = rel;
                    worstWhere = "input " + ti + " element " + i + ": autograd " + a + " vs numeric " + numeric;
                }
            }
        }
        return new Result(passed, worst, worstWhere);
    }
}
