package dev.balora.models.lm;

import dev.balora.core.lora.Teacher;
import dev.balora.models.finetune.Method;

/**
 * Everything a language-model fine-tune ({@link LmFineTuneRun}) needs besides the base model and the text. Defaults:
 * r = 8, α = 8 (SPEC §1.2), exact PiSSA SVD, one epoch of 128-token blocks, lr 5e-4 for every method, and the NLG
 * regularizer setting of SPEC §2.4 — KL consistency with T = 2 (λ₁ = 0.025, cosine), top-20 entropy (λ₂ = 0.005,
 * two_phase) and Frobenius SVD with k = 10 (λ₃ = 0.005, two_phase) — on the logits of the labelled positions, against
 * the original model as teacher.
 *
 * @param method             lora | pissa | balora
 * @param rank               LoRA rank r
 * @param alpha              α (s = α/r)
 * @param pissaNiter         0 = exact PiSSA SVD; K &gt; 0 = randomized with K power iterations
 * @param lr                 peak learning rate
 * @param maxSteps           optimizer steps, or 0 to use epochs
 * @param epochs             epochs when maxSteps is 0
 * @param batch              blocks per micro-batch
 * @param accumulation       micro-batches per optimizer step
 * @param blockLength        T (at most the base model's maxPositions)
 * @param validationFraction share of each document held out, in (0, 1)
 * @param lambda1            consistency weight (0 = off)
 * @param lambda2            diversity weight (0 = off)
 * @param lambda3            SVD weight (0 = off)
 * @param temperature        KL temperature T
 * @param topK               K of the top-K entropy
 * @param svdK               k of the Frobenius SVD term
 * @param teacherKind        original (W) or residual (W_res) teacher
 * @param warmupRatio        share of steps of linear warm-up
 * @param weightDecay        AdamW weight decay
 * @param maxGradNorm        global-norm clipping (0 = off)
 * @param evalEvery          evaluate every N steps (0 = only at the end)
 * @param seed               drives the adapter init, data order and randomized SVDs
 */
public record LmFineTuneOptions(Method method, int rank, double alpha, int pissaNiter, double lr, long maxSteps,
                                int epochs, int batch, int accumulation, int blockLength, double validationFraction,
                                double lambda1, double lambda2, double lambda3, double temperature, int topK, int svdK,
                                Teacher.Kind teacherKind, double warmupRatio, double weightDecay, double maxGradNorm,
                                long evalEvery, long seed) {
    public LmFineTuneOptions {
        if (method == null || teacherKind == null) {
            throw new IllegalArgumentException("LmFineTuneOptions.method/teacherKind: expected non-null, got null");
        }
        if (rank < 1 || batch < 1 || accumulation < 1 || blockLength < 1) {
            throw new IllegalArgumentException("LmFineTuneOptions: rank, batch, accumulation and blockLength must be >= 1,"
                    + " got " + rank + ", " + batch + ", " + accumulation + ", " + blockLength);
        }
        if (!(lr > 0)) {
            throw new IllegalArgumentException("LmFineTuneOptions.lr: expected > 0, got " + lr);
        }
        if (maxSteps < 0 || maxSteps == 0 && epochs < 1) {
            throw new IllegalArgumentException("LmFineTuneOptions.maxSteps/epochs: expected maxSteps > 0 or epochs >= 1,"
                    + " got " + maxSteps + " and " + epochs);
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("LmFineTuneOptions.validationFraction: expected a value in (0, 1), got "
                    + validationFraction);
        }
        if (lambda1 < 0 || lambda2 < 0 || lambda3 < 0) {
            throw new IllegalArgumentException("LmFineTuneOptions.lambda: expected >= 0, got " + lambda1 + ", " + lambda2
                    + ", " + lambda3);
        }
    }

    /** The defaults for a method (see the class comment). */
    public static LmFineTuneOptions defaults(Method method) {
        return new LmFineTuneOptions(method, 8, 8, 0, 5e-4, 0, 1, 8, 1, 128, 0.1, 0.025, 0.005, 0.005, 2.0, 20, 10,
                Teacher.Kind.ORIGINAL, 0.03, 0.0, 1.0, 0, 42);
    }

    /** @return these options for another method */
    public LmFineTuneOptions withMethod(Method m) {
        return new LmFineTuneOptions(m, rank, alpha, pissaNiter, lr, maxSteps, epochs, batch, accumulation, blockLength,
                validationFraction, lambda1, lambda2, lambda3, temperature, topK, svdK, teacherKind, warmupRatio,
                weightDecay, maxGradNorm, evalEvery, seed);
    }

    /** @return these options with another schedule: lr, steps (0 = use epochs), epochs, batch and block length */
    public LmFineTuneOptions withSchedule(double newLr, long newMaxSteps, int newEpochs, int newBatch, int newBlockLength) {
        return new LmFineTuneOptions(method, rank, alpha, pissaNiter, newLr, newMaxSteps, newEpochs, newBatch, accumulation,
                newBlockLength, validationFraction, lambda1, lambda2, lambda3, temperature, topK, svdK, teacherKind,
                warmupRatio, weightDecay, maxGradNorm, evalEvery, seed);
    }

    /** @return these options with another rank and α */
    public LmFineTuneOptions withRank(int r, double a) {
        return new LmFineTuneOptions(method, r, a, pissaNiter, lr, maxSteps, epochs, batch, accumulation, blockLength,
                validationFraction, lambda1, lambda2, lambda3, temperature, topK, svdK, teacherKind, warmupRatio,
                weightDecay, maxGradNorm, evalEvery, seed);
    }

    /** @return these options with another seed */
    public LmFineTuneOptions withSeed(long s) {
        return new LmFineTuneOptions(method, rank, alpha, pissaNiter, lr, maxSteps, epochs, batch, accumulation, blockLength,
                validationFraction, lambda1, lambda2, lambda3, temperature, topK, svdK, teacherKind, warmupRatio,
                weightDecay, maxGradNorm, evalEvery, s);
    }

    /** @return these options evaluating every {@code n} steps */
    public LmFineTuneOptions withEvalEvery(long n) {
        return new LmFineTuneOptions(method, rank, alpha, pissaNiter, lr, maxSteps, epochs, batch, accumulation, blockLength,
                validationFraction, lambda1, lambda2, lambda3, temperature, topK, svdK, teacherKind, warmupRatio,
                weightDecay, maxGradNorm, n, seed);
    }
}
