package dev.balora.core.ops;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.ConsistencyKl;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.DiversityTopKEntropy;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.gradcheck.GradCheck;
import dev.balora.core.tensor.Autograd;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Float64 central-difference gradient check of every registered op on random, non-degenerate inputs of several
 * (odd) shapes, and a coverage check: every name in {@link Ops#REGISTERED} must have been exercised.
 */
class GradCheckAllOpsTest {
    private static final Set<String> SEEN = new HashSet<>();
    private static long seed = 1;

    /** A case: input shapes, an optional value transform making inputs valid (e.g. positive), and the op. */
    record Case(String name, int[][] shapes, double lo, double hi, Function<List<Tensor>, Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    static int[] s(int... d) {
        return d;
    }

    static Case c(String name, Function<List<Tensor>, Tensor> op, int[]... shapes) {
        return new Case(name, shapes, -2, 2, op);
    }

    static Case positive(String name, Function<List<Tensor>, Tensor> op, int[]... shapes) {
        return new Case(name, shapes, 0.5, 3, op);
    }

    static Stream<Arguments> cases() {
        List<Case> l = new ArrayList<>();
        for (int[] dims : new int[][] {{1, 1, 1}, {3, 5, 2}, {7, 3, 17}}) {
            int m = dims[0], k = dims[1], n = dims[2];
            l.add(c("matmul " + m + "x" + k + "x" + n, t -> matmul(t.get(0), t.get(1)), s(m, k), s(k, n)));
            l.add(c("matmul AᵀB", t -> matmul(t.get(0), t.get(1), true, false), s(k, m), s(k, n)));
            l.add(c("matmul ABᵀ", t -> matmul(t.get(0), t.get(1), false, true), s(m, k), s(n, k)));
            l.add(c("matmul AᵀBᵀ", t -> matmul(t.get(0), t.get(1), true, true), s(k, m), s(n, k)));
        }
        l.add(c("batched matmul", t -> matmul(t.get(0), t.get(1)), s(2, 3, 3, 4), s(2, 3, 4, 5)));
        l.add(c("batched matmul ABᵀ", t -> matmul(t.get(0), t.get(1), false, true), s(3, 2, 4), s(3, 5, 4)));
        l.add(c("batched matmul AᵀB", t -> matmul(t.get(0), t.get(1), true, false), s(3, 4, 2), s(3, 4, 5)));
        l.add(c("folded matmul [..,k]x[k,n]", t -> matmul(t.get(0), t.get(1), false, true), s(2, 3, 5), s(4, 5)));
        l.add(c("add same", t -> add(t.get(0), t.get(1)), s(3, 7), s(3, 7)));
        l.add(c("add bias", t -> add(t.get(0), t.get(1)), s(2, 3, 7), s(7)));
        l.add(c("add both broadcast", t -> add(t.get(0), t.get(1)), s(3, 1, 5), s(4, 1)));
        l.add(c("sub broadcast", t -> sub(t.get(0), t.get(1)), s(3, 7), s(1, 7)));
        l.add(c("mul broadcast", t -> mul(t.get(0), t.get(1)), s(5, 3), s(5, 1)));
        l.add(new Case("div broadcast", new int[][] {s(4, 3), s(3)}, 0.5, 3, t -> div(t.get(0), t.get(1))));
        l.add(c("scale", t -> scale(t.get(0), -1.7), s(3, 5)));
        l.add(c("dropout p=0.3", t -> dropout(t.get(0), 0.3, 0x5EEDL), s(7, 9)));
        l.add(c("addScalar", t -> addScalar(t.get(0), 0.3), s(3, 5)));
        l.add(c("exp", t -> exp(t.get(0)), s(3, 5)));
        l.add(positive("log", t -> log(t.get(0)), s(3, 5)));
        l.add(c("tanh", t -> tanh(t.get(0)), s(17)));
        l.add(positive("relu positive side", t -> relu(t.get(0)), s(3, 7)));
        l.add(c("relu mixed signs", t -> relu(t.get(0)), s(33)));
        l.add(c("silu", t -> silu(t.get(0)), s(3, 7)));
        l.add(c("sigmoid", t -> sigmoid(t.get(0)), s(3, 7)));
        l.add(c("gelu erf", t -> gelu(t.get(0)), s(5, 7)));
        l.add(c("gelu tanh", t -> geluTanh(t.get(0)), s(5, 7)));
        l.add(positive("sqrt", t -> sqrt(t.get(0)), s(5, 3)));
        l.add(c("neg", t -> neg(t.get(0)), s(5)));
        l.add(c("square", t -> square(t.get(0)), s(5, 3)));
        l.add(c("sum dim 0", t -> sum(t.get(0), 0, false), s(3, 5)));
        l.add(c("sum dim 1 keep", t -> sum(t.get(0), 1, true), s(2, 3, 5)));
        l.add(c("mean dim -1", t -> mean(t.get(0), -1, false), s(2, 3, 5)));
        l.add(c("sumAll", t -> sumAll(t.get(0)), s(3, 5)));
        l.add(c("meanAll", t -> meanAll(t.get(0)), s(7)));
        l.add(c("reshape", t -> t.get(0).reshape(5, -1), s(3, 5)));
        l.add(c("permute", t -> permute(t.get(0), 2, 0, 1), s(2, 3, 5)));
        l.add(c("transpose", t -> transpose(t.get(0), 0, 1), s(3, 5)));
        l.add(c("slice", t -> slice(t.get(0), 1, 1, 4), s(3, 5)));
        l.add(c("concat", t -> concat(List.of(t.get(0), t.get(1)), 1), s(3, 2), s(3, 5)));
        l.add(c("split", t -> split(t.get(0), 0, 1, 3, 3).get(1), s(7, 2)));
        l.add(c("softmax", t -> softmax(t.get(0)), s(3, 7)));
        l.add(c("softmax 1 col", t -> softmax(t.get(0)), s(3, 1)));
        l.add(c("logSoftmax", t -> logSoftmax(t.get(0)), s(3, 7)));
        l.add(c("softmax causal", t -> softmax(t.get(0), RowMask.causal(4, 4)), s(2, 4, 4)));
        l.add(c("softmax padding mask", t -> softmax(t.get(0), RowMask.padding(
                RowMask.additiveFromKeep(Tensor.of(new double[] {1, 1, 0, 1, 1, 1}, 2, 3)), 2, 3)), s(2, 2, 3, 3)));
        l.add(c("layerNorm", t -> layerNorm(t.get(0), t.get(1), t.get(2), 1e-5), s(3, 7), s(7), s(7)));
        l.add(c("layerNorm no affine", t -> layerNorm(t.get(0), null, null, 1e-12), s(2, 17)));
        l.add(c("rmsNorm", t -> rmsNorm(t.get(0), t.get(1), 1e-6), s(3, 7), s(7)));
        l.add(c("embedding", t -> embedding(t.get(0), new int[] {3, 0, 3, 6, 1}, 5), s(7, 4)));
        l.add(c("crossEntropy", t -> crossEntropy(t.get(0), new int[] {2, 0, -100, 4}), s(4, 5)));
        l.add(c("crossEntropy one row", t -> crossEntropy(t.get(0), new int[] {1}), s(1, 3)));
        l.add(c("mse", t -> mse(t.get(0), t.get(1)), s(3, 4), s(3, 4)));
        l.add(c("attention", t -> attention(t.get(0), t.get(1), t.get(2), RowMask.NONE), s(2, 2, 3, 4), s(2, 2, 5, 4), s(2, 2, 5, 3)));
        l.add(c("attention causal+padding", t -> attention(t.get(0), t.get(1), t.get(2),
                RowMask.padding(RowMask.additiveFromKeep(Tensor.of(new double[] {1, 1, 1, 0, 1, 1, 1, 1}, 2, 4)), 2, 4)
                        .withCausal(4, 4)), s(2, 2, 4, 3), s(2, 2, 4, 3), s(2, 2, 4, 3)));
        l.add(c("lowRankLinear", t -> lowRankLinear(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), 0.7),
                s(2, 3, 5), s(4, 5), s(4), s(3, 5), s(4, 3)));
        l.add(c("lowRankLinear r=1 no bias", t -> lowRankLinear(t.get(0), t.get(1), null, t.get(2), t.get(3), 2.0),
                s(7, 3), s(5, 3), s(1, 3), s(5, 1)));
        // BA-LoRA regularizers: odd shapes, N from 2 to 64, both NLU widths (pooled d, logits D) and NLG-like rows.
        for (int[] nw : new int[][] {{2, 3}, {5, 7}, {17, 4}, {64, 9}}) {
            int n = nw[0], w = nw[1];
            Tensor teacher = Tensor.uniform(DType.F64, 77 + n, -2, 2, n, w);
            l.add(c("kl T=2 " + n + "x" + w, t -> new ConsistencyKl(2.0).apply(t.get(0), teacher), s(n, w)));
            l.add(c("kl T=1 " + n + "x" + w, t -> new ConsistencyKl(1.0).apply(t.get(0), teacher), s(n, w)));
            l.add(c("cosine_mse " + n + "x" + w, t -> new ConsistencyCosineMse().apply(t.get(0), teacher), s(n, w)));
            l.add(c("covariance " + n + "x" + w, t -> new DiversityCovariance().apply(t.get(0), null), s(n, w)));
            l.add(c("topk entropy K=2 " + n + "x" + w, t -> new DiversityTopKEntropy(2).apply(t.get(0), null), s(n, w)));
            l.add(c("full entropy " + n + "x" + w, t -> new DiversityTopKEntropy(0).apply(t.get(0), null), s(n, w)));
            if (Math.min(n, w) > 2) {
                l.add(c("svd nuclear k=2 " + n + "x" + w, t -> new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 2, 1).apply(t.get(0), null), s(n, w)));
                l.add(c("svd frobenius k=1 " + n + "x" + w, t -> new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 1, 1).apply(t.get(0), null), s(n, w)));
            }
        }
        return l.stream().map(Arguments::of);
    }

    @BeforeAll
    static void trace() {
        SEEN.clear();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(Case cs) {
        List<Tensor> inputs = new ArrayList<>();
        for (int[] shape : cs.shapes()) {
            inputs.add(Tensor.uniform(DType.F64, seed++, cs.lo(), cs.hi(), shape).requiresGrad(true));
        }
        Autograd.startTracing();
        Tensor probe = cs.op().apply(inputs);
        SEEN.addAll(Autograd.stopTracing());
        // A fixed random weighting makes the scalar loss depend on every output element differently.
        Tensor weights = Tensor.uniform(DType.F64, 1000 + seed, -1, 1, probe.shape());
        GradCheck.Result r = GradCheck.check(() -> sumAll(mul(cs.op().apply(inputs), weights)), inputs);
        assertTrue(r.passed(), cs.name() + ": " + r.worst() + " (rel " + r.worstRelError() + ")");
    }

    @AfterAll
    static void everyRegisteredOpWasChecked() {
        Set<String> missing = new TreeSet<>(Ops.REGISTERED);
        missing.removeAll(SEEN);
        assertTrue(missing.isEmpty(), "registered ops without a gradient check: " + missing);
        Set<String> unregistered = new TreeSet<>(SEEN);
        unregistered.removeAll(Ops.REGISTERED);
        assertTrue(unregistered.isEmpty(), "ops recorded but not registered in Ops.REGISTERED: " + unregistered);
    }
}
