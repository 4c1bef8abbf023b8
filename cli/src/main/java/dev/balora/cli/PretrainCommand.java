package dev.balora.cli;

import dev.balora.models.lm.PretrainOptions;
import dev.balora.models.lm.PretrainRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora pretrain}: trains a byte-level BPE tokenizer and a small LLaMA-style decoder from scratch on plain text
 * (default: five of the shipped Austen novels) and saves it as a Hugging Face directory. No pre-trained causal LM is
 * reachable from these machines, so this is how the decoder side gets a base: a self-pretrained model, said plainly.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pre-train a small decoder (and its BPE tokenizer) on plain text; save it in Hugging Face format.")
final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--text", split = ",", description = "plain-text files (default: the Austen novels other than Persuasion)")
    List<Path> text;
    @Option(names = "--smoke", description = "a tiny model and 20 steps (seconds), to see the pipeline work")
    boolean smoke;
    @Option(names = "--max-steps", defaultValue = "-1", description = "optimizer steps (default: the recipe's)")
    long maxSteps;
    @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", description = "output directory (default: runs/pretrain-<time>); the model goes to OUT/model")
    Path out;

    @Override
    public Integer call() throws Exception {
        PretrainOptions d = smoke ? PretrainOptions.smoke() : PretrainOptions.defaults();
        PretrainOptions o = new PretrainOptions(d.vocabSize(), d.bpeMinFrequency(), d.hidden(), d.layers(), d.heads(),
                d.kvHeads(), d.intermediate(), d.blockLength(), d.batch(), d.accumulation(), d.lr(),
                maxSteps >= 0 ? maxSteps : d.maxSteps(), d.epochs(), d.warmupRatio(), d.weightDecay(), d.maxGradNorm(),
                d.validationFraction(), d.evalEvery(), seed);
        Path dir = out != null ? out : Path.of("runs", "pretrain-" + RunNames.timestamp());
        List<String> docs = text == null ? null : readTexts(text);
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "balora pretrain: d=%d, %d layers, %d heads, vocab %d, block %d, %d steps -> %s%n",
                o.hidden(), o.layers(), o.heads(), o.vocabSize(), o.blockLength(), o.maxSteps(), dir);
        List<dev.balora.core.train.TrainingListener> listeners = List.of(new ProgressListener("pretrain"));
        PretrainRun.Result r = docs == null ? PretrainRun.run(o, dir, listeners) : PretrainRun.run(docs, o, dir, listeners);
        System.out.printf(Locale.ROOT, "pretrained %,d parameters on %d blocks in %.0f s (tokenizer %.0f s): validation "
                + "perplexity %.2f%nwrote %s%n", r.parameters(), r.trainBlocks(), r.trainSeconds(), r.tokenizerSeconds(),
                r.perplexity(), r.modelDir());
        return 0;
    }

    static List<String> readTexts(List<Path> files) throws java.io.IOException {
        List<String> docs = new ArrayList<>();
        for (Path p : files) {
            if (!Files.isRegularFile(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString());
            }
            String s = Files.readString(p);
            if (s.isBlank()) {
                throw new UserInputException(p + ": empty text");
            }
            docs.add(s);
        }
        return docs;
    }
}
