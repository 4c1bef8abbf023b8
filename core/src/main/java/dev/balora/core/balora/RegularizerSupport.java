package dev.balora.core.balora;

import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shared plumbing: shape checks, warn-once, and wrapping a host-computed value + gradient as a recorded op. */
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
    }

    /** Logs a degenerate-case warning once per distinct key (per JVM). */
    static void warnOnce(String key, String message) {
        if (WARNED.add(key)) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }

    /** A constant zero scalar on the student's backend (a skipped term). */
    static Tensor zero(Tensor like) {
        return Constants.full(like, 0.0);
    }

    /**
     * Records a scalar loss whose gradient w.r.t. {@code z} was computed together with the value: the backward pass
     * scales {@code grad} by the incoming scalar gradient.
     */
    static Tensor scalarWithGradient(String op, Tensor z, double value, double[] grad) {
        Tensor out = Constants.full(z, value);
        return Autograd.record(op, out, g -> z.accumulateGrad(Constants.like(z, scaled(grad, g.item()), z.shape())), z);
    }

    private static double[] scaled(double[] g, double c) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = g[i] * c;
        }
        return out;
    }
}
