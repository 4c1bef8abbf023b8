package dev.balora.core.train;

import java.util.List;

/**
 * The small part of a checkpoint, stored as {@code checkpoint.json}; the tensors live in the safetensors file it
 * names. Written last: its atomic replacement is the checkpoint's commit point.
 *
 * @param format                    {@link #FORMAT}
 * @param step                      optimizer steps completed (AdamW's step count)
 * @param totalSteps                T of the run that wrote it
 * @param epoch                     epoch index of the data position
 * @param indexInEpoch              examples of that epoch already consumed (may equal numExamples)
 * @param shuffleSeed               that epoch's shuffle seed ({@link DataOrder#epochSeed})
 * @param seed                      the run seed
 * @param numExamples               the task's size
 * @param microBatchSize            examples per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param metricsBytes              length of {@code metrics.jsonl} at this step (lines after it are dropped on resume)
 * @param elapsedSeconds            wall time of the run so far
 * @param examplesSeen              training examples processed so far
 * @param tokensSeen                tokens processed so far
 * @param lastLoss                  the total loss of the last step
 * @param lastTaskLoss              the task loss of the last step
 * @param tensorsFile               the safetensors file (in the same directory) holding parameters and moments
 * @param tensorsBytes              its size, checked on load
 * @param parameters                trainable parameter names in optimizer order
 */
public record CheckpointState(int format, long step, long totalSteps, int epoch, int indexInEpoch, long shuffleSeed,
                              long seed, int numExamples, int microBatchSize, int gradientAccumulationSteps,
                              long metricsBytes, double elapsedSeconds, long examplesSeen, long tokensSeen,
                              double lastLoss, double lastTaskLoss, String tensorsFile, long tensorsBytes,
                              List<String> parameters) {
    /** The state-file format version this code writes and reads. */
    public static final int FORMAT = 1;

    /** Tensor-file key of a parameter's value. */
    public static String paramKey(String name) {
        return "param/" + name;
    }

    /** Tensor-file key of a parameter's AdamW first moment. */
    public static String firstMomentKey(String name) {
        return "adamw.m/" + name;
    }

    /** Tensor-file key of a parameter's AdamW second moment. */
    public static String secondMomentKey(String name) {
        return "adamw.v/" + name;
    }

    /** @return this state pointing at {@code file} of {@code bytes} bytes */
    CheckpointState withTensors(String file, long bytes) {
        return new CheckpointState(format, step, totalSteps, epoch, indexInEpoch, shuffleSeed, seed, numExamples,
                microBatchSize, gradientAccumulationSteps, metricsBytes, elapsedSeconds, examplesSeen, tokensSeen,
                lastLoss, lastTaskLoss, file, bytes, parameters);
    }
}
