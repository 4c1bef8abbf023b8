package dev.balora.core.train;

import java.util.Map;

/**
 * The outcome of {@link Trainer#run()} or {@link Trainer#resume}, also written to {@code summary.json}.
 *
 * @param steps             optimizer steps completed (= totalSteps unless stopped early)
 * @param totalSteps        T
 * @param epochs            fractional epochs completed
 * @param finalLoss         the last step's total loss
 * @param finalTaskLoss     the last step's task loss
 * @param finalEval         the metrics of the evaluation at the end
 * @param examplesSeen      training examples processed (counting repeats across epochs)
 * @param tokensSeen        tokens processed (0 when not counted)
 * @param elapsedSeconds    wall time of the whole run, including time before a resume
 * @param examplesPerSecond examplesSeen / elapsedSeconds
 * @param resumedFromStep   the checkpoint step this session started from, 0 for a fresh run
 * @param stoppedEarly      whether the early-stopping condition ended the run before {@code totalSteps}
 */
public record TrainingSummary(long steps, long totalSteps, double epochs, double finalLoss, double finalTaskLoss,
                              Map<String, Double> finalEval, long examplesSeen, long tokensSeen,
                              double elapsedSeconds, double examplesPerSecond, long resumedFromStep,
                              boolean stoppedEarly) {}
