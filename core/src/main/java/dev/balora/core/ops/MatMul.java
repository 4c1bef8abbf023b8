package dev.balora.core.ops;

import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.ShapeMismatchException;
import dev.balora.core.tensor.Shapes;
import dev.balora.core.tensor.Tensor;
import java.util.Arrays;

/**
 * Matrix products with transpose flags: {@code op(A)·op(B)}.
 * <ul>
 *   <li>2-D × 2-D: plain GEMM.</li>
 *   <li>[..., m, k] × [k, n] (B 2-D, A not transposed): the leading dims of A fold into m — one GEMM, and B's
 *       gradient sums over the batch for free.</li>
 *   <li>[..., m, k] × [..., k, n] with equal leading dims: batched GEMM.</li>
 * </ul>
 */
public final class MatMul {
    private MatMul() {}

    /** @return op(a)·op(b), where op transposes the last two dimensions when the flag is set */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        OpSupport.sameKind("matmul", a, b);
        OpSupport.requireRank("matmul", a, 2);
        OpSupport.requireRank("matmul", b, 2);
        int[] as = a.shape();
        int[] bs = b.shape();
        int m = transA ? as[as.length - 1] : as[as.length - 2];
        int ka = transA ? as[as.length - 2] : as[as.length - 1];
        int kb = transB ? bs[bs.length - 1] : bs[bs.length - 2];
        int n = transB ? bs[bs.length - 2] : bs[bs.length - 1];
        if (ka != kb) {
            throw ShapeMismatchException.of("matmul" + (transA ? "(Aᵀ)" : "") + (transB ? "(Bᵀ)" : ""),
                    "inner dimensions differ:", as, bs);
        }
        if (bs.length == 2 && as.length > 2 && !transA) {
            // Fold leading dims of A into the row count: one GEMM.
            Tensor a2 = a.reshape(-1, ka);
            Tensor y = matmul(a2, b, false, transB);
            int[] outShape = Arrays.copyOf(as, as.length);
            outShape[outShape.length - 1] = n;
            return y.reshape(outShape);
        }
        int[] lead = Arrays.copyOf(as, as.length - 2);
        if (!Arrays.equals(lead, Arrays.copyOf(bs, bs.length - 2))) {
            throw ShapeMismatchException.of("matmul", "batch dimensions differ:", as, bs);
        }
        int batch = Shapes.prod(as, 0, as.length - 2);
        int[] outShape = Arrays.copyOf(lead, lead.length + 2);
        outShape[lead.length] = m;
        outShape[lead.length + 1] = n;
        Tensor out = OpSupport.empty(a, outShape);
        a.backend().gemm(transA, transB, batch, m, n, ka, 1.0, a.storage(), 0, (long) m * ka, b.storage(), 0,
                (long) ka * n, 0.0, out.storage(), 0, (long) m * n);
        return Autograd.record("matmul", out, g -> {
            if (a.requiresGrad()) {
                // dA = g·op(B)ᵀ (stored as op(B)·gᵀ when A was transposed).
                a.accumulateGrad(transA ? matmul(b, g, transB, true) : matmul(g, b, false, !transB));
            }
            if (b.requiresGrad()) {
                // dB = op(A)ᵀ·g (stored as gᵀ·op(A) when B was transposed).
                b.accumulateGrad(transB ? matmul(g, a, true, transA) : matmul(a, g, !transA, false));
            }
        }, a, b);
    }

    /** @return a·b */
    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, false, false);
    }
}
