package dev.balora.core.train;

import java.util.SplittableRandom;

/**
 * Where a micro-batch sits in the run, handed to {@link TrainingTask#loss}.
 *
 * @param step       optimizer step t being computed, from 0 (the BA-LoRA schedules' {@code step})
 * @param totalSteps T_max, the number of optimizer steps of the whole run
 * @param epoch      the epoch index, from 0
 * @param microBatch the micro-batch's index within this optimizer step, from 0
 * @param seed       a seed for this micro-batch's randomness (dropout…), derived from the run seed, the step and
 *                   the micro-batch index — so a resumed run draws the same masks as an uninterrupted one
 */
public record StepContext(long step, long totalSteps, int epoch, int microBatch, long seed) {
    /** @return a fresh generator seeded with {@link #seed()} (every call starts the same stream) */
    public SplittableRandom random() {
        return new SplittableRandom(seed);
    }
}
