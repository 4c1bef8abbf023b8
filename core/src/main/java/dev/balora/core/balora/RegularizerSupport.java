package dev.balora.core.balora;

import dev.balora.core.backend.BinaryOp;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shared plumbing: shape checks, warn-once, and wrapping a value + gradient computed together as a recorded op. */
final class RegularizerSupport {
    private static final System.Logger LOG = System.getLogger("dev.balora.balora");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private RegularizerSupport() {}

    static void requireMatrix(String op, Tensor z) {
        if (z.rank() != 2) {
            throw new ShapeMismatchException(op + ": regularization target must be [M, w], got " + Arrays.toString(z.shape()));
        }
    }

    static void requireSameShape(String op, Tensor a, Tensor b) {
        if (b == null) {
            throw new IllegalArgumentException(op + ": needs teacher outputs");
        }
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw ShapeMismatchException.of(op, "student and teacher shapes differ:", a.shape(), b.shape());
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": student is " + a.dtype() + " but teacher is " + b.dtype());
        }
        if (a.backend() != b.backend() && !(a.backend().isHost() && b.backend().isHost())) {
            throw new IllegalArgumentException(op + ": student is on backend " + a.backend().name()
                    + " but teacher is on " + b.backend().name());
        }
    }

    /** Logs a degenerate-case warning once per distinct key (per JVM). */
    static void warnOnce(String key, String message) {
        if (WARNED.add(key)) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }

    /**
     * A skipped (degenerate) term: the scalar 0 on the student's backend, recorded like any other term, so that
     * {@code backward()} works on it alone or in a sum and gives {@code like} a zero gradient. Callers need no
     * special case.
     */
    static Tensor zero(String op, Tensor like) {
        return Autograd.record(op, Constants.full(like, 0.0), g -> {
            int n = Math.toIntExact(like.numel());
            like.accumulateGrad(new Tensor(like.backend(), like.backend().allocate(like.dtype(), n), like.shape()));
        }, like);
    }

    /** {@link #withGradient(String, Tensor, Tensor, Storage)} for a value known on the host. */
    static Tensor scalarWithGradient(String op, Tensor z, double value, Storage grad) {
        return withGradient(op, z, Constants.full(z, value), grad);
    }

    /**
     * Records a scalar loss whose gradient w.r.t. {@code z} was computed together with the value, both on z's
     * backend: the backward pass multiplies {@code grad} (z's shape, z's storage kind) by the incoming scalar
     * gradient on the device, so nothing goes to the host.
     *
     * @param value a one-element tensor on z's backend
     */
    static Tensor withGradient(String op, Tensor z, Tensor value, Storage grad) {
        return Autograd.record(op, value, g -> {
            int n = Math.toIntExact(z.numel());
            Storage dz = z.backend().allocate(z.dtype(), n);
            if (g.backend() == z.backend() || (g.backend().isHost() && z.backend().isHost())) {
                z.backend().binary(BinaryOp.MUL, grad, new long[] {1}, g.storage(), new long[] {0}, dz, new int[] {n});
            } else {
                // A seed made on another backend (Tensor.backward() seeds on the active one): one scalar read.
                z.backend().axpby(n, g.item(), grad, 0.0, dz);
            }
            z.accumulateGrad(new Tensor(z.backend(), dz, z.shape()));
        }, z);
    }
}
