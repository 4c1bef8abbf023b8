package dev.balora.core.train;

import java.util.Map;

/**
 * One optimizer step, as logged to {@code metrics.jsonl} (a {@code "type": "train"} line) and passed to
 * {@link TrainingListener#onStep}. Loss values are means over the step's micro-batches.
 *
 * @param step             optimizer steps completed, from 1
 * @param totalSteps       T
 * @param epoch            fractional epoch reached: epoch index + examples seen in it / N
 * @param loss             total loss (task + weighted terms)
 * @param taskLoss         task loss
 * @param terms            each BA-LoRA term's unweighted value by name (empty without regularizers)
 * @param lambdas          each term's weight at this step by name
 * @param lr               the learning rate this update used
 * @param gradNorm         the global gradient norm before clipping
 * @param examples         examples in this step
 * @param tokens           tokens in this step (0 when the task does not count them)
 * @param examplesPerSecond examples / step wall time
 * @param tokensPerSecond  tokens / step wall time, NaN when tokens are not counted
 * @param elapsedSeconds   wall time since the run began, including time before a resume
 */
public record StepRecord(long step, long totalSteps, double epoch, double loss, double taskLoss,
                         Map<String, Double> terms, Map<String, Double> lambdas, double lr, double gradNorm,
                         int examples, long tokens, double examplesPerSecond, double tokensPerSecond,
                         double elapsedSeconds) {}
