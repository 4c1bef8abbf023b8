package dev.balora.core.balora;

import dev.balora.core.tensor.Tensor;

/**
 * Consistency on directions (SPEC §2.1, NLU default): {@code u_i = z_i/‖z_i‖}, {@code t_i = z_P,i/‖z_P,i‖},
 * {@code L = (1/(N·w))·Σ_i ‖u_i − t_i‖²}; gradient {@code ∂L/∂z_i = −(2/(N·w·‖z_i‖))·(I − u_i u_iᵀ)·t_i}.
 * Rows where either norm is zero have no direction: they contribute 0 (with a one-time warning).
 */
public final class ConsistencyCosineMse implements Regularizer {
    @Override
    public String name() {
        return "consistency_cosine_mse";
    }

    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        RegularizerSupport.requireSameShape(name(), student, teacher);
        int n = student.dim(0);
        int w = student.dim(1);
        double[] z = student.toDoubleArray();
        double[] zp = teacher.toDoubleArray();
        double[] grad = new double[z.length];
        double total = 0;
        double scale = 1.0 / ((double) n * w);
        for (int i = 0; i < n; i++) {
            int base = i * w;
            double nz = norm(z, base, w);
            double np = norm(zp, base, w);
            if (nz == 0 || np == 0) {
                RegularizerSupport.warnOnce(name() + ":zero-row", name() + ": a row with zero norm has no direction; "
                        + "it is left out of the consistency term");
                continue;
            }
            double ut = 0;
            for (int c = 0; c < w; c++) {
                double u = z[base + c] / nz;
                double t = zp[base + c] / np;
                total += (u - t) * (u - t);
                ut += u * t;
            }
            double k = -2.0 * scale / nz;
            for (int c = 0; c < w; c++) {
                double u = z[base + c] / nz;
                double t = zp[base + c] / np;
                grad[base + c] = k * (t - u * ut);
            }
        }
        return RegularizerSupport.scalarWithGradient(name(), student, total * scale, grad);
    }

    private static double norm(double[] z, int base, int w) {
        double s = 0;
        for (int c = 0; c < w; c++) {
            s += z[base + c] * z[base + c];
        }
        return Math.sqrt(s);
    }
}
