package dev.balora.cli;

import dev.balora.core.lora.Teacher;
import dev.balora.core.train.TrainingStoppedException;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.finetune.Method;
import dev.balora.models.finetune.RegularizationTarget;
import java.nio.file.Files;
import java.nio.file.Path;
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
        FineTuneOptions o = training.toOptions();
        Path dir = out != null ? out : Path.of("runs", "finetune-" + RunNames.timestamp());
        if (predictions != null) {
            OutputPaths.requireWritableParent(predictions, "--predictions");
        }
        if (testPredictions != null) {
            OutputPaths.requireWritableParent(testPredictions, "--test-predictions");
        }
        TextClassificationDataset tr = DataFiles.readTraining(train, textColumn, labelColumn);
        TextClassificationDataset ev = DataFiles.read(eval, textColumn, labelColumn, tr.labels());
        TextClassificationDataset te = test == null ? null : DataFiles.read(test, textColumn, labelColumn, tr.labels());
        tr = DataFiles.subset(tr, maxTrain, o.seed());
        ev = DataFiles.subset(ev, maxEval, o.seed());
        // The model and the output folder are checked before the run folder is opened: a refused start writes nothing.
        PretrainedEncoder enc = PretrainedEncoder.load(model);
        OptionChecks.fitsModel(o.rank(), Math.min(enc.config().hidden(), enc.config().intermediate()), o.maxLength(),
                enc.config().maxPositions(), enc.name());
        OutputPaths.prepareDirectory(dir, "--out");
        try (ResumableRun run = ResumableRun.open(spec, dir, continuing, resumable.checkpointEvery)) {
            return train(run, enc, o, dir, tr, ev, te);
        }
    }

    private int train(ResumableRun run, PretrainedEncoder enc, FineTuneOptions o, Path dir, TextClassificationDataset tr,
                      TextClassificationDataset ev, TextClassificationDataset te) throws Exception {
        System.out.printf(Locale.ROOT, "balora finetune: %s on %s (%d train / %d eval rows, %d labels) -> %s%s%n",
                o.method().cliName(), enc.name(), tr.size(), ev.size(), tr.labels().size(), dir,
                continuing ? " (resuming)" : "");
        ProgressListener progress = new ProgressListener(o.method().cliName());
        FineTuneRun.Result r;
        try {
            r = FineTuneRun.run(enc, tr, ev, te, o, dir, run.control(continuing), List.of(progress));
        } catch (TrainingStoppedException e) {
            return run.stopped(e);
        } finally {
            progress.close();
        }
        List<String> labels = tr.labels().labels();
        PredictionsFile.write(predictions != null ? predictions : dir.resolve(PredictionsFile.DEFAULT_NAME), r.predictions(), labels);
        if (r.test() != null) {
            PredictionsFile.write(testPredictions != null ? testPredictions : dir.resolve(PredictionsFile.TEST_NAME), r.test(), labels);
            PredictionsFile.writeMetrics(dir.resolve(PredictionsFile.TEST_METRICS_NAME), r.test(), test);
            Map<String, Double> m = r.test().evaluation().metrics();
            System.out.printf(Locale.ROOT, "test %s (%d rows): accuracy %.4f, macro-F1 %.4f, MCC %.4f%n", test, te.size(),
                    m.get("accuracy"), m.get("macro_f1"), m.get("mcc"));
        }
        RunOutputs.writeAdapter(dir.resolve("adapter"), r, enc, labels, o.maxLength());
        // From the log, not a listener: a resumed run's log also holds the steps before the stop.
        List<RunRecorder> recs = List.of(RunRecorder.fromLog(o.method().cliName(), dir.resolve("metrics.jsonl")));
        boolean plotted = Plots.lossAndAccuracy(dir, recs, System.err);
        RunOutputs.writeResultsTable(dir, List.of(r), recs, enc.name(), String.format(Locale.ROOT,
                "Data: %s (%d rows) / %s (%d rows).", train, tr.size(), eval, ev.size()), plotted, "metrics.jsonl");
        run.completed();
        System.out.println(RunOutputs.table(List.of(r)));
        System.out.println("wrote " + dir);
        return 0;
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
            double a = alpha > 0 ? alpha : rank;
            return new FineTuneOptions(m, rank, a, pissaNiter, lr, epochs, maxSteps, batch, accum, maxLength, lambda1, lambda2,
                    lambda3, svdK, tg, tk, !noTeacherCache, warmup, weightDecay, maxGradNorm, evalEvery, seed);
        }
    }
}
