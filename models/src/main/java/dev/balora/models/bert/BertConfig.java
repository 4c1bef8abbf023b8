package dev.balora.models.bert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The architecture of a BERT encoder, field for field the subset of a Hugging Face {@code BertConfig}
 * ({@code config.json}) that fixes the parameter shapes and the forward pass.
 *
 * @param vocabSize    rows of {@code embeddings.word_embeddings.weight} ({@code vocab_size})
 * @param hidden       model width d ({@code hidden_size})
 * @param layers       number of encoder blocks ({@code num_hidden_layers})
 * @param heads        attention heads; {@code hidden % heads == 0} ({@code num_attention_heads})
 * @param intermediate width of the feed-forward layer ({@code intermediate_size})
 * @param maxPositions rows of {@code embeddings.position_embeddings.weight} ({@code max_position_embeddings})
 * @param typeVocab    rows of {@code embeddings.token_type_embeddings.weight} ({@code type_vocab_size})
 * @param layerNormEps epsilon added to the variance in every LayerNorm ({@code layer_norm_eps})
 * @param hiddenAct    feed-forward activation: {@code gelu} (exact, erf), {@code gelu_new} (tanh
 *                     approximation) or {@code relu} ({@code hidden_act})
 */
public record BertConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                         int typeVocab, double layerNormEps, String hiddenAct) {
    /** The activations the BERT family in this project implements. */
    public static final Set<String> ACTIVATIONS = Set.of("gelu", "gelu_new", "relu");

    /** Hugging Face defaults for keys that {@code config.json} may omit. */
    private static final int DEFAULT_MAX_POSITIONS = 512, DEFAULT_TYPE_VOCAB = 2;
    private static final double DEFAULT_EPS = 1e-12;
    private static final String DEFAULT_ACT = "gelu";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** The most elements of one weight matrix (a Java array). */
    private static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Real config.json files are a few hundred bytes; this only bounds what is read. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    /** Thrown for an invalid configuration; the message names the source, the key and the bad value. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidConfigException(String message) {
            super(message);
        }
    }

    public BertConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hidden);
        positive("num_hidden_layers", layers);
        positive("num_attention_heads", heads);
        positive("intermediate_size", intermediate);
        positive("max_position_embeddings", maxPositions);
        positive("type_vocab_size", typeVocab);
        if (hidden % heads != 0) {
            throw new InvalidConfigException("hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new InvalidConfigException("layer_norm_eps must be a positive finite number, got " + layerNormEps);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new InvalidConfigException("hidden_act must be one of " + ACTIVATIONS + ", got '" + hiddenAct + "'");
        }
        fitsAnArray("vocab_size", vocabSize, hidden);
        fitsAnArray("max_position_embeddings", maxPositions, hidden);
        fitsAnArray("type_vocab_size", typeVocab, hidden);
        fitsAnArray("intermediate_size", intermediate, hidden);
    }

    /** Each weight matrix is one Java array: {@code rows × hidden_size} elements must fit (vocab_size 2e9 does not). */
    private static void fitsAnArray(String key, int rows, int hidden) {
        long elements = (long) rows * hidden;
        if (elements > MAX_ARRAY_ELEMENTS) {
            throw new InvalidConfigException(key + " " + rows + " × hidden_size " + hidden + " = " + elements
                    + " weights, more than one array holds (" + MAX_ARRAY_ELEMENTS + ")");
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new InvalidConfigException(key + " must be positive, got " + value);
        }
    }

    /** @return the width of one attention head, {@code hidden / heads} */
    public int headDim() {
        return hidden / heads;
    }

    /**
     * Reads a Hugging Face {@code config.json}. Unknown keys are ignored; {@code max_position_embeddings},
     * {@code type_vocab_size}, {@code layer_norm_eps} and {@code hidden_act} take the Hugging Face defaults
     * (512, 2, 1e-12, gelu) when absent; {@code model_type}, when present, must be {@code bert}.
     *
     * @throws IOException             when the file cannot be read
     * @throws InvalidConfigException  when the file is not UTF-8 JSON, or a key is missing, mistyped, duplicated or
     *                                 out of range (one line naming the file and the key)
     */
    public static BertConfig readJson(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new InvalidConfigException(file + ": " + Files.size(file) + " bytes, more than a config.json has (at most "
                    + MAX_FILE_BYTES + ")");
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return fromJson(text, file.toString());
        } catch (CharacterCodingException e) {
            throw new InvalidConfigException(file + ": not UTF-8 text (" + e.getMessage() + ")");
        }
    }

    /**
     * Parses {@code config.json} text. See {@link #readJson(Path)}.
     *
     * @param source a name for error messages
     */
    public static BertConfig fromJson(String json, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new InvalidConfigException(source + ": not valid JSON" + at + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException(source + ": expected a JSON object at the top level");
        }
        JsonNode type = root.get("model_type");
        if (type != null && !"bert".equals(type.asText(null))) {
            throw new InvalidConfigException(source + ": model_type must be \"bert\", got " + type);
        }
        try {
            return new BertConfig(
                    intKey(root, "vocab_size", null, source),
                    intKey(root, "hidden_size", null, source),
                    intKey(root, "num_hidden_layers", null, source),
                    intKey(root, "num_attention_heads", null, source),
                    intKey(root, "intermediate_size", null, source),
                    intKey(root, "max_position_embeddings", DEFAULT_MAX_POSITIONS, source),
                    intKey(root, "type_vocab_size", DEFAULT_TYPE_VOCAB, source),
                    doubleKey(root, "layer_norm_eps", source),
                    stringKey(root, "hidden_act", source));
        } catch (InvalidConfigException e) {
            throw e.getMessage().startsWith(source) ? e : new InvalidConfigException(source + ": " + e.getMessage());
        }
    }

    private static int intKey(JsonNode root, String key, Integer fallback, String source) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new InvalidConfigException(source + ": missing key '" + key + "'");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new InvalidConfigException(source + ": key '" + key + "' expected an int, got " + v);
        }
        return v.intValue();
    }

    private static double doubleKey(JsonNode root, String key, String source) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return DEFAULT_EPS;
        }
        if (!v.isNumber()) {
            throw new InvalidConfigException(source + ": key '" + key + "' expected a number, got " + v);
        }
        return v.doubleValue();
    }

    private static String stringKey(JsonNode root, String key, String source) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return DEFAULT_ACT;
        }
        if (!v.isTextual()) {
            throw new InvalidConfigException(source + ": key '" + key + "' expected a string, got " + v);
        }
        return v.textValue();
    }

    /** @return this configuration as Hugging Face {@code config.json} text, with {@code model_type: bert} */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonObject()) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a tree of plain values cannot fail", e);
        }
    }

    /**
     * @return a fresh JSON object with the keys of {@link #toJson()}, for writers that add keys of their own
     *     (label maps, {@code _name_or_path})
     */
    public ObjectNode toJsonObject() {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add("BertModel");
        o.put("model_type", "bert");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hidden);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        o.put("intermediate_size", intermediate);
        o.put("max_position_embeddings", maxPositions);
        o.put("type_vocab_size", typeVocab);
        o.put("layer_norm_eps", layerNormEps);
        o.put("hidden_act", hiddenAct);
        return o;
    }

    /** Writes {@link #toJson()} to {@code file} (UTF-8), replacing it atomically. */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    /** all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads, FFN 1536, exact GELU, eps 1e-12. */
    public static BertConfig miniLmL6() {
        return new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu");
    }
}
