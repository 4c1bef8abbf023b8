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
        Backend b = k.backend();
        // Four [M, w] buffers, recycled as their contents die (62 MB each at NLG size).
        Storage a = k.allocate(n);
        Storage logq = k.allocate(n);
        Storage logp = k.allocate(n);
        Storage c = k.allocate(n);
        b.softmax(k.scaledInto(student.storage(), n, 1.0 / t, a), null, 1, 1, false, 1, 0, logq, m, w, true);
        b.softmax(k.scaledInto(teacher.storage(), n, 1.0 / t, a), null, 1, 1, false, 1, 0, logp, m, w, true);
        Storage p = k.mapInto(UnaryOp.EXP, logp, n, a);
        k.zipInto(BinaryOp.SUB, logp, logq, m, w, c);
        Storage kl = k.zipInto(BinaryOp.MUL, p, c, m, w, logp); // p·(log p − log q); log p is dead
        // Forward: T²/M · Σ p (log p − log q), by rows first and then the M row sums (a one-address full
        // reduction is the slow case of a device sumInto), kept on the device as the output element.
        Storage value = k.scaled(k.total(k.rowSums(kl, m, w), m), 1, t * t / m);
        // Backward: (T/M)(q − p).
        Storage q = k.mapInto(UnaryOp.EXP, logq, n, c);
        Storage grad = k.scaledInto(k.zipInto(BinaryOp.SUB, q, p, m, w, logq), n, t / m, kl);
        return RegularizerSupport.withGradient(name(), student, new Tensor(student.backend(), value), grad);
    }
}
