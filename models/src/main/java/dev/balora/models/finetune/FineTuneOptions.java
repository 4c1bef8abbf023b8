package dev.balora.models.finetune;

import dev.balora.core.lora.Teacher;

/**
 * Everything a classification fine-tune needs besides the data. Defaults follow SPEC §1.2 (r = 8, α = r) and the NLU
 * regularizer setting of §2.4 (λ = 0.15 / 0.03 / 0.03, k = 5, nuclear, pooled target, constant weights).
 *
 * @param method        lora | pissa | balora
 * @param rank          LoRA rank r
 * @param alpha         α (s = α/r)
 * @param pissaNiter    0 = exact PiSSA SVD; K &gt; 0 = randomized with K power iterations
 * @param lr            peak learning rate
 * @param epochs        epochs (ignored when maxSteps &gt; 0)
 * @param maxSteps      optimizer steps, or 0 to use epochs
 * @param batch         micro-batch size
 * @param accumulation  gradient-accumulation steps
 * @param maxLength     tokens per example after truncation (including [CLS]/[SEP])
 * @param lambda1       consistency weight
 * @param lambda2       diversity weight
 * @param lambda3       SVD weight
 * @param svdK          k of the SVD term
 * @param target        what the regularizers see
 * @param teacherKind   original (W) or residual (W_res) teacher
 * @param teacherCache  cache teacher outputs per example
 * @param warmupRatio   fraction of steps of linear warm-up
 * @param weightDecay   AdamW weight decay
 * @param maxGradNorm   global-norm clipping (0 = off)
 * @param evalEvery     evaluate every N optimizer steps (0 = only at the end)
 * @param seed          drives init, data order, dropout and randomized SVD
 */
public record FineTuneOptions(Method method, int rank, double alpha, int pissaNiter, double lr, int epochs, long maxSteps,
                              int batch, int accumulation, int maxLength, double lambda1, double lambda2, double lambda3,
                              int svdK, RegularizationTarget target, Teacher.Kind teacherKind, boolean teacherCache,
                              double warmupRatio, double weightDecay, double maxGradNorm, long evalEvery, long seed) {
    /** The defaults for a method. */
    public static FineTuneOptions defaults(Method method) {
        return new FineTuneOptions(method, 8, 8, 0, 5e-4, 1, 0, 16, 1, 128, 0.15, 0.03, 0.03, 5,
                RegularizationTarget.POOLED, Teacher.Kind.ORIGINAL, true, 0.06, 0.0, 1.0, 0, 42);
    }

    public FineTuneOptions withMethod(Method m) {
        return new FineTuneOptions(m, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength, lambda1,
                lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm, evalEvery, seed);
    }

    public FineTuneOptions withSchedule(double newLr, int newEpochs, long newMaxSteps, int newBatch, int newMaxLength) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, newLr, newEpochs, newMaxSteps, newBatch, accumulation,
                newMaxLength, lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay,
                maxGradNorm, evalEvery, seed);
    }

    public FineTuneOptions withSeed(long newSeed) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength,
                lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm,
                evalEvery, newSeed);
    }

    public FineTuneOptions withEvalEvery(long n) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength,
                lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm,
                n, seed);
    }
}
