package dev.balora.cli;

import dev.balora.models.PretrainedEncoder;
import dev.balora.models.hf.AdapterFolder;
import dev.balora.models.hf.MergedFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora merge}: folds the adapter into the weights (W = W_res + s·B·A) and writes the classifier as a
 * Hugging Face folder ({@link MergedFolder}): a transformers {@code BertModel} with label maps, plus the
 * sentence-transformers pooling and linear head that make {@code SentenceTransformer(dir).encode} give its logits.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge an adapter into the base weights and write a Hugging Face / sentence-transformers model.")
final class MergeCommand implements Callable<Integer> {
    /** Tokens per text when an adapter predates the record of its run's length: balora finetune's default. */
    static final int DEFAULT_MAX_LENGTH = 128;

    @picocli.CommandLine.Mixin
    AdapterOptions source = new AdapterOptions();
    @Option(names = "--out", required = true, description = "output directory")
    Path out;
    @Option(names = "--max-length", defaultValue = "0", description = "tokens per text written as model_max_length and "
            + "max_seq_length (default: the run's, recorded with the adapter)")
    int maxLength;

    @Override
    public Integer call() throws Exception {
        if (maxLength != 0 && maxLength < 3) {
            throw new UserInputException("--max-length: expected an integer >= 3, got " + maxLength);
        }
        PretrainedEncoder enc = PretrainedEncoder.load(source.model);
        AdapterModels.Loaded loaded = AdapterModels.load(enc, source.adapter);
        int length = maxLength(maxLength, source.adapter, enc);
        MergedFolder.write(out, loaded.model(), enc, loaded.labels().labels(), length);
        System.out.println("wrote merged model to " + out + " (labels " + String.join(",", loaded.labels().labels())
                + "; " + length + " tokens)");
        return 0;
    }

    /**
     * @return {@code option} when set, else the adapter's recorded run length, else {@link #DEFAULT_MAX_LENGTH} (said)
     * @throws UserInputException when {@code option} exceeds the model's positions
     */
    static int maxLength(int option, Path adapter, PretrainedEncoder enc) throws IOException {
        if (option > enc.config().maxPositions()) {
            throw new UserInputException("--max-length " + option + ": the model has " + enc.config().maxPositions()
                    + " positions");
        }
        if (option > 0) {
            return option;
        }
        int recorded = AdapterFolder.recordedMaxLength(adapter);
        if (recorded > 0) {
            return recorded;
        }
        System.out.println("note: " + adapter + " does not record its run's --max-length; writing " + DEFAULT_MAX_LENGTH
                + " (set --max-length)");
        return DEFAULT_MAX_LENGTH;
    }
}
