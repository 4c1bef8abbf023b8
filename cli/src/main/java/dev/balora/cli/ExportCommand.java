package dev.balora.cli;

import dev.balora.core.lora.LoraInit;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.hf.AdapterFolder;
import dev.balora.models.hf.BaseFolder;
import dev.balora.models.hf.HubBase;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora export}: re-writes an adapter as a Hugging Face adapter folder ({@link AdapterFolder}); with
 * {@code --to-lora}, as the rank-2r plain-LoRA conversion against the original weights (SPEC §1.4). With
 * {@code --base}, writes a pre-trained base encoder as Hugging Face files ({@link BaseFolder}).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write an adapter as a Hugging Face folder (PEFT adapter + sentence-transformers head; optionally "
                + "converted to plain rank-2r LoRA), or a base model as Hugging Face files.",
                "  balora export --adapter DIR --out DIR [--model minilm|bge-small|DIR] [--to-lora]",
                "  balora export --base minilm|bge-small|DIR --out DIR [--max-length N]"})
final class ExportCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--adapter", required = true, description = "adapter directory written by balora finetune")
        Path adapter;
        @Option(names = "--base", required = true, description = "a base model to write as Hugging Face files: "
                + "minilm | bge-small | DIR")
        String base;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;
    @Option(names = "--model", defaultValue = "minilm",
            description = "with --adapter: the base it was trained on: minilm | bge-small | DIR (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--out", required = true, description = "output directory")
    Path out;
    @Option(names = "--to-lora", description = "with --adapter: convert to plain LoRA of rank 2r against the original weights")
    boolean toLora;
    @Option(names = "--max-length", defaultValue = "0", description = "tokens per text written as model_max_length and "
            + "max_seq_length (default: the run's, recorded with the adapter; with --base, the published model's)")
    int maxLength;

    @Override
    public Integer call() throws Exception {
        if (maxLength != 0 && maxLength < 3) {
            throw new UserInputException("--max-length: expected an integer >= 3, got " + maxLength);
        }
        if (source.base != null) {
            if (toLora) {
                throw new UserInputException("--to-lora applies to --adapter, not to --base");
            }
            PretrainedEncoder enc = PretrainedEncoder.load(source.base);
            if (maxLength > enc.config().maxPositions()) {
                throw new UserInputException("--max-length " + maxLength + ": the model has "
                        + enc.config().maxPositions() + " positions");
            }
            HubBase written = BaseFolder.write(out, enc, maxLength);
            System.out.println("wrote " + out + " (" + written.nameOrPath() + ": " + enc.weights().size() + " tensors, "
                    + written.pooling().name().toLowerCase(java.util.Locale.ROOT) + " pooling"
                    + (written.normalize() ? " + normalize" : "") + ", " + written.maxSeqLength() + " tokens)");
            return 0;
        }
        PretrainedEncoder enc = PretrainedEncoder.load(model);
        AdapterModels.Loaded loaded = AdapterModels.load(enc, source.adapter);
        int length = MergeCommand.maxLength(maxLength, source.adapter, enc);
        Map<String, Object> settings = new LinkedHashMap<>(loaded.adapter().baloraSettings());
        var cfg = loaded.adapter().loraConfig();
        AdapterFolder.write(out, loaded.model(), cfg, enc, loaded.labels().labels(), length, settings, toLora);
        System.out.println("wrote " + out + (toLora ? " (plain LoRA, r = " + 2 * cfg.r() + ")" : " (r = " + cfg.r() + ")")
                + (toLora && cfg.init() instanceof LoraInit.Kaiming ? "; note: the source was already plain LoRA, the "
                + "conversion only doubles the rank" : ""));
        return 0;
    }
}
