package dev.balora.cli;

import dev.balora.models.decoder.GenerationConfig;
import dev.balora.models.lm.LmFineTuneRun;
import dev.balora.models.lm.PretrainedLm;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code balora generate}: continue a prompt with a decoder (optionally with a fine-tuned adapter), KV-cached. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a pretrained decoder.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a directory written by balora pretrain (OUT/model)")
    Path model;
    @Option(names = "--adapter", description = "a PEFT adapter written by balora finetune-lm")
    Path adapter;
    @Option(names = "--prompt", required = true)
    String prompt;
    @Option(names = "--max-new-tokens", defaultValue = "60")
    int maxNewTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default)")
    double temperature;
    @Option(names = "--top-k", defaultValue = "0")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;
    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!java.nio.file.Files.exists(model.resolve("config.json"))) {
            throw new UserInputException("--model " + model + ": no config.json (expected a directory written by balora pretrain)");
        }
        PretrainedLm lm = adapter == null ? PretrainedLm.load(model) : LmFineTuneRun.loadWithAdapter(model, adapter);
        GenerationConfig cfg = temperature <= 0 ? GenerationConfig.greedy(maxNewTokens)
                : GenerationConfig.sampled(maxNewTokens, temperature, topK, topP, seed);
        System.out.println(prompt + lm.continueText(prompt, cfg));
        return 0;
    }
}
