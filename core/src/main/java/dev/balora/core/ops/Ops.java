package dev.balora.core.ops;

import dev.balora.core.backend.UnaryOp;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One static entry point to every differentiable op ({@code import static dev.balora.core.ops.Ops.*}), and the
 * registry of op names that the gradient-check coverage test holds every op to.
 */
public final class Ops {
    private Ops() {}

    /**
     * Every op name that {@link dev.balora.core.tensor.Autograd#record} can see. A test fails when any of these is
     * not exercised by a float64 gradient check. Add a name here when adding an op.
     */
    public static final Set<String> REGISTERED = Set.of(
            "reshape", "matmul", "add", "sub", "mul", "div", "scale", "addScalar",
            "exp", "log", "tanh", "relu", "silu", "sigmoid", "gelu_erf", "gelu_tanh", "sqrt", "neg", "square",
            "sum", "sumAll", "permute", "slice", "concat", "softmax", "logSoftmax", "layerNorm", "rmsNorm",
            "embedding", "crossEntropy", "lowRankLinear", "dropout",
            // BA-LoRA regularizers (dev.balora.core.balora), each a hand-derived op.
            "consistency_kl", "consistency_cosine_mse", "diversity_covariance", "diversity_topk_entropy",
            "svd_nuclear", "svd_frobenius");

    public static Tensor matmul(Tensor a, Tensor b) { return MatMul.matmul(a, b); }
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) { return MatMul.matmul(a, b, transA, transB); }
    public static Tensor add(Tensor a, Tensor b) { return Elementwise.add(a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return Elementwise.sub(a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return Elementwise.mul(a, b); }
    public static Tensor div(Tensor a, Tensor b) { return Elementwise.div(a, b); }
    public static Tensor scale(Tensor x, double c) { return Elementwise.scale(x, c); }
    public static Tensor addScalar(Tensor x, double c) { return Elementwise.addScalar(x, c); }
    public static Tensor exp(Tensor x) { return Elementwise.map(UnaryOp.EXP, x); }
    public static Tensor log(Tensor x) { return Elementwise.map(UnaryOp.LOG, x); }
    public static Tensor tanh(Tensor x) { return Elementwise.map(UnaryOp.TANH, x); }
    public static Tensor relu(Tensor x) { return Elementwise.map(UnaryOp.RELU, x); }
    public static Tensor silu(Tensor x) { return Elementwise.map(UnaryOp.SILU, x); }
    public static Tensor sigmoid(Tensor x) { return Elementwise.map(UnaryOp.SIGMOID, x); }
    public static Tensor gelu(Tensor x) { return Elementwise.map(UnaryOp.GELU_ERF, x); }
    public static Tensor geluTanh(Tensor x) { return Elementwise.map(UnaryOp.GELU_TANH, x); }
    public static Tensor sqrt(Tensor x) { return Elementwise.map(UnaryOp.SQRT, x); }
    public static Tensor neg(Tensor x) { return Elementwise.map(UnaryOp.NEG, x); }
    public static Tensor square(Tensor x) { return Elementwise.map(UnaryOp.SQUARE, x); }
    public static Tensor sum(Tensor x, int dim, boolean keepDim) { return Reductions.sum(x, dim, keepDim); }
    public static Tensor mean(Tensor x, int dim, boolean keepDim) { return Reductions.mean(x, dim, keepDim); }
    public static Tensor sumAll(Tensor x) { return Reductions.sumAll(x); }
    public static Tensor meanAll(Tensor x) { return Reductions.meanAll(x); }
    public static Tensor permute(Tensor x, int... perm) { return ShapeOps.permute(x, perm); }
    public static Tensor transpose(Tensor x, int d0, int d1) { return ShapeOps.transpose(x, d0, d1); }
    public static Tensor slice(Tensor x, int dim, int start, int end) { return ShapeOps.slice(x, dim, start, end); }
    public static Tensor concat(List<Tensor> parts, int dim) { return ShapeOps.concat(parts, dim); }
    public static List<Tensor> split(Tensor x, int dim, int... sizes) { return ShapeOps.split(x, dim, sizes); }
    public static Tensor softmax(Tensor x) { return Softmax.softmax(x); }
    public static Tensor logSoftmax(Tensor x) { return Softmax.logSoftmax(x); }
    public static Tensor softmax(Tensor x, RowMask mask) { return Softmax.apply(x, mask, false); }
    public static Tensor logSoftmax(Tensor x, RowMask mask) { return Softmax.apply(x, mask, true); }
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) { return Norms.layerNorm(x, gamma, beta, eps); }
    public static Tensor rmsNorm(Tensor x, Tensor gamma, double eps) { return Norms.rmsNorm(x, gamma, eps); }
    public static Tensor embedding(Tensor table, int[] ids, int... idsShape) { return EmbeddingLookup.lookup(table, ids, idsShape); }
    public static Tensor dropout(Tensor x, double p, SplittableRandom rng) { return InvertedDropout.dropout(x, p, rng); }
    public static Tensor dropout(Tensor x, double p, long key) { return InvertedDropout.dropout(x, p, key); }
    public static Tensor crossEntropy(Tensor logits, int[] targets) { return Losses.crossEntropy(logits, targets, Losses.IGNORE_INDEX); }
    public static Tensor crossEntropy(Tensor logits, int[] targets, int ignoreIndex) { return Losses.crossEntropy(logits, targets, ignoreIndex); }
    public static Tensor mse(Tensor a, Tensor b) { return Losses.mse(a, b); }
    public static Tensor attention(Tensor q, Tensor k, Tensor v, RowMask mask) { return Attention.scaledDotProduct(q, k, v, mask); }
    public static Tensor lowRankLinear(Tensor x, Tensor wRes, Tensor bias, Tensor a, Tensor b, double s) { return LowRankLinear.apply(x, wRes, bias, a, b, s); }
}
