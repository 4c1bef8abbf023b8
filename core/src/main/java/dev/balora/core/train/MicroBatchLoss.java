package dev.balora.core.train;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss of one micro-batch, as {@link TrainingTask#loss} returns it.
 *
 * @param total   scalar tensor to back-propagate (shape {@code []} or any one-element shape), the mean over the
 *                micro-batch
 * @param task    the task-loss value (equal to the total's value when {@code terms} is empty)
 * @param terms   each BA-LoRA term's unweighted value by name (empty without regularizers)
 * @param lambdas each BA-LoRA term's weight at this step by name
 * @param tokens  tokens in the micro-batch for tokens/s, or 0 when not meaningful (classification)
 */
public record MicroBatchLoss(Tensor total, double task, Map<String, Double> terms, Map<String, Double> lambdas,
                             long tokens) {
    public MicroBatchLoss {
        if (total == null || total.numel() != 1) {
            throw new IllegalArgumentException("micro-batch loss must be a one-element tensor, got " + total);
        }
        // Copies that keep the objective's term order (the order of the keys in metrics.jsonl).
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
        lambdas = Collections.unmodifiableMap(new LinkedHashMap<>(lambdas));
        if (tokens < 0) {
            throw new IllegalArgumentException("micro-batch loss: tokens must be >= 0, got " + tokens);
        }
    }

    /**
     * @return the value of {@link #total()}: {@link #task()} when there are no regularizer terms (the total is the task
     *     loss: no second read-back from a device), else read from the tensor
     */
    public double totalValue() {
        return terms.isEmpty() ? task : total.item();
    }

    /** A plain task loss (no regularizers, no token count). */
    public static MicroBatchLoss of(Tensor loss) {
        return of(loss, 0);
    }

    /** A plain task loss over {@code tokens} tokens. */
    public static MicroBatchLoss of(Tensor loss, long tokens) {
        return new MicroBatchLoss(loss, loss.item(), Map.of(), Map.of(), tokens);
    }

    /** The BA-LoRA objective's result (no token count). */
    public static MicroBatchLoss of(BaLoraObjective.Result result) {
        return of(result, 0);
    }

    /** The BA-LoRA objective's result over {@code tokens} tokens. */
    public static MicroBatchLoss of(BaLoraObjective.Result result, long tokens) {
        return new MicroBatchLoss(result.total(), result.task(), result.values(), result.lambdas(), tokens);
    }
}
