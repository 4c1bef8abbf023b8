package dev.balora.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.io.TensorInfo;
import dev.balora.models.bert.PoolingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files that make a folder a sentence-transformers model, in the layout the Hub's all-MiniLM-L6-v2 uses, so every
 * sentence-transformers version reads them: {@code modules.json} (Transformer at the folder root → Pooling in
 * {@code 1_Pooling/} → either Normalize in {@code 2_Normalize/} or a linear head in {@code 2_Dense/}),
 * {@code sentence_bert_config.json} ({@code max_seq_length}), {@code config_sentence_transformers.json}.
 *
 * <p>The head is a sentence-transformers {@code Dense} with the identity activation
 * ({@code torch.nn.modules.linear.Identity}): {@code encode} then returns {@code W·pool(h) + b}, the logits of
 * balora's {@code BertForSequenceClassification}, and {@code softmax} of them its probabilities.
 */
public final class SentenceTransformerLayout {
    /** The module list. */
    public static final String MODULES_FILE = "modules.json";
    /** The Transformer module's settings. */
    public static final String ST_CONFIG_FILE = "sentence_bert_config.json";
    /** The model-level settings. */
    public static final String MODEL_CONFIG_FILE = "config_sentence_transformers.json";
    /** The Pooling module's folder. */
    public static final String POOLING_DIR = "1_Pooling";
    /** The linear head's folder. */
    public static final String DENSE_DIR = "2_Dense";
    /** The Normalize module's folder (it holds no files). */
    public static final String NORMALIZE_DIR = "2_Normalize";
    /** The head's weights, as sentence-transformers saves a Dense module. */
    public static final String DENSE_WEIGHTS_FILE = "model.safetensors";
    /** The identity activation, by the import path sentence-transformers accepts without trust_remote_code. */
    static final String IDENTITY = "torch.nn.modules.linear.Identity";

    private SentenceTransformerLayout() {}

    /**
     * A linear head [out, in] + [out] (PyTorch's layout), float32.
     *
     * @param in     input width (the encoder's hidden size)
     * @param out    output width (the number of labels)
     * @param weight row-major [out, in]
     * @param bias   [out]
     */
    public record DenseHead(int in, int out, float[] weight, float[] bias) {
        public DenseHead {
            if (in < 1 || out < 1 || weight.length != (long) in * out || bias.length != out) {
                throw new IllegalArgumentException("DenseHead: weight must be [" + out + ", " + in + "] and bias ["
                        + out + "], got " + weight.length + " and " + bias.length + " values");
            }
        }
    }

    /**
     * Writes the sentence-transformers files (the Transformer module's own files — config.json, weights, tokenizer
     * — are the caller's).
     *
     * @param dir          the model folder (created)
     * @param hidden       the encoder's width, Pooling's {@code word_embedding_dimension}
     * @param pooling      mean or [CLS]
     * @param normalize    append a Normalize module (mutually exclusive with a head)
     * @param head         a linear head as {@code 2_Dense}, or null
     * @param maxSeqLength the Transformer module's {@code max_seq_length} (tokens, special tokens included)
     */
    public static void write(Path dir, int hidden, PoolingMode pooling, boolean normalize, DenseHead head, int maxSeqLength)
            throws IOException {
        if (normalize && head != null) {
            throw new IllegalArgumentException("a sentence-transformers folder here has either a head or normalisation");
        }
        if (head != null && head.in() != hidden) {
            throw new IllegalArgumentException("head input " + head.in() + " != hidden size " + hidden);
        }
        Files.createDirectories(dir);
        ObjectNode st = JsonFiles.JSON.createObjectNode();
        st.put("max_seq_length", maxSeqLength);
        st.put("do_lower_case", false); // the tokenizer lowercases itself; this flag would lowercase a second time
        JsonFiles.write(dir.resolve(ST_CONFIG_FILE), st);

        ObjectNode model = JsonFiles.JSON.createObjectNode();
        model.put("model_type", "SentenceTransformer");
        model.putObject("prompts");
        model.putNull("default_prompt_name");
        model.put("similarity_fn_name", "cosine");
        JsonFiles.write(dir.resolve(MODEL_CONFIG_FILE), model);

        Path poolingDir = Files.createDirectories(dir.resolve(POOLING_DIR));
        ObjectNode p = JsonFiles.JSON.createObjectNode();
        p.put("word_embedding_dimension", hidden);
        p.put("pooling_mode_cls_token", pooling == PoolingMode.CLS);
        p.put("pooling_mode_mean_tokens", pooling == PoolingMode.MEAN);
        p.put("pooling_mode_max_tokens", false);
        p.put("pooling_mode_mean_sqrt_len_tokens", false);
        JsonFiles.write(poolingDir.resolve("config.json"), p);

        ArrayNode modules = JsonFiles.JSON.createArrayNode();
        module(modules, "", "sentence_transformers.models.Transformer");
        module(modules, POOLING_DIR, "sentence_transformers.models.Pooling");
        if (head != null) {
            Path denseDir = Files.createDirectories(dir.resolve(DENSE_DIR));
            Map<String, F32Tensor> tensors = new LinkedHashMap<>();
            tensors.put("linear.weight", new F32Tensor(new long[] {head.out(), head.in()}, head.weight()));
            tensors.put("linear.bias", new F32Tensor(new long[] {head.out()}, head.bias()));
            SafetensorsWriter.write(denseDir.resolve(DENSE_WEIGHTS_FILE), tensors, Map.of("format", "pt"));
            ObjectNode d = JsonFiles.JSON.createObjectNode();
            d.put("in_features", head.in());
            d.put("out_features", head.out());
            d.put("bias", true);
            d.put("activation_function", IDENTITY);
            JsonFiles.write(denseDir.resolve("config.json"), d);
            module(modules, DENSE_DIR, "sentence_transformers.models.Dense");
        } else if (normalize) {
            Files.createDirectories(dir.resolve(NORMALIZE_DIR));
            module(modules, NORMALIZE_DIR, "sentence_transformers.models.Normalize");
        }
        JsonFiles.write(dir.resolve(MODULES_FILE), modules); // last: its presence marks a complete folder
    }

    private static void module(ArrayNode modules, String path, String type) {
        ObjectNode m = modules.addObject();
        int idx = modules.size() - 1;
        m.put("idx", idx);
        m.put("name", Integer.toString(idx));
        m.put("path", path);
        m.put("type", type);
    }

    /**
     * Reads the head written by {@link #write}, checked against the model it is for.
     *
     * @param dir the model folder
     * @param in  the expected input width
     * @param out the expected output width
     * @throws HfFolderFormatException when the config or weights are missing, malformed, mis-shaped or not finite
     */
    public static DenseHead readHead(Path dir, int in, int out) throws IOException {
        Path denseDir = dir.resolve(DENSE_DIR);
        Path cfgFile = denseDir.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) {
            throw new HfFolderFormatException(cfgFile, "(file)", "missing: the classification head's config");
        }
        ObjectNode cfg = JsonFiles.readObject(cfgFile);
        requireInt(cfgFile, cfg, "in_features", in);
        requireInt(cfgFile, cfg, "out_features", out);
        JsonNode bias = cfg.get("bias");
        if (bias != null && !(bias.isBoolean() && bias.asBoolean())) {
            throw new HfFolderFormatException(cfgFile, "bias", "expected true, got " + bias);
        }
        JsonNode act = cfg.get("activation_function");
        if (act == null || !act.isTextual() || !act.asText().equals(IDENTITY)) {
            throw new HfFolderFormatException(cfgFile, "activation_function", "expected \"" + IDENTITY
                    + "\" (balora's head is linear), got " + act);
        }
        Path weights = denseDir.resolve(DENSE_WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new HfFolderFormatException(weights, "(file)", "missing: the classification head's weights");
        }
        try (SafetensorsReader r = SafetensorsReader.open(weights)) {
            if (!r.names().equals(java.util.Set.of("linear.weight", "linear.bias"))) {
                throw new HfFolderFormatException(weights, "(tensors)", "expected exactly linear.weight and linear.bias, got "
                        + r.names());
            }
            float[] w = tensor(r, weights, "linear.weight", new long[] {out, in});
            float[] b = tensor(r, weights, "linear.bias", new long[] {out});
            return new DenseHead(in, out, w, b);
        }
    }

    private static float[] tensor(SafetensorsReader r, Path file, String name, long[] shape) throws IOException {
        TensorInfo info = r.tensor(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new HfFolderFormatException(file, name, "expected shape " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(info.shape()));
        }
        float[] v = r.readFloats(name);
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new HfFolderFormatException(file, name, "value " + i + " is " + v[i] + " (weights must be finite)");
            }
        }
        return v;
    }

    private static void requireInt(Path file, ObjectNode cfg, String key, int expected) throws HfFolderFormatException {
        JsonNode v = cfg.get(key);
        if (v == null || !v.isIntegralNumber() || v.asLong() != expected) {
            throw new HfFolderFormatException(file, key, "expected " + expected + " (the model's), got " + v);
        }
    }

    /** @return the pooling of a {@code 1_Pooling/config.json}: [CLS] or mean (the only ones balora computes) */
    static PoolingMode readPooling(Path file) throws IOException {
        ObjectNode o = JsonFiles.readObject(file);
        JsonNode mode = o.get("pooling_mode");
        boolean cls = mode != null ? mode.isTextual() && mode.asText().equals("cls")
                : o.path("pooling_mode_cls_token").asBoolean(false);
        boolean mean = mode != null ? mode.isTextual() && mode.asText().equals("mean")
                : o.path("pooling_mode_mean_tokens").asBoolean(false);
        boolean other = mode == null && (o.path("pooling_mode_max_tokens").asBoolean(false)
                || o.path("pooling_mode_mean_sqrt_len_tokens").asBoolean(false)
                || o.path("pooling_mode_weightedmean_tokens").asBoolean(false)
                || o.path("pooling_mode_lasttoken").asBoolean(false));
        if (cls == mean || other) {
            throw new HfFolderFormatException(file, "pooling_mode", "balora computes exactly one of cls or mean pooling, got "
                    + o);
        }
        return cls ? PoolingMode.CLS : PoolingMode.MEAN;
    }

    /** @return whether a {@code modules.json} lists a Normalize module */
    static boolean hasNormalize(Path modulesFile) throws IOException {
        byte[] bytes = Files.readAllBytes(modulesFile);
        JsonNode root;
        try {
            root = JsonFiles.JSON.readTree(bytes);
        } catch (IOException e) {
            throw new HfFolderFormatException(modulesFile, "(json)", "not valid JSON");
        }
        if (root == null || !root.isArray()) {
            throw new HfFolderFormatException(modulesFile, "(root)", "expected a JSON list of modules");
        }
        for (JsonNode m : root) {
            if (m.path("type").asText("").endsWith(".Normalize")) {
                return true;
            }
        }
        return false;
    }
}
