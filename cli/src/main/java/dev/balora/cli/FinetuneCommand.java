package dev.balora.cli;

import dev.balora.core.lora.Teacher;
import dev.balora.core.train.RunControl;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingStoppedException;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.finetune.Method;
import dev.balora.models.finetune.RegularizationTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code balora finetune}: one classification fine-tune with LoRA, PiSSA or BA-LoRA. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = "Fine-tune a BERT-family encoder for text classification with LoRA, PiSSA or BA-LoRA.")
final class FinetuneCommand implements RunArguments.ResumableCommand {
    @Option(names = "--model", defaultValue = "minilm", description = "minilm | bge-small | a Hugging Face BERT directory (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--task", defaultValue = "classification", description = "classification | lm (lm: see finetune-lm; "
            + "--model is then a directory written by balora pretrain and --train a plain-text file)")
    String task;
    @Option(names = "--train", description = "training data: .tsv, .csv or .jsonl with text and label (required for classification)")
    Path train;
    @Option(names = "--eval", description = "evaluation data, same format and labels (required for classification)")
    Path eval;
    @Option(names = "--test", description = "held-out test data, same format and labels: predicted once with the final "
            + "model (test_metrics.json, test_predictions.tsv); never used for training or the logged evaluations")
    Path test;
    @Option(names = "--predictions", description = "per-example predictions on --eval after the final evaluation "
            + "(TSV: index, gold, predicted, p_<label>...; default: <out>/predictions.tsv)")
    Path predictions;
    @Option(names = "--test-predictions", description = "per-example predictions on --test (default: <out>/test_predictions.tsv)")
    Path testPredictions;
    @Option(names = "--text-column", defaultValue = "text", description = "text column / field (default: ${DEFAULT-VALUE})")
    String textColumn;
    @Option(names = "--label-column", defaultValue = "label", description = "label column / field (default: ${DEFAULT-VALUE})")
    String labelColumn;
    @Option(names = "--max-train", defaultValue = "0", description = "use a stratified subset of at most N training rows (0 = all)")
    int maxTrain;
    @Option(names = "--max-eval", defaultValue = "0", description = "use a stratified subset of at most N evaluation rows (0 = all)")
    int maxEval;
    @Option(names = "--out", description = "output directory (default: runs/finetune-<time>)")
    Path out;
    @picocli.CommandLine.Mixin
    TrainingOptions training = new TrainingOptions();
    @picocli.CommandLine.Mixin
    ResumableRun.Options resumable = new ResumableRun.Options();
    @Spec
    CommandSpec spec;
    /** Set when this instance continues a run from its saved command line. */
    private boolean continuing;

    @Override
    public void continueRun() {
        continuing = true;
    }

    @Override
    public Integer call() throws Exception {
        if (resumable.resume != null) {
            return RunArguments.resume(spec, resumable.resume);
        }
        if (Files.isDirectory(Path.of(model)) && !List.of("minilm", "bge-small").contains(model.toLowerCase(Locale.ROOT))) {
            model = Path.of(model).toAbsolutePath().normalize().toString(); // saved for --resume from anywhere
        }
        if (task.equalsIgnoreCase("lm")) {
            return FinetuneLmCommand.fromClassificationCommand(this, Path.of(model)).train(spec, continuing,
                    resumable.checkpointEvery);
        }
        if (!task.equalsIgnoreCase("classification")) {
            throw new UserInputException("--task: expected classification or lm, got '" + task + "'");
        }
        if (train == null || eval == null) {
            throw new UserInputException("finetune: --train and --eval are required for classification");
        }
        // bad options and bad data fail before the output folder is touched
        Data data = readData(training.toOptions());
        Path dir = out != null ? out : Path.of("runs", "finetune-" + RunNames.timestamp());
        if (predictions != null) {
            OutputPaths.requireWritableParent(predictions, "--predictions");
        }
        if (testPredictions != null) {
            OutputPaths.requireWritableParent(testPredictions, "--test-predictions");
        }
        // The model and the output folder are checked before the run folder is opened: a refused start writes nothing.
        PretrainedEncoder enc = PretrainedEncoder.load(model);
        checkFits(training.toOptions(), enc);
        OutputPaths.prepareDirectory(dir, "--out");
        try (ResumableRun run = ResumableRun.open(spec, dir, continuing, resumable.checkpointEvery)) {
            FineTuneRun.Result r;
            try {
                r = execute(name -> enc, dir, run.control(continuing), true, List.of(), data);
            } catch (TrainingStoppedException e) {
                return run.stopped(e);
            }
            run.completed();
            System.out.println(RunOutputs.table(List.of(r)));
            System.out.println("wrote " + dir);
            return 0;
        }
    }

    /** Refuses a rank or sequence length the model cannot take (one line, before anything is written). */
    private static void checkFits(FineTuneOptions o, PretrainedEncoder enc) {
        OptionChecks.fitsModel(o.rank(), Math.min(enc.config().hidden(), enc.config().intermediate()), o.maxLength(),
                enc.config().maxPositions(), enc.name());
    }

    /** Loads encoders by --model name (the sweep keeps them loaded across grid points). */
    @FunctionalInterface
    interface EncoderSource {
        PretrainedEncoder get(String nameOrDir) throws java.io.IOException;
    }

    /**
     * Runs this command's classification fine-tune in {@code dir} and writes every file of a run: settings.json,
     * metrics.jsonl, summary.json, selection.json (with early stopping or --select best), predictions.tsv, the test
     * files, adapter/, results.md and the plots. {@code balora sweep} calls this for each grid point, which is why a
     * point and the equivalent {@code balora finetune} command give the same bits.
     *
     * @param control     checkpoints, resume and stop signal of the run
     * @param interactive progress bar and console lines (off in the sweep, which logs one line per point)
     * @param extra       more listeners on the trainer (tests interrupt a run with one)
     * @throws TrainingStoppedException when the control's stop signal was requested (a checkpoint was committed)
     */
    FineTuneRun.Result execute(EncoderSource encoders, Path dir, RunControl control, boolean interactive,
                               List<TrainingListener> extra) throws Exception {
        if (train == null || eval == null) {
            throw new UserInputException("finetune: --train and --eval are required for classification");
        }
        return execute(encoders, dir, control, interactive, extra, readData(training.toOptions()));
    }

    /** The training, evaluation and (optional) test sets, subset as the options say. */
    record Data(TextClassificationDataset train, TextClassificationDataset eval, TextClassificationDataset test) {}

    private Data readData(FineTuneOptions o) throws java.io.IOException {
        TextClassificationDataset tr = DataFiles.readTraining(train, textColumn, labelColumn);
        TextClassificationDataset ev = DataFiles.read(eval, textColumn, labelColumn, tr.labels());
        TextClassificationDataset te = test == null ? null : DataFiles.read(test, textColumn, labelColumn, tr.labels());
        return new Data(DataFiles.subset(tr, maxTrain, o.seed()), DataFiles.subset(ev, maxEval, o.seed()), te);
    }

    private FineTuneRun.Result execute(EncoderSource encoders, Path dir, RunControl control, boolean interactive,
                                       List<TrainingListener> extra, Data data) throws Exception {
        FineTuneOptions o = training.toOptions();
        TextClassificationDataset tr = data.train();
        TextClassificationDataset ev = data.eval();
        TextClassificationDataset te = data.test();
        PretrainedEncoder enc = encoders.get(model);
        checkFits(o, enc);
        Files.createDirectories(dir);
        Map<String, Object> settings = settings(o, enc, tr, ev, te);
        RunOutputs.writeJson(dir.resolve(RunOutputs.SETTINGS_FILE), settings);
        if (interactive) {
            System.out.printf(Locale.ROOT, "balora finetune: %s on %s (%d train / %d eval rows, %d labels) -> %s%s%n",
                    o.method().cliName(), enc.name(), tr.size(), ev.size(), tr.labels().size(), dir,
                    control.resume() ? " (resuming)" : "");
        }
        ProgressListener progress = interactive ? new ProgressListener(o.method().cliName()) : null;
        List<TrainingListener> listeners = new ArrayList<>();
        if (progress != null) {
            listeners.add(progress);
        }
        listeners.addAll(extra);
        FineTuneRun.Result r;
        try {
            r = FineTuneRun.run(enc, tr, ev, te, o, dir, control, listeners);
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        List<String> labels = tr.labels().labels();
        PredictionsFile.write(predictions != null ? predictions : dir.resolve(PredictionsFile.DEFAULT_NAME), r.predictions(), labels);
        if (r.selection() != null) {
            RunOutputs.writeSelection(dir.resolve(RunOutputs.SELECTION_FILE), r);
        }
        if (r.test() != null) {
            PredictionsFile.write(testPredictions != null ? testPredictions : dir.resolve(PredictionsFile.TEST_NAME), r.test(), labels);
            PredictionsFile.writeMetrics(dir.resolve(PredictionsFile.TEST_METRICS_NAME), r.test(), test);
            if (interactive) {
                Map<String, Double> m = r.test().evaluation().metrics();
                System.out.printf(Locale.ROOT, "test %s (%d rows): accuracy %.4f, macro-F1 %.4f, MCC %.4f%n", test, te.size(),
                        m.get("accuracy"), m.get("macro_f1"), m.get("mcc"));
            }
        }
        RunOutputs.writeAdapter(dir.resolve("adapter"), r, enc, labels, o.maxLength(), settings);
        // From the log, not a listener: a resumed run's log also holds the steps before the stop.
        List<RunRecorder> recs = List.of(RunRecorder.fromLog(o.method().cliName(), dir.resolve("metrics.jsonl")));
        boolean plotted = Plots.lossAndAccuracy(dir, recs, System.err);
        RunOutputs.writeResultsTable(dir, List.of(r), recs, enc.name(), String.format(Locale.ROOT,
                "Data: %s (%d rows) / %s (%d rows).", train, tr.size(), eval, ev.size()), plotted, "metrics.jsonl");
        return r;
    }

    /** Everything that decided the run, as recorded in settings.json and in the adapter's balora_config.json. */
    private Map<String, Object> settings(FineTuneOptions o, PretrainedEncoder enc, TextClassificationDataset tr,
                                         TextClassificationDataset ev, TextClassificationDataset te) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", o.method().cliName());
        m.put("model", enc.name());
        m.put("train", train.toString());
        m.put("eval", eval.toString());
        m.put("test", test == null ? null : test.toString());
        m.put("train_rows", tr.size());
        m.put("eval_rows", ev.size());
        m.put("test_rows", te == null ? 0 : te.size());
        m.put("max_train", maxTrain);
        m.put("max_eval", maxEval);
        m.put("rank", o.rank());
        m.put("alpha", o.alpha());
        m.put("pissa_niter", o.pissaNiter());
        m.put("lr", o.lr());
        m.put("head_lr", o.effectiveHeadLr());
        m.put("epochs", o.epochs());
        m.put("max_steps", o.maxSteps());
        m.put("batch", o.batch());
        m.put("accum", o.accumulation());
        m.put("max_length", o.maxLength());
        m.put("lambda_scale", training.lambdaScale);
        m.put("lambda1", o.lambda1());
        m.put("lambda2", o.lambda2());
        m.put("lambda3", o.lambda3());
        m.put("svd_k", o.svdK());
        m.put("target", o.target().name().toLowerCase(Locale.ROOT));
        m.put("teacher", o.teacherKind().name().toLowerCase(Locale.ROOT));
        m.put("teacher_cache", o.teacherCache());
        m.put("warmup", o.warmupRatio());
        m.put("weight_decay", o.weightDecay());
        m.put("max_grad_norm", o.maxGradNorm());
        m.put("eval_every", o.evalEvery());
        m.put("patience", o.patience());
        m.put("select", o.keepBest() ? "best" : "last");
        m.put("checkpoint_every", resumable.checkpointEvery);
        m.put("seed", o.seed());
        m.put("backend", dev.balora.core.backend.Backends.active().name());
        m.put("threads", System.getProperty("balora.threads", "(available processors)"));
        return m;
    }

    /** Options shared by finetune and demo. */
    static final class TrainingOptions {
        @Option(names = "--method", defaultValue = "balora", description = "lora | pissa | balora (default: ${DEFAULT-VALUE})")
        String method;
        @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r (default: ${DEFAULT-VALUE})")
        int rank;
        @Option(names = "--alpha", defaultValue = "-1", description = "LoRA alpha (default: = rank, so s = 1)")
        double alpha;
        @Option(names = "--pissa-niter", defaultValue = "0", description = "0 = exact PiSSA SVD; K = randomized with K power iterations")
        int pissaNiter;
        @Option(names = "--lr", defaultValue = "5e-4", description = "peak learning rate (default: ${DEFAULT-VALUE})")
        double lr;
        @Option(names = "--epochs", defaultValue = "1", description = "epochs (default: ${DEFAULT-VALUE})")
        int epochs;
        @Option(names = "--max-steps", defaultValue = "0", description = "optimizer steps instead of epochs (0 = use epochs)")
        long maxSteps;
        @Option(names = "--batch", defaultValue = "16", description = "micro-batch size (default: ${DEFAULT-VALUE})")
        int batch;
        @Option(names = "--accum", defaultValue = "1", description = "gradient-accumulation steps (default: ${DEFAULT-VALUE})")
        int accum;
        @Option(names = "--max-length", defaultValue = "128", description = "tokens per example (default: ${DEFAULT-VALUE})")
        int maxLength;
        @Option(names = "--lambda1", defaultValue = "0.15", description = "consistency weight (default: ${DEFAULT-VALUE})")
        double lambda1;
        @Option(names = "--lambda2", defaultValue = "0.03", description = "diversity weight (default: ${DEFAULT-VALUE})")
        double lambda2;
        @Option(names = "--lambda3", defaultValue = "0.03", description = "SVD weight (default: ${DEFAULT-VALUE})")
        double lambda3;
        @Option(names = "--svd-k", defaultValue = "5", description = "k of the SVD term (default: ${DEFAULT-VALUE})")
        int svdK;
        @Option(names = "--target", defaultValue = "pooled", description = "regularization target: pooled | logits (default: ${DEFAULT-VALUE})")
        String target;
        @Option(names = "--teacher", defaultValue = "original", description = "original | residual (default: ${DEFAULT-VALUE})")
        String teacher;
        @Option(names = "--no-teacher-cache", description = "recompute teacher outputs every step")
        boolean noTeacherCache;
        @Option(names = "--warmup", defaultValue = "0.06", description = "warm-up fraction of steps (default: ${DEFAULT-VALUE})")
        double warmup;
        @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW weight decay (default: ${DEFAULT-VALUE})")
        double weightDecay;
        @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "gradient clipping, 0 = off (default: ${DEFAULT-VALUE})")
        double maxGradNorm;
        @Option(names = "--eval-every", defaultValue = "0", description = "evaluate every N steps (0 = at the end)")
        long evalEvery;
        @Option(names = "--seed", defaultValue = "42", description = "seed for init, data order and dropout (default: ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--head-lr", defaultValue = "0", description = "peak lr of the classification head, same schedule "
                + "(default: 0 = the adapters' --lr)")
        double headLr;
        @Option(names = "--lambda-scale", defaultValue = "1", description = "multiplies --lambda1/2/3 (a λ sweep; "
                + "default: ${DEFAULT-VALUE})")
        double lambdaScale;
        @Option(names = "--patience", defaultValue = "0", description = "early stopping: stop after N evaluations in a "
                + "row without a better validation result (accuracy, then loss); needs --eval-every (default: 0 = off)")
        int patience;
        @Option(names = "--select", defaultValue = "last", description = "last | best: keep the final parameters, or "
                + "restore those of the best validation result (adapter, predictions and the test pass use them; "
                + "needs --eval-every) (default: ${DEFAULT-VALUE})")
        String select;

        FineTuneOptions toOptions() {
            Method m;
            RegularizationTarget tg;
            Teacher.Kind tk;
            try {
                m = Method.parse(method);
                tg = RegularizationTarget.valueOf(target.trim().toUpperCase(Locale.ROOT));
                tk = Teacher.Kind.valueOf(teacher.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("bad option value: " + e.getMessage());
            }
            OptionChecks.atLeast("--rank", rank, 1);
            OptionChecks.atLeast("--batch", batch, 1);
            OptionChecks.atLeast("--accum", accum, 1);
            OptionChecks.atLeast("--max-length", maxLength, 3);
            OptionChecks.atLeast("--epochs", epochs, 0);
            OptionChecks.atLeast("--max-steps", maxSteps, 0);
            OptionChecks.atLeast("--svd-k", svdK, 1);
            OptionChecks.atLeast("--pissa-niter", pissaNiter, 0);
            OptionChecks.atLeast("--eval-every", evalEvery, 0);
            OptionChecks.positive("--lr", lr);
            OptionChecks.finite("--alpha", alpha);
            OptionChecks.nonNegative("--lambda1", lambda1);
            OptionChecks.nonNegative("--lambda2", lambda2);
            OptionChecks.nonNegative("--lambda3", lambda3);
            OptionChecks.nonNegative("--weight-decay", weightDecay);
            OptionChecks.nonNegative("--max-grad-norm", maxGradNorm);
            OptionChecks.fraction("--warmup", warmup);
            if (!(headLr >= 0) || !Double.isFinite(headLr)) {
                throw new UserInputException("--head-lr: expected a finite value >= 0 (0 = --lr), got " + headLr);
            }
            if (!(lambdaScale >= 0) || !Double.isFinite(lambdaScale)) {
                throw new UserInputException("--lambda-scale: expected a finite value >= 0, got " + lambdaScale);
            }
            if (patience < 0) {
                throw new UserInputException("--patience must be >= 0");
            }
            boolean keepBest = switch (select.trim().toLowerCase(Locale.ROOT)) {
                case "best" -> true;
                case "last" -> false;
                default -> throw new UserInputException("--select: expected best or last, got '" + select + "'");
            };
            if ((keepBest || patience > 0) && evalEvery <= 0) {
                throw new UserInputException("--patience and --select best need evaluations during training: set --eval-every");
            }
            double a = alpha > 0 ? alpha : rank;
            return new FineTuneOptions(m, rank, a, pissaNiter, lr, epochs, maxSteps, batch, accum, maxLength,
                    lambda1 * lambdaScale, lambda2 * lambdaScale, lambda3 * lambdaScale, svdK, tg, tk, !noTeacherCache,
                    warmup, weightDecay, maxGradNorm, evalEvery, seed, headLr, patience, keepBest);
        }
    }
}
