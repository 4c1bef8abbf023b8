package dev.balora.bench.e2e;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.ops.Ops;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.Tensor;
import dev.balora.core.train.DataOrder;
import dev.balora.core.train.TrainingTask;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import java.util.List;
import java.util.Map;

/**
 * One method's training step on a fixed batch: the model and objective exactly as {@code FineTuneRun} builds them
 * (rank 8, α 8, the six BERT targets, the classifier trained fully, BA-LoRA's NLU terms on the pooled output), then
 * backward and one AdamW update.
 *
 * <p>Dropout is the job's ({@link BertOptions#defaults()}: 0.1 on the hidden states and the attention
 * probabilities, as {@code balora finetune} trains) unless {@code dropout} says otherwise; 0 turns it off so the
 * PyTorch peer can reproduce the loss exactly. As in {@code SequenceClassificationTask.loss}, every step reseeds the
 * dropout generators from (seed, step) first.
 *
 * <p>The step mirrors {@code SequenceClassificationTask.loss} plus the trainer's backward and update; gradient
 * clipping, logging and the learning-rate schedule (constant here) are left out because they cost nothing
 * measurable and the peer does not do them either.
 */
public final class TrainingStep {
    /** AdamW learning rate; weight decay is the fine-tune default 0. */
    public static final double LR = 5e-4;

    /**
     * What one step measured.
     *
     * @param loss       the total loss (task + weighted regularizers) before the update
     * @param forwardNs  forward pass, teacher and loss
     * @param backwardNs backward pass
     * @param optimizerNs AdamW update and clearing the gradients
     */
    public record Timing(double loss, long forwardNs, long backwardNs, long optimizerNs) {
        /** @return forward + backward + optimizer, nanoseconds */
        public long totalNs() {
            return forwardNs + backwardNs + optimizerNs;
        }
    }

    private final BertForSequenceClassification model;
    private final LoraInjector.Summary adapters;
    private final BaLoraObjective objective;
    private final Teacher teacher;
    private final AdamW optimizer;
    private final Map<String, Tensor> trainable;
    private final long seed;
    private long step;

    /** Builds the model from {@code encoder} and injects the adapters of {@code options.method()}. */
    public TrainingStep(PretrainedEncoder encoder, FineTuneOptions options, boolean teacherCache) {
        this(encoder, options, teacherCache, 0.0);
    }

    /**
     * Builds the model from {@code encoder} with dropout probability {@code dropout} on the hidden states and the
     * attention probabilities (0.1 is the job's setting, 0 turns dropout off) and injects the adapters.
     */
    public TrainingStep(PretrainedEncoder encoder, FineTuneOptions options, boolean teacherCache, double dropout) {
        this.seed = options.seed();
        this.model = encoder.newClassifier(2, options.seed(), BertOptions.defaults().withDropout(dropout, dropout));
        this.adapters = LoraInjector.inject(model, FineTuneRun.loraConfig(options));
        this.objective = options.method().regularized() ? FineTuneRun.objective(options) : null;
        this.teacher = objective == null ? null : new Teacher(model, options.teacherKind(), teacherCache);
        this.trainable = TrainingTask.trainableOf(model);
        this.optimizer = new AdamW(List.copyOf(trainable.values()), 0.9, 0.999, 1e-8, options.weightDecay());
        model.train();
    }

    /** Forward, backward and one AdamW step on {@code b}; returns the loss and the time of each phase. */
    public Timing run(ReviewBatches.Batch b) {
        long t0 = System.nanoTime();
        model.reseed(DataOrder.microBatchSeed(seed, step, 0)); // as the trainer: masks depend on (seed, step) only
        BertForSequenceClassification.Output out = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t());
        Tensor loss = Ops.crossEntropy(out.logits(), b.labels());
        if (objective != null) {
            Tensor teacherZ = teacher.outputs(() -> model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).pooled(),
                    b.exampleIds());
            loss = objective.compute(loss, out.pooled(), teacherZ, step, Long.MAX_VALUE).total();
        }
        double value = loss.item();
        long t1 = System.nanoTime();
        loss.backward();
        long t2 = System.nanoTime();
        optimizer.step(LR);
        optimizer.zeroGrad();
        long t3 = System.nanoTime();
        step++;
        return new Timing(value, t1 - t0, t2 - t1, t3 - t2);
    }

    /** @return the model (adapters injected, training mode) */
    public BertForSequenceClassification model() {
        return model;
    }

    /** @return what injection did (adapted layers, trainable parameter count) */
    public LoraInjector.Summary adapters() {
        return adapters;
    }

    /** @return the parameters AdamW updates, by dotted name */
    public Map<String, Tensor> trainable() {
        return trainable;
    }
}
