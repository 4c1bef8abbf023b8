package dev.balora.models.hf;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.onnx.WeightTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code model.safetensors} of an encoder, with transformers' {@code BertModel} names ({@code embeddings.…}, {@code encoder.…}). */
final class WeightsFile {
    static final String FILE = "model.safetensors";

    private WeightsFile() {}

    /** Writes tensors of a live module (float32), atomically. */
    static void writeTensors(Path dir, Map<String, Tensor> params) throws IOException {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        params.forEach((k, t) -> out.put(k, new F32Tensor(longs(t.shape()), t.toFloatArray())));
        SafetensorsWriter.write(dir.resolve(FILE), out, Map.of("format", "pt"));
    }

    /** Writes the weights of a loaded base, atomically. */
    static void writeWeights(Path dir, Map<String, WeightTensor> weights) throws IOException {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        weights.forEach((k, t) -> out.put(k, new F32Tensor(longs(t.shape()), t.data())));
        SafetensorsWriter.write(dir.resolve(FILE), out, Map.of("format", "pt"));
    }

    private static long[] longs(int[] s) {
        long[] l = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = s[i];
        }
        return l;
    }
}
