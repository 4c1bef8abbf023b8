package dev.balora.core.train;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything that decides a training run. One {@code seed} drives the data order and the per-micro-batch
 * randomness ({@link StepContext#seed()}).
 *
 * <p>Length: exactly one of {@code epochs} and {@code maxSteps} is positive. An epoch is
 * {@code ceil(N / microBatchSize)} micro-batches, grouped into {@code ceil(microBatches / accumulation)} optimizer
 * steps (the last step of an epoch may accumulate fewer micro-batches; every example is seen once per epoch).
 * With {@code maxSteps}, epochs repeat (each with its own shuffle) until that many optimizer steps are done.
 *
 * @param epochs                    passes over the data, or 0 when {@code maxSteps} is set
 * @param maxSteps                  optimizer steps, or 0 when {@code epochs} is set
 * @param microBatchSize            examples per forward/backward (≥ 1)
 * @param gradientAccumulationSteps micro-batches per optimizer step (≥ 1)
 * @param learningRate              peak learning rate (&gt; 0)
 * @param warmupSteps               linear warm-up steps; 0 to use {@code warmupRatio}
 * @param warmupRatio               warm-up as a fraction of the total steps, {@code ceil(ratio·T)} (HF);
 *                                  only when {@code warmupSteps} is 0
 * @param decay                     decay after warm-up
 * @param weightDecay               AdamW decoupled weight decay (applied to every trainable parameter)
 * @param beta1                     AdamW β₁
 * @param beta2                     AdamW β₂
 * @param eps                       AdamW ε (added after the square root)
 * @param maxGradNorm               clip the global gradient L2 norm to this; 0 = no clipping
 * @param evalEvery                 evaluate every this many optimizer steps (0 = only at the end)
 * @param checkpointEvery           checkpoint every this many optimizer steps and at the end (0 = only when a
 *                                  {@link StopSignal} stops the run)
 * @param seed                      the one seed of the run
 * @param outputDir                 where {@code metrics.jsonl}, {@code summary.json} and {@code checkpoint/} go
 */
public record TrainerConfig(int epochs, long maxSteps, int microBatchSize, int gradientAccumulationSteps,
                            double learningRate, long warmupSteps, double warmupRatio, LrSchedule.Decay decay,
                            double weightDecay, double beta1, double beta2, double eps, double maxGradNorm,
                            long evalEvery, long checkpointEvery, long seed, Path outputDir) {
    public TrainerConfig {
        require((epochs > 0) != (maxSteps > 0) && epochs >= 0 && maxSteps >= 0,
                "exactly one of epochs and maxSteps must be positive, got epochs=" + epochs + ", maxSteps=" + maxSteps);
        require(microBatchSize >= 1, "microBatchSize must be >= 1, got " + microBatchSize);
        require(gradientAccumulationSteps >= 1, "gradientAccumulationSteps must be >= 1, got " + gradientAccumulationSteps);
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be finite and > 0, got " + learningRate);
        require(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmupRatio must be in [0, 1], got " + warmupRatio);
        require(!(warmupSteps > 0 && warmupRatio > 0), "set warmupSteps or warmupRatio, not both (got "
                + warmupSteps + " and " + warmupRatio + ")");
        require(decay != null, "decay must not be null");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be finite and >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
        require(eps > 0 && Double.isFinite(eps), "eps must be finite and > 0, got " + eps);
        require(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "maxGradNorm must be finite and >= 0, got " + maxGradNorm);
        require(evalEvery >= 0, "evalEvery must be >= 0, got " + evalEvery);
        require(checkpointEvery >= 0, "checkpointEvery must be >= 0, got " + checkpointEvery);
        Objects.requireNonNull(outputDir, "trainer config: outputDir");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("trainer config: " + message);
        }
    }

    /** @return micro-batches in one epoch of {@code numExamples}: {@code ceil(N / microBatchSize)} */
    public long microBatchesPerEpoch(int numExamples) {
        return ceilDiv(numExamples, microBatchSize);
    }

    /** @return optimizer steps in one epoch: {@code ceil(microBatches / accumulation)} */
    public long stepsPerEpoch(int numExamples) {
        return ceilDiv(microBatchesPerEpoch(numExamples), gradientAccumulationSteps);
    }

    /** @return T, the optimizer steps of the whole run over {@code numExamples} examples */
    public long totalSteps(int numExamples) {
        if (numExamples < 1) {
            throw new IllegalArgumentException("trainer config: the task has no training examples");
        }
        return maxSteps > 0 ? maxSteps : epochs * stepsPerEpoch(numExamples);
    }

    /** @return the warm-up steps W for a run of {@code totalSteps}: warmupSteps, else ceil(ratio·T) */
    public long resolvedWarmupSteps(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    /** @return the learning-rate schedule for a run of {@code totalSteps} */
    public LrSchedule schedule(long totalSteps) {
        return new LrSchedule(learningRate, resolvedWarmupSteps(totalSteps), totalSteps, decay);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** @return a builder with the Hugging Face {@code TrainingArguments} defaults, writing to {@code outputDir} */
    public static Builder builder(Path outputDir) {
        return new Builder(outputDir);
    }

    /**
     * Mutable builder. Defaults: 3 epochs, micro-batch 8, no accumulation, lr 5e-5, no warm-up, linear decay,
     * weight decay 0, β = (0.9, 0.999), ε = 1e-8, max grad norm 1.0, eval at the end only, no checkpoints, seed 42.
     */
    public static final class Builder {
        private int epochs = 3;
        private long maxSteps;
        private int microBatchSize = 8;
        private int accumulation = 1;
        private double learningRate = 5e-5;
        private long warmupSteps;
        private double warmupRatio;
        private LrSchedule.Decay decay = LrSchedule.Decay.LINEAR;
        private double weightDecay;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double maxGradNorm = 1.0;
        private long evalEvery;
        private long checkpointEvery;
        private long seed = 42;
        private Path outputDir;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        /** Sets the number of epochs and clears maxSteps. */
        public Builder epochs(int v) { epochs = v; maxSteps = 0; return this; }
        /** Sets maxSteps and clears epochs. */
        public Builder maxSteps(long v) { maxSteps = v; epochs = 0; return this; }
        public Builder microBatchSize(int v) { microBatchSize = v; return this; }
        public Builder gradientAccumulationSteps(int v) { accumulation = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        /** Sets warm-up steps and clears the ratio. */
        public Builder warmupSteps(long v) { warmupSteps = v; warmupRatio = 0; return this; }
        /** Sets the warm-up ratio and clears the steps. */
        public Builder warmupRatio(double v) { warmupRatio = v; warmupSteps = 0; return this; }
        public Builder decay(LrSchedule.Decay v) { decay = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder evalEvery(long v) { evalEvery = v; return this; }
        public Builder checkpointEvery(long v) { checkpointEvery = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder outputDir(Path v) { outputDir = v; return this; }

        /** @return the validated config */
        public TrainerConfig build() {
            return new TrainerConfig(epochs, maxSteps, microBatchSize, accumulation, learningRate, warmupSteps,
                    warmupRatio, decay, weightDecay, beta1, beta2, eps, maxGradNorm, evalEvery, checkpointEvery, seed,
                    outputDir);
        }
    }
}
