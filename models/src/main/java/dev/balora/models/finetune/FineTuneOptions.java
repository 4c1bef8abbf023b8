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
 * @param headLr        peak lr of the classification head (same schedule), or 0 to train it at {@code lr}
 * @param patience      early stopping: stop after this many evaluations in a row without a better validation result
 *                      (0 = never stop early); needs {@code evalEvery} &gt; 0
 * @param keepBest      restore the parameters of the best validation result at the end (adapter, predictions and
 *                      the test pass use them); "better" is {@link ValidationSelection}'s rule
 */
public record FineTuneOptions(Method method, int rank, double alpha, int pissaNiter, double lr, int epochs, long maxSteps,
                              int batch, int accumulation, int maxLength, double lambda1, double lambda2, double lambda3,
                              int svdK, RegularizationTarget target, Teacher.Kind teacherKind, boolean teacherCache,
                              double warmupRatio, double weightDecay, double maxGradNorm, long evalEvery, long seed,
                              double headLr, int patience, boolean keepBest) {
    public FineTuneOptions {
        if (!(headLr >= 0) || !Double.isFinite(headLr)) {
            throw new IllegalArgumentException("fine-tune options: headLr must be finite and >= 0 (0 = lr), got " + headLr);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("fine-tune options: patience must be >= 0, got " + patience);
        }
        if ((patience > 0 || keepBest) && evalEvery <= 0) {
            throw new IllegalArgumentException("fine-tune options: early stopping and keeping the best checkpoint need "
                    + "evaluations during training (evalEvery > 0)");
        }
    }

    /** The options of protocol v1: the head at the adapter's lr, no early stopping, the last model kept. */
    public FineTuneOptions(Method method, int rank, double alpha, int pissaNiter, double lr, int epochs, long maxSteps,
                           int batch, int accumulation, int maxLength, double lambda1, double lambda2, double lambda3,
                           int svdK, RegularizationTarget target, Teacher.Kind teacherKind, boolean teacherCache,
                           double warmupRatio, double weightDecay, double maxGradNorm, long evalEvery, long seed) {
        this(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength, lambda1, lambda2,
                lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm, evalEvery, seed,
                0, 0, false);
    }

    /** The defaults for a method. */
    public static FineTuneOptions defaults(Method method) {
        return new FineTuneOptions(method, 8, 8, 0, 5e-4, 1, 0, 16, 1, 128, 0.15, 0.03, 0.03, 5,
                RegularizationTarget.POOLED, Teacher.Kind.ORIGINAL, true, 0.06, 0.0, 1.0, 0, 42);
    }

    /** @return the head's peak lr: {@code headLr}, or {@code lr} when it is 0 */
    public double effectiveHeadLr() {
        return headLr > 0 ? headLr : lr;
    }

    public FineTuneOptions withMethod(Method m) {
        return new FineTuneOptions(m, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength, lambda1,
                lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm, evalEvery, seed, headLr, patience, keepBest);
    }

    public FineTuneOptions withSchedule(double newLr, int newEpochs, long newMaxSteps, int newBatch, int newMaxLength) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, newLr, newEpochs, newMaxSteps, newBatch, accumulation,
                newMaxLength, lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay,
                maxGradNorm, evalEvery, seed, headLr, patience, keepBest);
    }

    public FineTuneOptions withSeed(long newSeed) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength,
                lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm,
                evalEvery, newSeed, headLr, patience, keepBest);
    }

    public FineTuneOptions withEvalEvery(long n) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength,
                lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm,
                n, seed, headLr, patience, keepBest);
    }

    /**
     * @return these options with protocol v2's controls: the head's own lr (0 = lr), early-stopping patience (0 =
     *     off) and whether the best validation checkpoint is restored
     */
    public FineTuneOptions withSelection(double newHeadLr, int newPatience, boolean newKeepBest) {
        return new FineTuneOptions(method, rank, alpha, pissaNiter, lr, epochs, maxSteps, batch, accumulation, maxLength,
                lambda1, lambda2, lambda3, svdK, target, teacherKind, teacherCache, warmupRatio, weightDecay, maxGradNorm,
                evalEvery, seed, newHeadLr, newPatience, newKeepBest);
    }
}
