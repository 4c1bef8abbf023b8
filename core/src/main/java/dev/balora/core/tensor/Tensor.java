package dev.balora.core.tensor;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.Backends;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A dense, row-major, contiguous n-dimensional array on one backend, with an autograd slot.
 *
 * <p>Tensors are immutable in shape; their elements are only written by the op that creates them (and by
 * optimizers on parameters). Views exist only where they are free: {@link #reshape} shares storage; everything
 * else (permute, slice, concat) is an explicit copying op.
 *
 * <p>Autograd: a tensor that {@link #requiresGrad()} and was produced by an op carries the {@link Node} that made
 * it; {@link #backward()} walks those nodes in reverse topological order. Only parameters require gradients by
 * default ({@link #requiresGrad(boolean)}).
 */
public final class Tensor {
    private final int[] shape;
    private final Storage storage;
    private final Backend backend;
    private boolean requiresGrad;
    private Tensor grad;
    Node node;

    /** Wraps existing storage; {@code storage.size()} must equal the shape's element count. */
    public Tensor(Backend backend, Storage storage, int... shape) {
        long n = Shapes.numel(shape);
        if (n != storage.size()) {
            throw new ShapeMismatchException("tensor: shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but storage has " + storage.size());
        }
        this.backend = backend;
        this.storage = storage;
        this.shape = shape.clone();
    }

    // ---- factories ----------------------------------------------------------------------------------------------

    /** A float32 tensor holding a copy of {@code data}, on the active backend. */
    public static Tensor of(float[] data, int... shape) {
        Backend b = Backends.active();
        return new Tensor(b, b.fromHost(data), shape);
    }

    /** A float64 tensor holding a copy of {@code data}, on the active backend (float64 is for gradient checks). */
    public static Tensor of(double[] data, int... shape) {
        Backend b = Backends.active();
        return new Tensor(b, b.fromHost(data), shape);
    }

    /** A zero-filled tensor. */
    public static Tensor zeros(DType dtype, int... shape) {
        Backend b = Backends.active();
        return new Tensor(b, b.allocate(dtype, Shapes.numel(shape)), shape);
    }

    /** A float32 zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        t.backend.fill(t.storage, value);
        return t;
    }

    /** A scalar (shape {@code []}). */
    public static Tensor scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** Gaussian N(0, std²) entries from a seeded generator. */
    public static Tensor randn(DType dtype, long seed, double std, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Math.toIntExact(Shapes.numel(shape));
        if (dtype == DType.F64) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = gaussian(r) * std;
            }
            return of(d, shape);
        }
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (gaussian(r) * std);
        }
        return of(f, shape);
    }

    /** Uniform U(lo, hi) entries from a seeded generator. */
    public static Tensor uniform(DType dtype, long seed, double lo, double hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = Math.toIntExact(Shapes.numel(shape));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = lo + (hi - lo) * r.nextDouble();
        }
        return dtype == DType.F64 ? of(d, shape) : of(toFloats(d), shape);
    }

    /** Box–Muller on a {@link SplittableRandom} (which has no nextGaussian before Java 17's RandomGenerator default). */
    public static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    // ---- facts --------------------------------------------------------------------------------------------------

    /** @return a copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** @return the size of dimension {@code d} (negative counts from the end). */
    public int dim(int d) {
        return shape[Shapes.dim("dim", d, shape.length)];
    }

    /** @return the number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** @return the number of elements. */
    public long numel() {
        return storage.size();
    }

    /** @return the element type. */
    public DType dtype() {
        return storage.dtype();
    }

    /** @return the storage (for backends and ops). */
    public Storage storage() {
        return storage;
    }

    /** @return the backend that owns the storage. */
    public Backend backend() {
        return backend;
    }

    /** @return a copy of the elements as floats. */
    public float[] toFloatArray() {
        return backend.toFloatArray(storage);
    }

    /** @return a copy of the elements as doubles. */
    public double[] toDoubleArray() {
        return backend.toDoubleArray(storage);
    }

    /** @return the single element of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new ShapeMismatchException("item: tensor of shape " + Arrays.toString(shape) + " is not a scalar");
        }
        return toDoubleArray()[0];
    }

    // ---- views --------------------------------------------------------------------------------------------------

    /** A view with a new shape over the same storage (one dimension may be −1). Differentiable. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeMismatchException("reshape: more than one -1 in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0) {
                throw ShapeMismatchException.of("reshape", "cannot infer -1 for", shape, newShape);
            }
            s[infer] = (int) (numel() / known);
        }
        if (Shapes.numel(s) != numel()) {
            throw ShapeMismatchException.of("reshape", "element counts differ:", shape, s);
        }
        Tensor out = new Tensor(backend, storage, s);
        int[] original = shape;
        return Autograd.record("reshape", out, g -> accumulateGrad(g.reshape(original)), this);
    }

    /** A tensor sharing storage but cut from the graph (no gradient flows back). */
    public Tensor detach() {
        return new Tensor(backend, storage, shape);
    }

    // ---- autograd -----------------------------------------------------------------------------------------------

    /** @return whether gradients are tracked for this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter) as requiring gradients; returns this. */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /** @return the accumulated gradient, or null. */
    public Tensor grad() {
        return grad;
    }

    /** Clears the gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** @return true when this tensor was created by the user (not by a recorded op). */
    public boolean isLeaf() {
        return node == null;
    }

    /** @return the autograd node that produced this tensor, or null for leaves. */
    public Node node() {
        return node;
    }

    /**
     * As {@link #accumulateGrad}, for a gradient tensor that the caller just allocated and nobody else references: a
     * leaf without a gradient yet takes it as its gradient instead of copying it (one allocation and one kernel less
     * per parameter and step). Passing a tensor that shares storage with anything else is a bug: later
     * accumulations write into it.
     */
    public void accumulateOwnedGrad(Tensor g) {
        if (grad == null && isLeaf() && Arrays.equals(g.shape, shape)) {
            grad = g.detach();
            return;
        }
        accumulateGrad(g);
    }

    /**
     * Adds {@code g} to this tensor's gradient. A leaf's first gradient is copied so that later in-place
     * accumulation or clipping never writes into a tensor shared with another gradient.
     */
    public void accumulateGrad(Tensor g) {
        if (!Arrays.equals(g.shape, shape)) {
            throw ShapeMismatchException.of("accumulateGrad", "gradient shape differs from tensor shape:", g.shape, shape);
        }
        if (grad == null) {
            if (isLeaf()) {
                Tensor copy = new Tensor(backend, backend.allocateForOverwrite(dtype(), numel()), shape);
                backend.axpby(numel(), 1.0, g.storage, 0.0, copy.storage);
                grad = copy;
            } else {
                grad = g.detach();
            }
        } else if (isLeaf()) {
            backend.axpby(numel(), 1.0, g.storage, 1.0, grad.storage);
        } else {
            Tensor sum = new Tensor(backend, backend.allocateForOverwrite(dtype(), numel()), shape);
            backend.axpby(numel(), 1.0, grad.storage, 0.0, sum.storage);
            backend.axpby(numel(), 1.0, g.storage, 1.0, sum.storage);
            grad = sum;
        }
    }

    /** Back-propagates from this scalar (seed gradient 1). */
    public void backward() {
        if (numel() != 1) {
            throw new ShapeMismatchException("backward: needs a scalar, got shape " + Arrays.toString(shape)
                    + " (pass an explicit seed gradient)");
        }
        backward(full(dtype(), 1.0, shape));
    }

    /** Back-propagates a seed gradient of this tensor's shape. */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype() + (requiresGrad ? " requiresGrad" : "")
                + (node != null ? " <" + node.op() + ">" : "");
    }
}
