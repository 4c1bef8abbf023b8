package dev.balora.models.finetune;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.balora.ConsistencyCosineMse;
import dev.balora.core.balora.DiversityCovariance;
import dev.balora.core.balora.Schedule;
import dev.balora.core.balora.SvdRegularizer;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
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
    private FineTuneRun() {}

    /**
     * @param method         the method trained
     * @param summary        the trainer's summary (steps, losses, throughput)
     * @param evaluation     metrics on the evaluation set at the end
     * @param setupSeconds   wall time to build the model and initialise adapters (PiSSA's SVDs)
     * @param trainSeconds   wall time of training, evaluations included
     * @param adapters       what was injected
     * @param model          the trained model (adapters unmerged)
     * @param loraConfig     the adapter settings
     * @param predictions    per-example predictions of the final model on the evaluation set
     * @param test           the final model on the held-out test set, or null when the run had none
     */
    public record Result(Method method, TrainingSummary summary, Map<String, Double> evaluation, double setupSeconds,
                         double trainSeconds, LoraInjector.Summary adapters, BertForSequenceClassification model,
                         LoraConfig loraConfig, ClassifierPredictions predictions, ClassifierPredictions test) {}

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
     * held-out {@code test} set once with the final model. The test set never influences training or the logged
     * evaluations, so one run serves both model selection (on eval) and the final report (on test).
     *
     * @param test      held-out examples with the training set's labels, or null for none
     * @param outDir    receives metrics.jsonl, summary.json and checkpoints
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
     * result equals an uninterrupted run's bit for bit; with nothing to continue the run starts.
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
                teacher, 64);
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
        listeners.forEach(trainer::addListener);
        long t1 = System.nanoTime();
        model.train();
        TrainingSummary summary = control.train(trainer);
        // The trainer always evaluates last, so the task's latest predictions are the final model's; predicting again
        // would cost a second pass over the evaluation set.
        ClassifierPredictions predictions = task.lastPredictions() != null ? task.lastPredictions() : task.predict(evalEnc);
        Map<String, Double> metrics = summary.finalEval() != null && !summary.finalEval().isEmpty()
                ? summary.finalEval() : predictions.evaluation().metrics();
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        ClassifierPredictions testPredictions = test == null ? null
                : task.predict(new EncodedDataset(test, enc.tokenizer(), o.maxLength()));
        return new Result(o.method(), summary, metrics, setup, trainSeconds, adapted.adapters(), model, loraConfig(o),
                predictions, testPredictions);
    }
}
