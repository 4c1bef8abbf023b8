package dev.balora.cli;

import dev.balora.core.train.RunControl;
import dev.balora.core.train.TrainingStoppedException;
import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.lm.LmCorpora;
import dev.balora.models.lm.PretrainOptions;
import dev.balora.models.lm.PretrainRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code balora pretrain}: trains a byte-level BPE tokenizer and a small LLaMA-style decoder from scratch on plain text
 * (default: five of the shipped Austen novels) and saves it as a Hugging Face directory. No pre-trained causal LM is
 * reachable from these machines, so this is how the decoder side gets a base: a self-pretrained model, said plainly.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pre-train a small decoder (and its BPE tokenizer) on plain text; save it in Hugging Face format.")
final class PretrainCommand implements RunArguments.ResumableCommand {
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
    @Option(names = "--tokenizer", description = "reuse this tokenizer.json (e.g. another base's OUT/model/tokenizer.json) "
            + "instead of training a BPE; --vocab is then ignored")
    Path tokenizer;
    // Size and schedule overrides (0 = the recipe's): small controlled experiments need bases of minutes, not the
    // default's quarter hour.
    @Option(names = "--vocab", defaultValue = "0", description = "BPE vocabulary size (default: the recipe's)")
    int vocab;
    @Option(names = "--hidden", defaultValue = "0", description = "d (default: the recipe's)")
    int hidden;
    @Option(names = "--layers", defaultValue = "0", description = "decoder blocks (default: the recipe's)")
    int layers;
    @Option(names = "--heads", defaultValue = "0", description = "attention heads, also the key/value heads (default: the recipe's)")
    int heads;
    @Option(names = "--intermediate", defaultValue = "0", description = "SwiGLU width (default: the recipe's, or 8d/3 rounded to 8 with --hidden)")
    int intermediate;
    @Option(names = "--block", defaultValue = "0", description = "tokens per block, also the model's window (default: the recipe's)")
    int block;
    @Option(names = "--batch", defaultValue = "0", description = "blocks per optimizer step (default: the recipe's)")
    int batch;
    @Option(names = "--lr", defaultValue = "0", description = "peak learning rate (default: the recipe's)")
    double lr;
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
        PretrainOptions d = smoke ? PretrainOptions.smoke() : PretrainOptions.defaults();
        PretrainOptions o = options(smoke ? PretrainOptions.smoke() : PretrainOptions.defaults());
        Path dir = out != null ? out : Path.of("runs", "pretrain-" + RunNames.timestamp());
        List<String> docs = text == null ? LmCorpora.pretraining() : readTexts(text);
        BpeTokenizer given = null;
        if (tokenizer != null) {
            if (!Files.isRegularFile(tokenizer)) {
                throw new java.nio.file.NoSuchFileException(tokenizer.toString());
            }
            given = BpeTokenizer.load(tokenizer);
            if (given.tokenToId(PretrainRun.END_OF_TEXT) < 0) {
                throw new UserInputException("--tokenizer " + tokenizer + ": expected a " + PretrainRun.END_OF_TEXT
                        + " token (a tokenizer written by balora pretrain), got none");
            }
        }
        try (ResumableRun run = ResumableRun.open(spec, dir, continuing, resumable.checkpointEvery)) {
            System.out.printf(Locale.ROOT, "balora pretrain: d=%d, %d layers, %d heads, vocab %d, block %d, %d steps -> %s%s%n",
                    o.hidden(), o.layers(), o.heads(), o.vocabSize(), o.blockLength(), o.maxSteps(), dir,
                    continuing ? " (resuming)" : "");
            ProgressListener progress = new ProgressListener("pretrain");
            PretrainRun.Result r;
            try {
                RunControl control = run.control(continuing);
                r = PretrainRun.run(docs, given, o, dir, control, List.of(progress));
            } catch (TrainingStoppedException e) {
                return run.stopped(e);
            } finally {
                progress.close();
            }
            run.completed();
            System.out.printf(Locale.ROOT, "pretrained %,d parameters on %d blocks in %.0f s (tokenizer %.0f s): validation "
                    + "perplexity %.2f%nwrote %s%n", r.parameters(), r.trainBlocks(), r.trainSeconds(), r.tokenizerSeconds(),
                    r.perplexity(), r.modelDir());
            return 0;
        }
    }

    /** The recipe with this command's overrides applied (an override of 0 keeps the recipe's value). */
    PretrainOptions options(PretrainOptions d) {
        int h = hidden > 0 ? hidden : d.hidden();
        int nHeads = heads > 0 ? heads : d.heads();
        if (h % nHeads != 0) {
            throw new UserInputException("--hidden " + h + " / --heads " + nHeads + ": expected d divisible by the heads");
        }
        // a changed d without an explicit width gets the LLaMA ratio 8d/3, rounded up to a multiple of 8
        int ffn = intermediate > 0 ? intermediate : hidden > 0 ? (8 * h / 3 + 7) / 8 * 8 : d.intermediate();
        int kv = heads > 0 ? heads : d.kvHeads();
        try {
            return new PretrainOptions(vocab > 0 ? vocab : d.vocabSize(), d.bpeMinFrequency(), h,
                    layers > 0 ? layers : d.layers(), nHeads, kv, ffn, block > 0 ? block : d.blockLength(),
                    batch > 0 ? batch : d.batch(), d.accumulation(), lr > 0 ? lr : d.lr(),
                    maxSteps >= 0 ? maxSteps : d.maxSteps(), d.epochs(), d.warmupRatio(), d.weightDecay(), d.maxGradNorm(),
                    d.validationFraction(), d.evalEvery(), seed);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
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
