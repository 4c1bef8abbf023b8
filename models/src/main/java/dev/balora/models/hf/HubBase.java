package dev.balora.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.PoolingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the Hugging Face ecosystem knows a base encoder as: the name PEFT and transformers load it by, and the
 * sentence-embedding recipe of its published sentence-transformers model.
 *
 * @param nameOrPath   {@code base_model_name_or_path}: the Hub id for balora's built-in bases and the folders
 *                     {@link BaseFolder} wrote from them, else the folder's absolute path
 * @param pooling      how the published model pools token states into a sentence embedding
 * @param normalize    whether the published model L2-normalises that embedding
 * @param maxSeqLength the published model's {@code max_seq_length}
 */
public record HubBase(String nameOrPath, PoolingMode pooling, boolean normalize, int maxSeqLength) {
    /** The Hub id of all-MiniLM-L6-v2 (balora's {@code minilm}). */
    public static final String MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2";
    /** The Hub id of bge-small-en-v1.5 (balora's {@code bge-small}). */
    public static final String BGE_SMALL_ID = "BAAI/bge-small-en-v1.5";
    /**
     * The config.json key with which {@link BaseFolder} marks a folder as the Hub model it names. A folder's
     * {@code _name_or_path} is not trusted for that: transformers writes there the checkpoint a model was loaded
     * from, which for a fine-tuned model is its own base (all-MiniLM-L6-v2's says nreimers/MiniLM-L6-H384-uncased,
     * bge-small-en-v1.5's a /root/.cache path).
     */
    public static final String HUB_ID_KEY = "balora_hub_id";

    /**
     * @param enc a base loaded by {@link PretrainedEncoder#load}: {@code minilm} and {@code bge-small} are the Hub
     *            models (mean pooling + normalisation, 256 tokens; CLS pooling + normalisation, 512 tokens); a
     *            folder written by {@link BaseFolder} keeps its Hub id ({@link #HUB_ID_KEY}), any other folder is
     *            named by its absolute path; when it is a sentence-transformers folder it keeps its pooling
     *            ({@code 1_Pooling/config.json}), normalisation ({@code modules.json}) and {@code max_seq_length}
     *            ({@code sentence_bert_config.json}); otherwise mean pooling, no normalisation and
     *            min(512, max_position_embeddings) tokens
     * @throws HfFolderFormatException when one of those folder files is malformed
     */
    public static HubBase of(PretrainedEncoder enc) throws IOException {
        return switch (enc.name()) {
            case "minilm" -> new HubBase(MINILM_ID, PoolingMode.MEAN, true, 256);
            case "bge-small" -> new HubBase(BGE_SMALL_ID, PoolingMode.CLS, true, 512);
            default -> ofFolder(Path.of(enc.name()), Math.min(512, enc.config().maxPositions()));
        };
    }

    static HubBase ofFolder(Path dir, int defaultLength) throws IOException {
        String name = dir.toAbsolutePath().normalize().toString();
        Path cfg = dir.resolve("config.json");
        if (Files.isRegularFile(cfg)) {
            JsonNode n = JsonFiles.readObject(cfg).get(HUB_ID_KEY);
            if (n != null && !n.isNull()) {
                if (!n.isTextual() || n.asText().isBlank()) {
                    throw new HfFolderFormatException(cfg, HUB_ID_KEY, "expected a Hub id, got " + n);
                }
                name = n.asText();
            }
        }
        PoolingMode pooling = PoolingMode.MEAN;
        Path poolingFile = dir.resolve(SentenceTransformerLayout.POOLING_DIR).resolve("config.json");
        if (Files.isRegularFile(poolingFile)) {
            pooling = SentenceTransformerLayout.readPooling(poolingFile);
        }
        boolean normalize = false;
        Path modules = dir.resolve(SentenceTransformerLayout.MODULES_FILE);
        if (Files.isRegularFile(modules)) {
            normalize = SentenceTransformerLayout.hasNormalize(modules);
        }
        int length = defaultLength;
        Path st = dir.resolve(SentenceTransformerLayout.ST_CONFIG_FILE);
        if (Files.isRegularFile(st)) {
            ObjectNode o = JsonFiles.readObject(st);
            JsonNode v = o.get("max_seq_length");
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                    throw new HfFolderFormatException(st, "max_seq_length", "expected a positive integer, got " + v);
                }
                length = v.asInt();
            }
        }
        return new HubBase(name, pooling, normalize, length);
    }
}
