package dev.balora.core.balora;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The BA-LoRA loss (SPEC §2): {@code L = L_task + λ₁(t)·L_CR + λ₂(t)·L_DR + λ₃(t)·L_SVDR} per micro-batch, with each
 * term's value and weight exposed for logging every step. A term whose weight is 0 at this step is not computed.
 */
public final class BaLoraObjective {
    /** One weighted term. */
    public record Term(String role, Regularizer regularizer, double lambda, Schedule schedule) {}

    /**
     * The outcome of one evaluation.
     *
     * @param total   the scalar to back-propagate
     * @param task    the task loss value
     * @param values  each term's unweighted value by regularizer name (0 when skipped)
     * @param lambdas each term's weight at this step by regularizer name
     */
    public record Result(Tensor total, double task, Map<String, Double> values, Map<String, Double> lambdas) {}

    private final List<Term> terms;

    public BaLoraObjective(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    /** @return the terms in order (consistency, diversity, svd) */
    public List<Term> terms() {
        return terms;
    }

    /**
     * The paper's NLU setting (ICLR 2026): cosine_mse consistency λ₁ = 0.15, covariance diversity λ₂ = 0.03, nuclear
     * SVD λ₃ = 0.03 with k = 5, constant weights.
     */
    public static BaLoraObjective nluDefaults(long seed) {
        return new BaLoraObjective(List.of(
                new Term("consistency", new ConsistencyCosineMse(), 0.15, Schedule.CONSTANT),
                new Term("diversity", new DiversityCovariance(), 0.03, Schedule.CONSTANT),
                new Term("svd", new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 5, seed), 0.03, Schedule.CONSTANT)));
    }

    /**
     * The ICLR 2026 code's NLG setting: KL consistency (T = 2) λ₁ = 0.025 with the cosine schedule, top-20 entropy
     * λ₂ = 0.005 and frobenius SVD (k = 10) λ₃ = 0.005, both two_phase.
     */
    public static BaLoraObjective nlgDefaults(long seed) {
        return new BaLoraObjective(List.of(
                new Term("consistency", new ConsistencyKl(2.0), 0.025, Schedule.COSINE),
                new Term("diversity", new DiversityTopKEntropy(20), 0.005, Schedule.TWO_PHASE),
                new Term("svd", new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 10, seed), 0.005, Schedule.TWO_PHASE)));
    }

    /**
     * @param taskLoss   scalar task loss (cross-entropy…)
     * @param student    Z_F [M, w], the regularization target of the model being trained
     * @param teacher    Z_P [M, w] of the frozen original model (no gradient), or null when no term needs it
     * @param step       optimizer step t (from 0)
     * @param totalSteps T_max
     */
    public Result compute(Tensor taskLoss, Tensor student, Tensor teacher, long step, long totalSteps) {
        Tensor total = taskLoss;
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, Double> lambdas = new LinkedHashMap<>();
        List<Tensor> weighted = new ArrayList<>();
        for (Term t : terms) {
            double lambda = t.schedule().weight(t.lambda(), step, totalSteps);
            String name = t.regularizer().name();
            lambdas.put(name, lambda);
            if (lambda == 0) {
                values.put(name, 0.0);
                continue;
            }
            Tensor v = t.regularizer().apply(student, teacher);
            values.put(name, v.item());
            weighted.add(Ops.scale(v, lambda));
        }
        for (Tensor w : weighted) {
            total = Ops.add(total, w);
        }
        return new Result(total, taskLoss.item(), values, lambdas);
    }

    /**
     * The NLG target: rows of {@code logits [N, T, V]} at positions whose label is not ignored (SPEC §2: the same
     * positions the cross-entropy uses), stacked into [M, V] by a differentiable row gather.
     *
     * @param logits      [N, T, V] (already aligned with {@code labels}, i.e. shifted for next-token prediction)
     * @param labels      N·T labels
     * @param ignoreIndex label value marking positions to drop
     */
    public static Tensor validPositions(Tensor logits, int[] labels, int ignoreIndex) {
        int v = logits.dim(-1);
        Tensor flat = logits.reshape(-1, v);
        if (flat.dim(0) != labels.length) {
            throw new dev.balora.core.tensor.ShapeMismatchException("validPositions: " + labels.length + " labels for logits "
                    + java.util.Arrays.toString(logits.shape()));
        }
        int m = 0;
        for (int l : labels) {
            m += l != ignoreIndex ? 1 : 0;
        }
        int[] rows = new int[m];
        for (int i = 0, j = 0; i < labels.length; i++) {
            if (labels[i] != ignoreIndex) {
                rows[j++] = i;
            }
        }
        return Ops.embedding(flat, rows, m);
    }
}
