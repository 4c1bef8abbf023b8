package dev.balora.cli;

import dev.balora.core.lora.Teacher;
import dev.balora.models.decoder.GenerationConfig;
import dev.balora.models.finetune.Method;
import dev.balora.models.lm.LmFineTuneOptions;
import dev.balora.models.lm.LmFineTuneRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora finetune-lm} (also reached as {@code balora finetune --task lm}): LoRA / PiSSA / BA-LoRA fine-tuning of
 * a decoder saved by {@code balora pretrain}, on plain text (default: Persuasion, the novel the base never saw),
 * reporting validation perplexity before and after, with the NLG regularizer settings of SPEC §2.4.
 */
@Command(name = "finetune-lm", mixinStandardHelpOptions = true,
        description = "Fine-tune a pretrained decoder on plain text with LoRA, PiSSA or BA-LoRA (perplexity).")
final class FinetuneLmCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the base: a directory written by balora pretrain (OUT/model)")
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
        List<String> docs = text == null ? null : PretrainCommand.readTexts(text);
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "balora finetune-lm: %s on %s -> %s%n", m.cliName(), model, dir);
        List<dev.balora.core.train.TrainingListener> listeners = List.of(new ProgressListener(m.cliName()));
        LmFineTuneRun.Result r = docs == null ? LmFineTuneRun.run(model, o, dir, listeners)
                : LmFineTuneRun.run(model, docs, o, dir, listeners);
        LmFineTuneRun.saveAdapter(r, dir.resolve("adapter"));
        System.out.printf(Locale.ROOT, "%s: validation perplexity %.2f -> %.2f (%d train / %d validation blocks, %.0f s)%n",
                m.cliName(), r.perplexityBefore(), r.perplexityAfter(), r.trainBlocks(), r.validationBlocks(), r.trainSeconds());
        String sample = r.lm().continueText(prompt, GenerationConfig.sampled(40, 0.8, 40, 0.95, seed));
        System.out.println("sample: " + prompt + sample);
        System.out.println("wrote " + dir + " (metrics.jsonl, summary.json, adapter/)");
        return 0;
    }
}
