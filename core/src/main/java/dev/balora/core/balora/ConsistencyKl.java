package dev.balora.core.balora;

import dev.balora.core.tensor.Tensor;

/**
 * Consistency by distillation (SPEC §2.1, NLG default): {@code L = T²·(1/M)·Σ_rows KL(p‖q)} with
 * {@code p = softmax(Z_P/T)}, {@code q = softmax(Z_F/T)}; gradient {@code ∂L/∂Z_F = (T/M)(q − p)}.
 */
public final class ConsistencyKl implements Regularizer {
    private final double temperature;

    /** @param temperature T &gt; 0 (2 in the ICLR 2026 code) */
    public ConsistencyKl(double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("consistency kl: temperature must be > 0, got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public String name() {
        return "consistency_kl";
    }

    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        RegularizerSupport.requireSameShape(name(), student, teacher);
        int m = student.dim(0);
        int w = student.dim(1);
        double[] zf = student.toDoubleArray();
        double[] zp = teacher.toDoubleArray();
        double[] grad = new double[zf.length];
        double t = temperature;
        double total = 0;
        double[] logq = new double[w];
        double[] logp = new double[w];
        for (int r = 0; r < m; r++) {
            int base = r * w;
            logSoftmax(zf, base, w, t, logq);
            logSoftmax(zp, base, w, t, logp);
            double kl = 0;
            for (int c = 0; c < w; c++) {
                double p = Math.exp(logp[c]);
                if (p > 0) {
                    kl += p * (logp[c] - logq[c]);
                }
                grad[base + c] = (t / m) * (Math.exp(logq[c]) - p);
            }
            total += kl;
        }
        return RegularizerSupport.scalarWithGradient(name(), student, t * t * total / m, grad);
    }

    /** out = log softmax(z[base..base+w) / t), stably. */
    static void logSoftmax(double[] z, int base, int w, double t, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < w; c++) {
            max = Math.max(max, z[base + c] / t);
        }
        double sum = 0;
        for (int c = 0; c < w; c++) {
            sum += Math.exp(z[base + c] / t - max);
        }
        double lse = max + Math.log(sum);
        for (int c = 0; c < w; c++) {
            out[c] = z[base + c] / t - lse;
        }
    }
}
