package dev.balora.models.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.FiniteValues;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.io.TensorInfo;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Loads and saves a Hugging Face model directory for a {@link CausalLm}: {@code config.json} plus either
 * {@code model.safetensors} or a sharded {@code model.safetensors.index.json} ({@code weight_map}: tensor name →
 * shard file).
 *
 * <p><b>GPT-2's Conv1D.</b> Hugging Face's GPT-2 stores {@code c_attn}, {@code c_proj} and {@code c_fc} weights as
 * [in, out] ({@code y = x·W + b}). balora transposes them at load into ordinary {@link dev.balora.core.nn.Linear}
 * weights [out, in], so LoRA wraps them like any other linear layer, and transposes them back at save: files
 * written here have Hugging Face's layout. (PEFT adapter tensors do not depend on this; see
 * {@link DecoderConfig#peftFanInFanOut()}.)
 *
 * <p>Names: GPT-2 checkpoints saved from {@code GPT2Model} lack the {@code transformer.} prefix; both forms load.
 * Buffers that some checkpoints carry ({@code attn.bias}/{@code attn.masked_bias} causal masks in GPT-2,
 * {@code rotary_emb.inv_freq} in LLaMA) and a redundant {@code lm_head.weight} next to tied embeddings are skipped;
 * any other missing or unexpected tensor fails, all listed in one message. Floating tensors of any width (F64, F32,
 * F16, BF16) load into the model's element type.
 */
public final class HfDecoderCheckpoint {
    /** The config file name. */
    public static final String CONFIG = "config.json";
    /** The single-file weights name. */
    public static final String WEIGHTS = "model.safetensors";
    /** The sharded weights index name. */
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern CONV1D = Pattern.compile(".*\\.(c_attn|c_proj|c_fc)\\.weight");
    private static final Pattern GPT2_BUFFERS = Pattern.compile("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final Pattern LLAMA_BUFFERS = Pattern.compile(".*rotary_emb\\.inv_freq");

    private HfDecoderCheckpoint() {}

    /** Loads the model in {@code dir} with F32 parameters, seed 0. */
    public static CausalLm load(Path dir) throws IOException {
        return load(dir, DecoderOptions.defaults());
    }

    /**
     * @param dir     a directory holding config.json and model.safetensors (or the sharded index and its shards)
     * @param options parameter element type (F64 reads the file values exactly) and the seed of dropout
     * @return the model with every parameter read from the files, in evaluation mode (dropout off), as Hugging
     *     Face's {@code from_pretrained} returns it; call {@code train()} before training
     * @throws DecoderCheckpointException when a file is missing, a tensor is missing or unexpected, or a shape differs
     */
    public static CausalLm load(Path dir, DecoderOptions options) throws IOException {
        DecoderConfig config = HfDecoderConfigJson.read(dir.resolve(CONFIG));
        CausalLm model = new CausalLm(config, options);
        Map<String, Path> weightMap = weightMap(dir);
        Map<Path, SafetensorsReader> readers = new LinkedHashMap<>();
        try {
            for (Path p : new TreeSet<>(weightMap.values())) {
                readers.put(p, SafetensorsReader.open(p));
            }
            Map<String, String> fileKeys = new HashMap<>();
            for (SafetensorsReader r : readers.values()) {
                for (String name : r.names()) {
                    fileKeys.put(name, name);
                }
            }
            Map<String, Tensor> values = new LinkedHashMap<>();
            Set<String> used = new HashSet<>();
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                String key = fileKey(config, e.getKey(), weightMap);
                if (key == null) {
                    missing.add(e.getKey());
                    continue;
                }
                used.add(key);
                Path file = weightMap.get(key);
                values.put(e.getKey(), read(readers.get(file), file, key, e.getValue(), conv1d(config, e.getKey()),
                        options.dtype()));
            }
            List<String> unexpected = new ArrayList<>();
            for (String key : new TreeSet<>(weightMap.keySet())) {
                if (!used.contains(key) && !ignorable(config, key)) {
                    unexpected.add(key);
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new DecoderCheckpointException(dir, "tensor names", "exactly the model's " + (values.size()
                        + missing.size()) + " parameters", "missing " + missing + ", unexpected " + unexpected);
            }
            model.loadStateDict(values, true);
            model.eval();
            return model;
        } finally {
            for (SafetensorsReader r : readers.values()) {
                r.close();
            }
        }
    }

    /** Tensor name → file, from the single weights file or the index. */
    private static Map<String, Path> weightMap(Path dir) throws IOException {
        Path single = dir.resolve(WEIGHTS);
        Path index = dir.resolve(INDEX);
        Map<String, Path> out = new LinkedHashMap<>();
        if (Files.isRegularFile(single)) {
            try (SafetensorsReader r = SafetensorsReader.open(single)) {
                for (String n : r.names()) {
                    out.put(n, single);
                }
            }
            return out;
        }
        if (!Files.isRegularFile(index)) {
            throw new DecoderCheckpointException(dir, WEIGHTS, "a weights file or " + INDEX, "neither exists");
        }
        JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new DecoderCheckpointException(index, "weight_map", "an object of tensor name → file", String.valueOf(map));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText();
            Path shard = dir.resolve(file).normalize();
            if (!e.getValue().isTextual() || file.contains("/") || file.contains("\\") || !Files.isRegularFile(shard)) {
                throw new DecoderCheckpointException(index, "weight_map." + e.getKey(), "a shard file in " + dir,
                        e.getValue().toString());
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }

    private static String fileKey(DecoderConfig config, String param, Map<String, Path> weightMap) {
        if (weightMap.containsKey(param)) {
            return param;
        }
        String bare = param.startsWith("transformer.") ? param.substring("transformer.".length()) : null;
        return config.family() == DecoderFamily.GPT2 && bare != null && weightMap.containsKey(bare) ? bare : null;
    }

    private static boolean conv1d(DecoderConfig config, String param) {
        return config.family() == DecoderFamily.GPT2 && CONV1D.matcher(param).matches();
    }

    private static boolean ignorable(DecoderConfig config, String key) {
        if (config.tieWordEmbeddings() && key.equals("lm_head.weight")) {
            return true;
        }
        return config.family() == DecoderFamily.GPT2 ? GPT2_BUFFERS.matcher(key).matches()
                : LLAMA_BUFFERS.matcher(key).matches();
    }

    private static Tensor read(SafetensorsReader reader, Path file, String key, Tensor like, boolean transpose,
                               DType dtype) throws IOException {
        int[] want = like.shape();
        int[] fileShape = transpose ? new int[] {want[1], want[0]} : want;
        TensorInfo info = reader.tensor(key);
        long[] actual = info.shape();
        if (actual.length != fileShape.length || !Arrays.equals(Arrays.stream(actual).mapToInt(v -> (int) v).toArray(), fileShape)) {
            throw new DecoderCheckpointException(file, key, "shape " + Arrays.toString(fileShape)
                    + (transpose ? " (Conv1D [in, out])" : ""), Arrays.toString(actual));
        }
        if (dtype == DType.F64) {
            double[] v = reader.readDoubles(key);
            FiniteValues.require(file, key, v);
            return Tensor.of(transpose ? Transpose.of(v, fileShape[0], fileShape[1]) : v, want);
        }
        float[] v = reader.readFloats(key);
        FiniteValues.require(file, key, v);
        return Tensor.of(transpose ? Transpose.of(v, fileShape[0], fileShape[1]) : v, want);
    }

    /** Saves {@code model} to {@code dir} as config.json + one model.safetensors (float32). */
    public static void save(CausalLm model, Path dir) throws IOException {
        save(model, dir, Long.MAX_VALUE);
    }

    /**
     * Saves {@code model} to {@code dir} (created if needed) as config.json and float32 safetensors with Hugging
     * Face's names and layouts. When the weights exceed {@code maxShardBytes}, they go to
     * {@code model-0000i-of-0000n.safetensors} shards (filled in parameter order, at least one tensor each) with
     * {@code model.safetensors.index.json}; otherwise to one {@code model.safetensors}.
     *
     * @throws DecoderException when the model holds LoRA adapters (merge them first: the file is a plain model)
     */
    public static void save(CausalLm model, Path dir, long maxShardBytes) throws IOException {
        DecoderConfig config = model.config();
        Map<String, F32Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            String name = e.getKey();
            if (name.contains("lora_")) {
                throw new DecoderException("HfDecoderCheckpoint.save: parameter " + name
                        + " belongs to a LoRA adapter; merge or remove adapters before saving a plain model");
            }
            int[] s = e.getValue().shape();
            float[] v = e.getValue().toFloatArray();
            if (conv1d(config, name)) {
                tensors.put(name, new F32Tensor(new long[] {s[1], s[0]}, Transpose.of(v, s[0], s[1])));
            } else {
                tensors.put(name, new F32Tensor(Arrays.stream(s).asLongStream().toArray(), v));
            }
        }
        Files.createDirectories(dir);
        HfDecoderConfigJson.write(config, dir.resolve(CONFIG));
        List<Map<String, F32Tensor>> shards = shard(tensors, maxShardBytes);
        Map<String, String> metadata = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors, metadata);
            Files.deleteIfExists(dir.resolve(INDEX));
            return;
        }
        ObjectNode index = JSON.createObjectNode();
        long total = 0;
        ObjectNode map = JSON.createObjectNode();
        for (int i = 0; i < shards.size(); i++) {
            String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafetensorsWriter.write(dir.resolve(file), shards.get(i), metadata);
            for (Map.Entry<String, F32Tensor> e : shards.get(i).entrySet()) {
                map.put(e.getKey(), file);
                total += 4L * e.getValue().values().length;
            }
        }
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", map);
        AtomicFiles.writeString(dir.resolve(INDEX), JSON.writeValueAsString(index) + "\n");
        Files.deleteIfExists(dir.resolve(WEIGHTS));
    }

    private static List<Map<String, F32Tensor>> shard(Map<String, F32Tensor> tensors, long maxBytes) {
        List<Map<String, F32Tensor>> out = new ArrayList<>();
        Map<String, F32Tensor> current = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, F32Tensor> e : tensors.entrySet()) {
            long size = 4L * e.getValue().values().length;
            if (!current.isEmpty() && bytes + size > maxBytes) {
                out.add(current);
                current = new LinkedHashMap<>();
                bytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            bytes += size;
        }
        out.add(current);
        return out;
    }
}
