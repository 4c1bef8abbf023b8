package dev.balora.models.finetune;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.Teacher;
import dev.balora.core.nn.Linear;
import dev.balora.core.ops.Constants;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import dev.balora.core.train.Evaluation;
import dev.balora.core.train.MicroBatchLoss;
import dev.balora.core.train.StepContext;
import dev.balora.core.train.TrainingTask;
import dev.balora.models.bert.BertForSequenceClassification;
import java.util.Map;

/**
 * Sequence classification with a BERT encoder carrying LoRA adapters, trained with cross-entropy and — for BA-LoRA —
 * the regularizers on the pooled representation (default) or on the class logits.
 *
 * <p>The teacher is the original pre-trained model (adapters at their initial values, eval mode, no gradient).
 * With {@link RegularizationTarget#LOGITS}, its logits use the classification head as it was initialised — never the
 * head being trained (one reference-code generation compared against a freshly random head; SPEC §4).
 */
public final class SequenceClassificationTask implements TrainingTask {
    private final BertForSequenceClassification model;
    private final EncodedDataset train;
    private final EncodedDataset eval;
    private final BaLoraObjective objective;
    private final RegularizationTarget target;
    private final Teacher teacher;
    private final Tensor headWeight0;
    private final Tensor headBias0;
    private final int evalBatch;
    private final double headLrScale;
    /** Predictions of the latest {@link #evaluate()} (the trainer's final evaluation, once training ends). */
    private ClassifierPredictions lastPredictions;

    /**
     * @param model     the classifier with adapters already injected
     * @param train     tokenized training examples
     * @param eval      tokenized evaluation examples
     * @param objective BA-LoRA terms, or null for plain task loss (LoRA, PiSSA)
     * @param target    what the regularizers see
     * @param teacher   how the teacher is computed, or null when {@code objective} is null
     */
    public SequenceClassificationTask(BertForSequenceClassification model, EncodedDataset train, EncodedDataset eval,
                                      BaLoraObjective objective, RegularizationTarget target, Teacher teacher, int evalBatch) {
        this(model, train, eval, objective, target, teacher, evalBatch, 1.0);
    }

    /**
     * @param headLrScale the classification head's learning rate relative to the adapters' (head lr / lr; 1 = the
     *                    same), applied through {@link #learningRateScales()}
     */
    public SequenceClassificationTask(BertForSequenceClassification model, EncodedDataset train, EncodedDataset eval,
                                      BaLoraObjective objective, RegularizationTarget target, Teacher teacher, int evalBatch,
                                      double headLrScale) {
        if (!(headLrScale > 0) || !Double.isFinite(headLrScale)) {
            throw new IllegalArgumentException("classification task: head lr scale must be finite and > 0, got " + headLrScale);
        }
        this.headLrScale = headLrScale;
        this.model = model;
        this.train = train;
        this.eval = eval;
        this.objective = objective;
        this.target = target;
        this.teacher = teacher;
        this.evalBatch = evalBatch;
        // The initial head is only needed when the teacher's logits are the target.
        boolean needsHead = objective != null && target == RegularizationTarget.LOGITS;
        Linear head = (Linear) model.child("classifier");
        this.headWeight0 = needsHead ? Constants.like(head.weight(), head.weight().toDoubleArray(), head.weight().shape()) : null;
        this.headBias0 = needsHead ? Constants.like(head.bias(), head.bias().toDoubleArray(), head.bias().shape()) : null;
    }

    @Override
    public int size() {
        return train.size();
    }

    @Override
    public Map<String, Tensor> trainableParameters() {
        return TrainingTask.trainableOf(model);
    }

    /** The head's parameters ({@code classifier.*}) get {@code headLrScale}; every adapter keeps 1. */
    @Override
    public Map<String, Double> learningRateScales() {
        if (headLrScale == 1.0) {
            return Map.of();
        }
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (String name : trainableParameters().keySet()) {
            if (name.startsWith("classifier.")) {
                out.put(name, headLrScale);
            }
        }
        return out;
    }

    @Override
    public MicroBatchLoss loss(int[] exampleIds, StepContext context) {
        EncodedDataset.Batch b = train.batch(exampleIds);
        model.reseed(context.seed()); // dropout masks depend on (run seed, step, micro-batch) only: exact resume
        BertForSequenceClassification.Output out = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t());
        Tensor ce = Ops.crossEntropy(out.logits(), b.labels());
        if (objective == null) {
            return MicroBatchLoss.of(ce, b.tokens());
        }
        long[] keys = new long[exampleIds.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = exampleIds[i];
        }
        Tensor teacherZ = teacher.outputs(() -> teacherTarget(b), keys);
        Tensor student = target == RegularizationTarget.POOLED ? out.pooled() : out.logits();
        return MicroBatchLoss.of(objective.compute(ce, student, teacherZ, context.step(), context.totalSteps()), b.tokens());
    }

    /** Runs under the teacher's mode switch: pooled output, or logits through the initial head. */
    private Tensor teacherTarget(EncodedDataset.Batch b) {
        Tensor pooled = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).pooled();
        if (target == RegularizationTarget.POOLED) {
            return pooled;
        }
        return Ops.add(Ops.matmul(pooled, headWeight0, false, true), headBias0);
    }

    @Override
    public Evaluation evaluate() {
        lastPredictions = predict(eval);
        return lastPredictions.evaluation();
    }

    /**
     * @return the per-example predictions of the latest {@link #evaluate()} on the evaluation set, or null before the
     *         first; after {@code Trainer.run()} these are the final model's (the trainer always evaluates last)
     */
    public ClassifierPredictions lastPredictions() {
        return lastPredictions;
    }

    /** Per-example predictions and class probabilities on any encoded dataset. */
    public ClassifierPredictions predict(EncodedDataset data) {
        return ClassifierEvaluation.predict(model, data, evalBatch);
    }

    /** Accuracy-style evaluation on any encoded dataset (argmax of the logits). */
    public Evaluation.Classification evaluate(EncodedDataset data) {
        return ClassifierEvaluation.evaluate(model, data, evalBatch);
    }

    /** @return the model being trained */
    public BertForSequenceClassification model() {
        return model;
    }
}
