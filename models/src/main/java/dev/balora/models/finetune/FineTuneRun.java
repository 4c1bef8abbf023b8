package dev.balora.models.finetune;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.Schedule;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.train.CheckpointState;
import dev.balora.core.train.EvalRecord;
import dev.balora.core.train.LrSchedule;
import dev.balora.core.train.RunControl;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainerConfig;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingSummary;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.data.TextClassificationDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One classification fine-tune, start to finish: model, adapters, objective, trainer, final evaluation. */
public final class FineTuneRun {
    /** Where the best validation parameters are kept inside the run directory. */
    public static final String BEST_DIR = "best";

    private FineTuneRun() {}

    /**
     * @param method         the method trained
     * @param summary        the trainer's summary (steps, losses, throughput)
     * @param evaluation     metrics on the evaluation set of the model kept (the best validation one with
     *                       {@link FineTuneOptions#keepBest()}, else the final one)
     * @param setupSeconds   wall time to build the model and initialise adapters (PiSSA's SVDs)
     * @param trainSeconds   wall time of training, evaluations included
     * @param adapters       what was injected
     * @param model          the trained model (adapters unmerged), holding the kept parameters
     * @param loraConfig     the adapter settings
     * @param predictions    per-example predictions of the kept model on the evaluation set
     * @param test           the kept model on the held-out test set, or null when the run had none
     * @param selection      the best validation evaluation and the early-stopping outcome, or null when neither
     *                       early stopping nor best-checkpoint selection was on
     */
    public record Result(Method method, TrainingSummary summary, Map<String, Double> evaluation, double setupSeconds,
                         double trainSeconds, LoraInjector.Summary adapters, BertForSequenceClassification model,
                         LoraConfig loraConfig, ClassifierPredictions predictions, ClassifierPredictions test,
                         Selection selection) {}

    /**
     * What validation selection decided.
     *
     * @param bestStep       the step of the best evaluation (the parameters kept when {@code restored})
     * @param bestMetrics    its metrics
     * @param evaluations    evaluations seen
     * @param stoppedEarly   whether patience ended the run before its last step
     * @param restored       whether the best parameters were restored for the outputs
     * @param lastIsBest     whether the best evaluation was the last one (still improving: not converged)
     */
    public record Selection(long bestStep, Map<String, Double> bestMetrics, int evaluations, boolean stoppedEarly,
                            boolean restored, boolean lastIsBest) {}

    /** The LoRA settings a method uses on a BERT encoder; the classification head is trained fully. */
    public static LoraConfig loraConfig(FineTuneOptions o) {
        return new LoraConfig(o.rank(), o.alpha(), 0.0, false, o.method().init(o.pissaNiter()), LoraConfig.BERT_TARGETS,
                List.of("classifier"), o.seed());
    }

    /** The BA-LoRA objective of the options (NLU terms: cosine_mse, covariance, nuclear SVD; constant weights). */
    public static BaLoraObjective objective(FineTuneOptions o) {
        List<BaLoraObjective.Term> terms = new ArrayList<>();
        if (o.lambda1() > 0) {
            terms.add(new BaLoraObjective.Term("consistency", new ConsistencyCosineMse(), o.lambda1(), Schedule.CONSTANT));
        }
        if (o.lambda2() > 0) {
            terms.add(new BaLoraObjective.Term("diversity", new DiversityCovariance(), o.lambda2(), Schedule.CONSTANT));
        }
        if (o.lambda3() > 0) {
            terms.add(new BaLoraObjective.Term("svd", new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, o.svdK(), o.seed()),
                    o.lambda3(), Schedule.CONSTANT));
        }
        return new BaLoraObjective(terms);
    }

    /** A classifier with adapters injected, and what the injection did. */
    public record AdaptedModel(BertForSequenceClassification model, LoraInjector.Summary adapters) {}

    /** Builds the classifier from the pre-trained encoder and injects adapters per the method. */
    public static AdaptedModel buildModel(PretrainedEncoder enc, int numLabels, FineTuneOptions o) {
        BertForSequenceClassification model = enc.newClassifier(numLabels, o.seed(), BertOptions.defaults());
        return new AdaptedModel(model, LoraInjector.inject(model, loraConfig(o)));
    }

    /**
     * Trains and evaluates, without a separate test set.
     *
     * @param outDir    receives metrics.jsonl, summary.json and checkpoints
     * @param listeners progress listeners (the CLI's progress bar)
     */
    public static Result run(PretrainedEncoder enc, TextClassificationDataset train, TextClassificationDataset eval,
                             FineTuneOptions o, Path outDir, List<TrainingListener> listeners) throws IOException {
        return run(enc, train, eval, null, o, outDir, listeners);
    }

    /**
     * Trains, evaluates on {@code eval} (during and at the end of training, as the trainer does), then predicts the
     * held-out {@code test} set once with the kept model (the best validation one with {@code keepBest}, else the
     * final one). The test set never influences training, selection or the logged evaluations, so one run serves
     * both model selection (on eval) and the final report (on test).
     *
     * @param test      held-out examples with the training set's labels, or null for none
     * @param outDir    receives metrics.jsonl, summary.json, {@code checkpoint/} and {@code best/}
     * @param listeners progress listeners (the CLI's progress bar)
     */
    public static Result run(PretrainedEncoder enc, TextClassificationDataset train, TextClassificationDataset eval,
                             TextClassificationDataset test, FineTuneOptions o, Path outDir,
                             List<TrainingListener> listeners) throws IOException {
        return run(enc, train, eval, test, o, outDir, RunControl.NONE, listeners);
    }

    /**
     * As {@link #run(PretrainedEncoder, TextClassificationDataset, TextClassificationDataset, TextClassificationDataset,
     * FineTuneOptions, Path, List)}, with checkpoints, resume and a stop signal per {@code control}. With
     * {@code control.resume()}, a run that {@code outDir} holds continues from its checkpoint (the same data and
     * options must be given: the trainer refuses a checkpoint of another seed, batching, length or data size) and the
     * result equals an uninterrupted run's bit for bit, validation selection included (the evaluations logged before
     * the checkpoint are replayed, the best parameters are on disk); with nothing to continue the run starts.
     *
     * @throws dev.balora.core.train.TrainingStoppedException when {@code control.stop()} was requested: the step in
     *                                                        progress was finished and checkpointed
     */
    public static Result run(PretrainedEncoder enc, TextClassificationDataset train, TextClassificationDataset eval,
                             TextClassificationDataset test, FineTuneOptions o, Path outDir, RunControl control,
                             List<TrainingListener> listeners) throws IOException {
        long t0 = System.nanoTime();
        AdaptedModel adapted = buildModel(enc, train.labels().size(), o);
        BertForSequenceClassification model = adapted.model();
        EncodedDataset trainEnc = new EncodedDataset(train, enc.tokenizer(), o.maxLength());
        EncodedDataset evalEnc = new EncodedDataset(eval, enc.tokenizer(), o.maxLength());
        BaLoraObjective objective = o.method().regularized() ? objective(o) : null;
        Teacher teacher = objective == null ? null : new Teacher(model, o.teacherKind(), o.teacherCache());
        SequenceClassificationTask task = new SequenceClassificationTask(model, trainEnc, evalEnc, objective, o.target(),
                teacher, 64, o.effectiveHeadLr() / o.lr());
        double setup = (System.nanoTime() - t0) / 1e9;
        TrainerConfig.Builder b = TrainerConfig.builder(outDir).microBatchSize(o.batch()).gradientAccumulationSteps(o.accumulation())
                .learningRate(o.lr()).warmupRatio(o.warmupRatio()).decay(LrSchedule.Decay.LINEAR).weightDecay(o.weightDecay())
                .maxGradNorm(o.maxGradNorm()).evalEvery(o.evalEvery()).seed(o.seed());
        control.applyTo(b);
        if (o.maxSteps() > 0) {
            b.maxSteps(o.maxSteps());
        } else {
            b.epochs(o.epochs());
        }
        Trainer trainer = new Trainer(task, b.build());
        ValidationSelection selection = null;
        BestCheckpoint best = new BestCheckpoint(outDir.resolve(BEST_DIR));
        if (o.keepBest() || o.patience() > 0) {
            // registered first: the best parameters are on disk before any other listener (or a checkpoint) runs
            selection = new ValidationSelection(o.patience(),
                    o.keepBest() ? r -> best.save(task.trainableParameters(), r.step()) : null);
            trainer.addListener(selection);
            trainer.stopAfterEvaluationWhen(selection::shouldStop);
        }
        listeners.forEach(trainer::addListener);
        long t1 = System.nanoTime();
        model.train();
        if (control.resume() && selection != null && trainer.checkpoints().exists()) {
            // the trainer continues from the checkpoint: the selection continues from the evaluations logged before it
            CheckpointState state = trainer.checkpoints().read();
            selection.replay(ValidationSelection.evaluationsIn(outDir.resolve(Trainer.METRICS_FILE), state.metricsBytes()));
        }
        TrainingSummary summary = control.train(trainer);
        ClassifierPredictions predictions;
        Map<String, Double> metrics;
        Selection chosen = null;
        if (selection != null) {
            EvalRecord top = selection.requireBest();
            boolean restored = false;
            if (o.keepBest()) {
                best.restore(task.trainableParameters(), top.step());
                restored = true;
                predictions = task.predict(evalEnc);
                requireSame(top, predictions.evaluation().metrics());
                metrics = top.metrics();
            } else {
                predictions = task.lastPredictions() != null ? task.lastPredictions() : task.predict(evalEnc);
                metrics = summary.finalEval();
            }
            chosen = new Selection(top.step(), top.metrics(), selection.evaluations(), summary.stoppedEarly(), restored,
                    top.step() == summary.steps() && selection.evaluationsSinceBest() == 0);
        } else {
            // The trainer always evaluates last, so the task's latest predictions are the final model's; predicting
            // again would cost a second pass over the evaluation set.
            predictions = task.lastPredictions() != null ? task.lastPredictions() : task.predict(evalEnc);
            metrics = summary.finalEval() != null && !summary.finalEval().isEmpty()
                    ? summary.finalEval() : predictions.evaluation().metrics();
        }
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        ClassifierPredictions testPredictions = test == null ? null
                : task.predict(new EncodedDataset(test, enc.tokenizer(), o.maxLength()));
        return new Result(o.method(), summary, metrics, setup, trainSeconds, adapted.adapters(), model, loraConfig(o),
                predictions, testPredictions, chosen);
    }

    /** The restored best parameters must reproduce the logged evaluation exactly, or the restore went wrong. */
    private static void requireSame(EvalRecord logged, Map<String, Double> recomputed) {
        for (String k : List.of("accuracy", "loss")) {
            Double a = logged.metrics().get(k);
            Double b = recomputed.get(k);
            if (a != null && !a.equals(b)) {
                throw new IllegalStateException("best checkpoint of step " + logged.step() + ": validation " + k + " was "
                        + a + " when logged but " + b + " after the restore");
            }
        }
    }
}
