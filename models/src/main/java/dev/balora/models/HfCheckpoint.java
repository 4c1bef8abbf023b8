package dev.balora.models;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.bert.BertConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a model in the Hugging Face layout: config.json + model.safetensors (+ tokenizer.json), each atomically. */
public final class HfCheckpoint {
    private HfCheckpoint() {}

    /**
     * @param dir           target directory (created)
     * @param cfg           the architecture, written as config.json
     * @param model         its parameters by dotted name become the safetensors keys
     * @param tokenizerJson tokenizer.json bytes to copy alongside, or null
     */
    public static void save(Path dir, BertConfig cfg, Module model, byte[] tokenizerJson) throws IOException {
        Files.createDirectories(dir);
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            int[] s = e.getValue().shape();
            long[] shape = new long[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = s[i];
            }
            out.put(e.getKey(), new F32Tensor(shape, e.getValue().toFloatArray()));
        }
        SafetensorsWriter.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
        if (tokenizerJson != null) {
            AtomicFiles.writeBytes(dir.resolve("tokenizer.json"), tokenizerJson);
        }
        cfg.writeJson(dir.resolve("config.json"));
    }
}
