package dev.balora.cli;

import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.models.PretrainedEncoder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora export}: re-writes an adapter as a validated PEFT adapter directory; with {@code --to-lora}, as the
 * rank-2r plain-LoRA conversion against the original weights (SPEC §1.4).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write an adapter as a PEFT adapter directory (optionally converted to plain rank-2r LoRA).")
final class ExportCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    AdapterOptions source = new AdapterOptions();
    @Option(names = "--out", required = true, description = "output directory")
    Path out;
    @Option(names = "--to-lora", description = "convert to plain LoRA of rank 2r against the original weights")
    boolean toLora;

    @Override
    public Integer call() throws Exception {
        PretrainedEncoder enc = PretrainedEncoder.load(source.model);
        AdapterModels.Loaded loaded = AdapterModels.load(enc, source.adapter);
        Map<String, Object> settings = loaded.adapter().baloraSettings();
        var cfg = loaded.adapter().loraConfig();
        if (toLora) {
            PeftAdapter.saveConverted(out, loaded.model(), cfg, enc.name(), settings);
        } else {
            PeftAdapter.save(out, loaded.model(), cfg, enc.name(), settings);
        }
        System.out.println("wrote " + out + (toLora ? " (plain LoRA, r = " + 2 * cfg.r() + ")" : " (r = " + cfg.r() + ")")
                + (toLora && cfg.init() instanceof LoraInit.Kaiming ? "; note: the source was already plain LoRA, the "
                + "conversion only doubles the rank" : ""));
        return 0;
    }
}
