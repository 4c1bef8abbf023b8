package dev.balora.core.train;

import java.util.Map;

/**
 * One evaluation, logged as a {@code "type": "eval"} line and passed to {@link TrainingListener#onEval}.
 *
 * @param step    optimizer steps completed when it ran
 * @param epoch   fractional epoch reached
 * @param metrics {@link Evaluation#metrics()}
 * @param seconds wall time the evaluation took
 */
public record EvalRecord(long step, double epoch, Map<String, Double> metrics, double seconds) {}
