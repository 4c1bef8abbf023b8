package dev.balora.core.balora;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BinaryOp;
import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;

/**
 * Consistency by distillation (SPEC §2.1, NLG default): {@code L = T²·(1/M)·Σ_rows KL(p‖q)} with
 * {@code p = softmax(Z_P/T)}, {@code q = softmax(Z_F/T)}; gradient {@code ∂L/∂Z_F = (T/M)(q − p)}.
 *
 * <p>Runs on the student's backend: two scaled row log-softmaxes, {@code exp}, the element-wise
 * {@code p·(log p − log q)} summed to one element that becomes the output (the value never visits the host).
 * A column where p underflows to 0 contributes {@code 0·(finite) = 0}, PyTorch's {@code kl_div} convention.
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

    /**
     * @param student Z_F [M, w]
     * @param teacher Z_P [M, w], same backend and dtype
     */
    @Override
    public Tensor apply(Tensor student, Tensor teacher) {
        RegularizerSupport.requireMatrix(name(), student);
        RegularizerSupport.requireSameShape(name(), student, teacher);
        int m = student.dim(0);
        int w = student.dim(1);
        long n = (long) m * w;
        double t = temperature;
        MatrixKernels k = new MatrixKernels(student);
        Storage logq = logSoftmax(k, student.storage(), m, w, t);
        Storage logp = logSoftmax(k, teacher.storage(), m, w, t);
        Storage p = k.map(UnaryOp.EXP, logp, n);
        Storage q = k.map(UnaryOp.EXP, logq, n);
        // Forward: T²/M · Σ p (log p − log q), kept on the device as the output element.
        Storage kl = k.zip(BinaryOp.MUL, p, k.zip(BinaryOp.SUB, logp, logq, m, w), m, w);
        Storage value = k.scaled(k.total(kl, n), 1, t * t / m);
        // Backward: (T/M)(q − p).
        Storage grad = k.scaled(k.zip(BinaryOp.SUB, q, p, m, w), n, t / m);
        return RegularizerSupport.withGradient(name(), student, new Tensor(student.backend(), value), grad);
    }

    /** @return log softmax(z / t) row-wise, [m, w] */
    private static Storage logSoftmax(MatrixKernels k, Storage z, int m, int w, double t) {
        long n = (long) m * w;
        Storage scaled = k.scaled(z, n, 1.0 / t);
        Storage out = k.allocate(n);
        Backend b = k.backend();
        b.softmax(scaled, null, 1, 1, false, 1, 0, out, m, w, true);
        return out;
    }
}
