package dev.balora.cli;

import dev.balora.core.backend.Backends;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.FoodReviews;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.finetune.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora demo}: the embedded main job. all-MiniLM-L6-v2 (from its Maven artifact) fine-tuned on the shipped
 * food-review sentiment data with LoRA, PiSSA and BA-LoRA — same split, same seed, same budget — then a comparison
 * table, adapters, metrics and loss/accuracy curves in {@code runs/demo-<time>/}.
 *
 * <p>The default budget is sized to finish in well under 15 minutes on 2 cores: a stratified subset of the 4,000
 * training reviews, reviews truncated to 64 tokens, one epoch, evaluation on a stratified subset of the held-out
 * test reviews. Every size is a flag.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fine-tune MiniLM on the shipped food reviews with LoRA, PiSSA and BA-LoRA and compare them.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--train-rows", defaultValue = "1200", description = "training reviews used (stratified subset of 4,000; default: ${DEFAULT-VALUE})")
    int trainRows;
    @Option(names = "--eval-rows", defaultValue = "500", description = "held-out test reviews evaluated (of 1,000; default: ${DEFAULT-VALUE})")
    int evalRows;
    @Option(names = "--max-length", defaultValue = "64", description = "tokens per review (default: ${DEFAULT-VALUE})")
    int maxLength;
    @Option(names = "--epochs", defaultValue = "1", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--batch", defaultValue = "16", description = "micro-batch size (default: ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--methods", defaultValue = "lora,pissa,balora", split = ",", description = "methods to compare (default: ${DEFAULT-VALUE})")
    List<String> methods;
    @Option(names = "--seed", defaultValue = "42", description = "one seed for split, init and order (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", description = "output directory (default: runs/demo-<time>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : Path.of("runs", "demo-" + RunNames.timestamp());
        Files.createDirectories(dir);
        TextClassificationDataset train = DataFiles.subset(FoodReviews.train(), trainRows, seed);
        TextClassificationDataset test = DataFiles.subset(FoodReviews.test(), evalRows, seed);
        System.out.println(Backends.report().format().lines().findFirst().orElse(""));
        System.out.printf(Locale.ROOT, "balora demo: all-MiniLM-L6-v2 on food reviews: %d train / %d held-out test reviews, "
                + "max %d tokens, %d epoch(s), batch %d, lr %.0e -> %s%n", train.size(), test.size(), maxLength, epochs, batch, lr, dir);
        PretrainedEncoder enc = PretrainedEncoder.load("minilm");
        List<FineTuneRun.Result> results = new ArrayList<>();
        List<RunRecorder> recs = new ArrayList<>();
        for (String name : methods) {
            Method m;
            try {
                m = Method.parse(name);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
            FineTuneOptions o = FineTuneOptions.defaults(m).withSeed(seed).withSchedule(lr, epochs, 0, batch, maxLength)
                    .withEvalEvery(Math.max(1, train.size() / batch / 2)); // mid-epoch and final evaluations
            RunRecorder rec = new RunRecorder(m.cliName());
            Path runDir = dir.resolve(m.cliName());
            FineTuneRun.Result r = FineTuneRun.run(enc, train, test, o, runDir, List.of(rec, new ProgressListener(m.cliName())));
            RunOutputs.writeAdapter(runDir.resolve("adapter"), r, enc, train.labels().labels());
            results.add(r);
            recs.add(rec);
            System.out.printf(Locale.ROOT, "%s: accuracy %.4f, macro-F1 %.4f, %.0f s%n", m.cliName(),
                    r.evaluation().get("accuracy"), r.evaluation().get("macro_f1"), r.trainSeconds());
        }
        String setup = String.format(Locale.ROOT, "Data: shipped food reviews, %d training rows (stratified from 4,000), "
                + "evaluated on %d held-out test rows; max %d tokens; %d epoch(s); batch %d; lr %.0e; r = 8, α = 8; seed %d; "
                + "backend %s.", train.size(), test.size(), maxLength, epochs, batch, lr, seed, Backends.active().name());
        boolean plotted = Plots.lossAndAccuracy(dir, recs, System.err);
        RunOutputs.writeResultsTable(dir, results, recs, "all-MiniLM-L6-v2", setup, plotted, "<method>/metrics.jsonl");
        System.out.println();
        System.out.println(RunOutputs.table(results));
        System.out.println("wrote " + dir + " (results.md, " + (plotted ? "loss.png, accuracy.png, " : "")
                + "<method>/adapter, <method>/metrics.jsonl)");
        return 0;
    }
}
