package dev.balora.cli;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.PretrainedEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code balora merge}: folds the adapter into the weights (W = W_res + s·B·A) and writes a Hugging Face model
 * directory: config.json, model.safetensors ({@code bert.*} encoder + {@code classifier.*} head) and tokenizer.json.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge an adapter into the base weights and write a Hugging Face safetensors model.")
final class MergeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    AdapterOptions source = new AdapterOptions();
    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Override
    public Integer call() throws Exception {
        PretrainedEncoder enc = PretrainedEncoder.load(source.model);
        AdapterModels.Loaded loaded = AdapterModels.load(enc, source.adapter);
        LoraInjector.adapters(loaded.model()).values().forEach(LoraLinear::merge);
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : loaded.model().namedParameters().entrySet()) {
            String k = e.getKey();
            if (k.contains(".lora_A.") || k.contains(".lora_B.")) {
                continue;
            }
            long[] shape = java.util.Arrays.stream(e.getValue().shape()).asLongStream().toArray();
            tensors.put(k, new F32Tensor(shape, e.getValue().toFloatArray()));
        }
        Files.createDirectories(out);
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        AtomicFiles.writeBytes(out.resolve("tokenizer.json"), enc.tokenizerJson());
        enc.config().writeJson(out.resolve("config.json"));
        String labels = String.join(",", loaded.labels().labels());
        AtomicFiles.writeString(out.resolve("labels.txt"), labels + "\n");
        System.out.println("wrote merged model to " + out + " (" + tensors.size() + " tensors; labels " + labels + ")");
        return 0;
    }
}
