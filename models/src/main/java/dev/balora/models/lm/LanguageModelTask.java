package dev.balora.models.lm;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.Teacher;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import dev.balora.core.train.Evaluation;
import dev.balora.core.train.MicroBatchLoss;
import dev.balora.core.train.StepContext;
import dev.balora.core.train.TrainingTask;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.LmBatch;
import dev.balora.models.decoder.LmData;
import dev.balora.models.decoder.LmExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Next-token prediction with a {@link CausalLm} for the {@link dev.balora.core.train.Trainer}: the loss is
 * {@link CausalLm#lmForward}'s mean cross-entropy over labelled positions; evaluation sums the negative
 * log-likelihood over every labelled validation position ({@link Evaluation.LanguageModel}: nll, perplexity).
 *
 * <p>With a BA-LoRA objective, the regularizers see the logits at the labelled positions,
 * {@link BaLoraObjective#validPositions} of [N, T, V] → [M, V] (SPEC §2), for the student and for the teacher — the
 * original model, i.e. the same modules with every adapter at its initial value ({@link Teacher}). The teacher is not
 * cached: its target is M·V values per block (128·4096 doubles = 4 MB), which would not fit in memory for a corpus.
 */
public final class LanguageModelTask implements TrainingTask {
    private final CausalLm model;
    private final List<LmExample> train;
    private final List<LmExample> validation;
    private final BaLoraObjective objective;
    private final Teacher teacher;
    private final int evalBatch;
    private final int padId;

    /**
     * @param model      the decoder (all parameters trainable for pre-training; adapters injected for fine-tuning)
     * @param train      training blocks (≥ 1)
     * @param validation validation blocks (≥ 1)
     * @param objective  BA-LoRA terms, or null for the plain LM loss
     * @param teacher    the frozen original model's outputs, or null when {@code objective} is null
     * @param evalBatch  blocks per evaluation forward pass (≥ 1)
     */
    public LanguageModelTask(CausalLm model, List<LmExample> train, List<LmExample> validation, BaLoraObjective objective,
                             Teacher teacher, int evalBatch) {
        if (train.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("LanguageModelTask: expected training and validation blocks, got "
                    + train.size() + " and " + validation.size());
        }
        if ((objective == null) != (teacher == null)) {
            throw new IllegalArgumentException("LanguageModelTask: a BA-LoRA objective needs a teacher and vice versa");
        }
        if (evalBatch < 1) {
            throw new IllegalArgumentException("LanguageModelTask.evalBatch: expected >= 1, got " + evalBatch);
        }
        this.model = model;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
        this.objective = objective;
        this.teacher = teacher;
        this.evalBatch = evalBatch;
        // Blocks all have the same length, so no padding happens; pad with a valid id all the same.
        this.padId = Math.max(model.config().eosTokenId(), 0);
    }

    /** A plain language-modelling task (pre-training, LoRA, PiSSA). */
    public static LanguageModelTask plain(CausalLm model, List<LmExample> train, List<LmExample> validation) {
        return new LanguageModelTask(model, train, validation, null, null, 16);
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Map<String, Tensor> trainableParameters() {
        return TrainingTask.trainableOf(model);
    }

    @Override
    public MicroBatchLoss loss(int[] exampleIds, StepContext context) {
        LmBatch b = batch(train, exampleIds);
        model.reseed(context.seed()); // dropout masks depend on (run seed, step, micro-batch) only: exact resume
        CausalLm.LmOutput out = model.lmForward(b.ids(), b.labels(), b.n(), b.t());
        long tokens = labelled(b.labels());
        if (objective == null) {
            return MicroBatchLoss.of(out.loss(), tokens);
        }
        Tensor student = BaLoraObjective.validPositions(out.logits(), b.labels(), CausalLm.IGNORE_INDEX);
        Tensor teacherZ = teacher.outputs(() -> BaLoraObjective.validPositions(model.forward(b.ids(), b.n(), b.t()),
                b.labels(), CausalLm.IGNORE_INDEX), null);
        return MicroBatchLoss.of(objective.compute(out.loss(), student, teacherZ, context.step(), context.totalSteps()),
                tokens);
    }

    @Override
    public Evaluation evaluate() {
        return evaluate(validation);
    }

    /**
     * Summed NLL over every labelled position of {@code blocks}, in eval mode and without gradients (the model's mode
     * is restored).
     *
     * @param blocks blocks to score (≥ 1)
     * @return nll sum and token count
     */
    public Evaluation.LanguageModel evaluate(List<LmExample> blocks) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double nll = 0;
        long tokens = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int start = 0; start < blocks.size(); start += evalBatch) {
                int n = Math.min(evalBatch, blocks.size() - start);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = start + i;
                }
                LmBatch b = batch(blocks, idx);
                long m = labelled(b.labels());
                // The loss is the mean over the batch's labelled positions; weight it back to a sum.
                nll += model.lmLoss(b.ids(), b.labels(), b.n(), b.t()).item() * m;
                tokens += m;
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return new Evaluation.LanguageModel(nll, tokens);
    }

    /** @return the model being trained */
    public CausalLm model() {
        return model;
    }

    /** @return the validation blocks */
    public List<LmExample> validation() {
        return validation;
    }

    private LmBatch batch(List<LmExample> blocks, int[] ids) {
        List<LmExample> picked = new ArrayList<>(ids.length);
        for (int i : ids) {
            picked.add(blocks.get(i));
        }
        return LmData.batch(picked, padId);
    }

    private static long labelled(int[] labels) {
        long m = 0;
        for (int l : labels) {
            m += l != CausalLm.IGNORE_INDEX ? 1 : 0;
        }
        return m;
    }
}
