package dev.balora.core.ops;

import dev.balora.core.backend.Backend;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/** Shared checks and allocation for op implementations. */
final class OpSupport {
    private OpSupport() {}

    /**
     * A new tensor on the backend of {@code like} whose every element the caller's kernel overwrites: on a device its
     * memory is not cleared first ({@link Backend#allocateForOverwrite}); use {@link #zeros} for outputs that a
     * kernel accumulates into.
     */
    static Tensor empty(Tensor like, int... shape) {
        return empty(like.backend(), like.dtype(), shape);
    }

    static Tensor empty(Backend b, DType dtype, int... shape) {
        return new Tensor(b, b.allocateForOverwrite(dtype, Shapes.numel(shape)), shape);
    }

    /** A new zero-filled tensor on the backend of {@code like} (for kernels that accumulate into their output). */
    static Tensor zeros(Tensor like, int... shape) {
        Backend b = like.backend();
        return new Tensor(b, b.allocate(like.dtype(), Shapes.numel(shape)), shape);
    }

    /** All tensors must share backend and dtype; the message names the op. */
    static void sameKind(String op, Tensor... ts) {
        Tensor first = null;
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t;
                continue;
            }
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException(op + ": mixed dtypes " + first.dtype() + " and " + t.dtype());
            }
            if (t.backend() != first.backend() && !(t.backend().isHost() && first.backend().isHost())) {
                throw new IllegalArgumentException(op + ": tensors on different backends " + first.backend().name()
                        + " and " + t.backend().name());
            }
        }
    }

    static void requireRank(String op, Tensor t, int minRank) {
        if (t.rank() < minRank) {
            throw new ShapeMismatchException(op + ": needs rank >= " + minRank + ", got shape " + Arrays.toString(t.shape()));
        }
    }

    static void requireShape(String op, String what, Tensor t, int[] expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw ShapeMismatchException.of(op, what, t.shape(), expected);
        }
    }

    /** Rows = product of all but the last dimension. */
    static int rows(Tensor t) {
        int[] s = t.shape();
        return s.length == 0 ? 1 : Shapes.prod(s, 0, s.length - 1);
    }

    static int lastDim(Tensor t) {
        return t.rank() == 0 ? 1 : t.dim(-1);
    }
}
