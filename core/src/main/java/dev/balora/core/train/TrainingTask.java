package dev.balora.core.train;

import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model and its data, as the {@link Trainer} sees them: examples are addressed by index in
 * {@code [0, size())}, and the trainer decides the order, the batching and the updates.
 *
 * <p>Contract for reproducibility: {@link #loss} must be a pure function of the example indices, the current
 * parameter values and the context (draw any randomness from {@link StepContext#random()}), so that a resumed
 * run computes the same losses as an uninterrupted one.
 *
 * <p>Example — a classifier with BA-LoRA regularizers on its pooled output:
 * <pre>{@code
 * final class ToyTask implements TrainingTask {
 *     private final ToyModel model;            // Module with LoRA adapters injected
 *     private final float[] x; private final int[] y; private final int features;
 *     private final Teacher teacher = new Teacher(model, Teacher.Kind.ORIGINAL, true);
 *     private final BaLoraObjective objective = BaLoraObjective.nluDefaults(seed);
 *
 *     public int size() { return y.length; }
 *
 *     public Map<String, Tensor> trainableParameters() { return TrainingTask.trainableOf(model); }
 *
 *     public MicroBatchLoss loss(int[] ids, StepContext ctx) {
 *         Tensor xb = rows(x, ids, features);                           // [B, features]
 *         Tensor z = model.pooled(xb);                                  // [B, w]
 *         Tensor zp = teacher.outputs(() -> model.pooled(xb), toLongs(ids));
 *         Tensor ce = Ops.crossEntropy(model.logits(z), pick(y, ids));  // scalar
 *         return MicroBatchLoss.of(objective.compute(ce, z, zp, ctx.step(), ctx.totalSteps()));
 *     }
 *
 *     public Evaluation evaluate() {                                   // called under NoGrad
 *         model.eval();
 *         try { return new Evaluation.Classification(argmaxRows(model.logits(model.pooled(devX))), devY); }
 *         finally { model.train(); }
 *     }
 * }
 * }</pre>
 */
public interface TrainingTask {
    /** @return the number of training examples (≥ 1) */
    int size();

    /**
     * @return the parameters to optimize by stable, unique name (checkpoint keys), in a fixed order; each
     *     requires gradients and is float32
     */
    Map<String, Tensor> trainableParameters();

    /**
     * Parameter groups: a learning-rate factor per parameter name (a classification head trained at its own lr under
     * the same schedule). Parameters not named here get 1.
     *
     * @return parameter name → factor (finite, &gt; 0); empty by default
     */
    default Map<String, Double> learningRateScales() {
        return Map.of();
    }

    /**
     * Builds the graph for one micro-batch.
     *
     * @param exampleIds indices into {@code [0, size())}, in the order the trainer drew them (length ≤ the
     *                   micro-batch size; the last micro-batch of an epoch may be shorter)
     * @param context    the step, epoch and a per-micro-batch seed
     * @return the mean loss over these examples and its parts
     */
    MicroBatchLoss loss(int[] exampleIds, StepContext context);

    /**
     * Evaluates on held-out data. The trainer calls it inside a {@link dev.balora.core.tensor.NoGrad} scope;
     * the task switches its model to eval mode and back itself.
     */
    Evaluation evaluate();

    /** @return the parameters of {@code model} that require gradients, by dotted name in tree order */
    static Map<String, Tensor> trainableOf(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, t) -> {
            if (t.requiresGrad()) {
                out.put(name, t);
            }
        });
        return out;
    }
}
