package dev.balora.cli;

import dev.balora.core.lora.Teacher;
import dev.balora.core.train.TrainingStoppedException;
import dev.balora.models.decoder.GenerationConfig;
import dev.balora.models.finetune.Method;
import dev.balora.models.lm.LmFineTuneOptions;
import dev.balora.models.lm.LmFineTuneRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code balora finetune-lm} (also reached as {@code balora finetune --task lm}): LoRA / PiSSA / BA-LoRA fine-tuning of
 * a decoder saved by {@code balora pretrain}, on plain text (default: Persuasion, the novel the base never saw),
 * reporting validation perplexity before and after, with the NLG regularizer settings of SPEC §2.4.
 */
@Command(name = "finetune-lm", mixinStandardHelpOptions = true,
        description = "Fine-tune a pretrained decoder on plain text with LoRA, PiSSA or BA-LoRA (perplexity).")
final class FinetuneLmCommand implements RunArguments.ResumableCommand {
    // Not required=true for picocli: `finetune-lm --resume DIR` takes it from the saved command line.
    @Option(names = "--model", description = "the base: a directory written by balora pretrain (OUT/model); required")
    Path model;
    @Option(names = "--text", split = ",", description = "plain-text files (default: Persuasion)")
    List<Path> text;
    @Option(names = "--method", defaultValue = "balora", description = "lora | pissa | balora (default: ${DEFAULT-VALUE})")
    String method;
    @Option(names = "--rank", defaultValue = "8")
    int rank;
    @Option(names = "--lr", defaultValue = "-1", description = "learning rate (default: the recipe's)")
    double lr;
    @Option(names = "--max-steps", defaultValue = "-1", description = "optimizer steps (default: one epoch)")
    long maxSteps;
    @Option(names = "--batch", defaultValue = "-1", description = "blocks per micro-batch (default: the recipe's)")
    int batch;
    @Option(names = "--block", defaultValue = "-1", description = "tokens per block (default: the recipe's)")
    int block;
    @Option(names = "--seed", defaultValue = "42")
    long seed;
    @Option(names = "--lambda-scale", defaultValue = "1", description = "multiplies the recipe's λ1/λ2/λ3 (a λ sweep; "
            + "default: ${DEFAULT-VALUE})")
    double lambdaScale = 1;
    @Option(names = "--prompt", defaultValue = "Anne Elliot", description = "prompt for a sample continuation at the end")
    String prompt;
    @Option(names = "--out", description = "output directory (default: runs/finetune-lm-<time>)")
    Path out;
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

    static FinetuneLmCommand fromClassificationCommand(FinetuneCommand c, Path model) {
        FinetuneLmCommand f = new FinetuneLmCommand();
        f.model = model;
        f.method = c.training.method;
        f.rank = c.training.rank;
        f.lr = c.training.lr;
        f.maxSteps = c.training.maxSteps > 0 ? c.training.maxSteps : -1;
        f.batch = -1;
        f.block = -1;
        f.seed = c.training.seed;
        f.prompt = "Anne Elliot";
        f.out = c.out;
        f.text = c.train == null ? null : List.of(c.train);
        return f;
    }

    @Override
    public Integer call() throws Exception {
        if (resumable.resume != null) {
            return RunArguments.resume(spec, resumable.resume);
        }
        return train(spec, continuing, resumable.checkpointEvery);
    }

    /**
     * Validates the options and trains.
     *
     * @param command         the command as parsed: finetune-lm itself, or finetune --task lm (whose command line is
     *                        the one saved for --resume)
     * @param continuingRun   whether this continues the run in the output folder
     * @param checkpointEvery the checkpoint interval
     */
    int train(CommandSpec command, boolean continuingRun, long checkpointEvery) throws Exception {
        OptionChecks.finite("--lr", lr); // NaN is not "<= 0, use the recipe's"
        if (model == null) {
            throw new UserInputException("finetune-lm: --model is required (a directory written by balora pretrain)");
        }
        if (!Files.isDirectory(model) || !Files.exists(model.resolve("config.json"))) {
            throw new UserInputException("--model " + model + ": expected a directory written by balora pretrain "
                    + "(config.json, model.safetensors, tokenizer.json)");
        }
        Method m;
        try {
            m = Method.parse(method);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (!(lambdaScale >= 0) || !Double.isFinite(lambdaScale)) {
            throw new UserInputException("--lambda-scale: expected a finite value >= 0, got " + lambdaScale);
        }
        LmFineTuneOptions d = LmFineTuneOptions.defaults(m);
        int maxPositions = dev.balora.models.decoder.HfDecoderConfigJson.read(model.resolve("config.json")).maxPositions();
        if (block > maxPositions) {
            throw new UserInputException("--block " + block + " exceeds the model's max positions " + maxPositions);
        }
        int blockLength = block > 0 ? block : Math.min(d.blockLength(), maxPositions);
        LmFineTuneOptions o = new LmFineTuneOptions(m, rank, rank, d.pissaNiter(), lr > 0 ? lr : d.lr(),
                maxSteps > 0 ? maxSteps : d.maxSteps(), d.epochs(), batch > 0 ? batch : d.batch(), d.accumulation(),
                blockLength, d.validationFraction(), d.lambda1() * lambdaScale, d.lambda2() * lambdaScale,
                d.lambda3() * lambdaScale,
                d.temperature(), d.topK(), d.svdK(), Teacher.Kind.ORIGINAL, d.warmupRatio(), d.weightDecay(),
                d.maxGradNorm(), d.evalEvery(), seed);
        Path dir = out != null ? out : Path.of("runs", "finetune-lm-" + RunNames.timestamp());
        List<String> docs = text == null ? dev.balora.models.lm.LmCorpora.fineTuning() : PretrainCommand.readTexts(text);
        try (ResumableRun run = ResumableRun.open(command, dir, continuingRun, checkpointEvery)) {
            System.out.printf(Locale.ROOT, "balora finetune-lm: %s on %s -> %s%s%n", m.cliName(), model, dir,
                    continuingRun ? " (resuming)" : "");
            ProgressListener progress = new ProgressListener(m.cliName());
            LmFineTuneRun.Result r;
            try {
                r = LmFineTuneRun.run(model, docs, o, dir, run.control(continuingRun), List.of(progress));
            } catch (TrainingStoppedException e) {
                return run.stopped(e);
            } finally {
                progress.close();
            }
            return finish(run, r, m, dir);
        }
    }

    private int finish(ResumableRun run, LmFineTuneRun.Result r, Method m, Path dir) throws Exception {
        LmFineTuneRun.saveAdapter(r, dir.resolve("adapter"));
        System.out.printf(Locale.ROOT, "%s: validation perplexity %.2f -> %.2f (%d train / %d validation blocks, %.0f s)%n",
                m.cliName(), r.perplexityBefore(), r.perplexityAfter(), r.trainBlocks(), r.validationBlocks(), r.trainSeconds());
        String sample = r.lm().continueText(prompt, GenerationConfig.sampled(40, 0.8, 40, 0.95, seed));
        System.out.println("sample: " + prompt + sample);
        run.completed();
        System.out.println("wrote " + dir + " (metrics.jsonl, summary.json, adapter/)");
        return 0;
    }
}
