package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Explicit copying layout ops: permute, transpose, slice, concat, split. (Reshape is a free view on Tensor.) */
public final class ShapeOps {
    private ShapeOps() {}

    /** @return x with dimensions reordered: output dim i is input dim {@code perm[i]}. */
    public static Tensor permute(Tensor x, int... perm) {
        int r = x.rank();
        if (perm.length != r) {
            throw new ShapeMismatchException("permute: permutation " + Arrays.toString(perm) + " for shape " + Arrays.toString(x.shape()));
        }
        boolean[] seen = new boolean[r];
        for (int p : perm) {
            if (p < 0 || p >= r || seen[p]) {
                throw new ShapeMismatchException("permute: " + Arrays.toString(perm) + " is not a permutation of 0.." + (r - 1));
            }
            seen[p] = true;
        }
        int[] in = x.shape();
        long[] inStrides = Shapes.contiguousStrides(in);
        int[] outShape = new int[r];
        long[] srcStrides = new long[r];
        for (int i = 0; i < r; i++) {
            outShape[i] = in[perm[i]];
            srcStrides[i] = inStrides[perm[i]];
        }
        Tensor out = OpSupport.empty(x, outShape);
        x.backend().copyStrided(x.storage(), 0, srcStrides, out.storage(), 0, Shapes.contiguousStrides(outShape), outShape);
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) {
            inverse[perm[i]] = i;
        }
        return Autograd.record("permute", out, g -> x.accumulateGrad(permute(g, inverse)), x);
    }

    /** @return x with dimensions d0 and d1 swapped (a copy). */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.rank();
        int a = Shapes.dim("transpose", d0, r);
        int b = Shapes.dim("transpose", d1, r);
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    /** @return the elements {@code start ≤ i < end} along {@code dim} (a copy). */
    public static Tensor slice(Tensor x, int dim, int start, int end) {
        int d = Shapes.dim("slice", dim, x.rank());
        int[] in = x.shape();
        if (start < 0 || end > in[d] || start > end) {
            throw new ShapeMismatchException("slice: range [" + start + ", " + end + ") outside dimension " + d
                    + " of shape " + Arrays.toString(in));
        }
        int[] outShape = in.clone();
        outShape[d] = end - start;
        long[] inStrides = Shapes.contiguousStrides(in);
        Tensor out = OpSupport.empty(x, outShape);
        x.backend().copyStrided(x.storage(), start * inStrides[d], inStrides, out.storage(), 0,
                Shapes.contiguousStrides(outShape), outShape);
        return Autograd.record("slice", out, g -> {
            Tensor dx = OpSupport.zeros(x, in); // only the slice is written
            x.backend().copyStrided(g.storage(), 0, Shapes.contiguousStrides(outShape), dx.storage(),
                    start * inStrides[d], inStrides, outShape);
            x.accumulateGrad(dx);
        }, x);
    }

    /** @return the tensors joined along {@code dim}; all other dimensions must agree. */
    public static Tensor concat(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors");
        }
        Tensor first = parts.get(0);
        int d = Shapes.dim("concat", dim, first.rank());
        int[] outShape = first.shape();
        int total = 0;
        for (Tensor p : parts) {
            OpSupport.sameKind("concat", first, p);
            int[] s = p.shape();
            if (s.length != outShape.length) {
                throw ShapeMismatchException.of("concat", "ranks differ:", first.shape(), s);
            }
            for (int i = 0; i < s.length; i++) {
                if (i != d && s[i] != outShape[i]) {
                    throw ShapeMismatchException.of("concat", "non-concatenated dimensions differ:", first.shape(), s);
                }
            }
            total += s[d];
        }
        outShape[d] = total;
        Tensor out = OpSupport.empty(first, outShape);
        long[] outStrides = Shapes.contiguousStrides(outShape);
        int offset = 0;
        for (Tensor p : parts) {
            int[] s = p.shape();
            first.backend().copyStrided(p.storage(), 0, Shapes.contiguousStrides(s), out.storage(),
                    offset * outStrides[d], outStrides, s);
            offset += s[d];
        }
        return Autograd.record("concat", out, g -> {
            int off = 0;
            for (Tensor p : parts) {
                int len = p.shape()[d];
                if (p.requiresGrad()) {
                    p.accumulateGrad(slice(g, d, off, off + len));
                }
                off += len;
            }
        }, parts.toArray(new Tensor[0]));
    }

    /** @return x cut along {@code dim} into pieces of the given sizes (differentiable through slice). */
    public static List<Tensor> split(Tensor x, int dim, int... sizes) {
        int d = Shapes.dim("split", dim, x.rank());
        int sum = Arrays.stream(sizes).sum();
        if (sum != x.shape()[d]) {
            throw new ShapeMismatchException("split: sizes " + Arrays.toString(sizes) + " do not add up to dimension "
                    + d + " of shape " + Arrays.toString(x.shape()));
        }
        List<Tensor> out = new ArrayList<>();
        int off = 0;
        for (int s : sizes) {
            out.add(slice(x, d, off, off + s));
            off += s;
        }
        return out;
    }
}
