package dev.balora.models.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tokenizer files of a Hugging Face folder, for a run that truncated to {@code maxLength} tokens:
 * <ul>
 *   <li>{@code tokenizer.json}: the base's, with {@code truncation} set to the run's length (LongestFirst, right)
 *       and {@code padding} removed — the upstream files fix both at 128, which would pad every text to 128 and
 *       truncate at 128 whatever the run used;</li>
 *   <li>{@code tokenizer_config.json}: {@code tokenizer_class BertTokenizer}, {@code model_max_length} = the run's
 *       length (so {@code truncation=True} truncates as balora did), lower-casing, special tokens;</li>
 *   <li>{@code special_tokens_map.json}, and {@code vocab.txt} (one token per line in id order) for slow
 *       tokenizers.</li>
 * </ul>
 */
public final class TokenizerFiles {
    /** The tokenizer file of the fast tokenizers. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** transformers' tokenizer settings. */
    public static final String CONFIG_FILE = "tokenizer_config.json";
    /** BERT's special tokens, by transformers' attribute name. */
    private static final Map<String, String> SPECIAL = specials();

    private TokenizerFiles() {}

    private static Map<String, String> specials() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cls_token", "[CLS]");
        m.put("sep_token", "[SEP]");
        m.put("pad_token", "[PAD]");
        m.put("unk_token", "[UNK]");
        m.put("mask_token", "[MASK]");
        return m;
    }

    /**
     * @param dir           the folder (must exist)
     * @param tokenizerJson the base's tokenizer.json (a WordPiece tokenizer, as balora reads it)
     * @param source        names the tokenizer in errors
     * @param maxLength     tokens per text, special tokens included
     * @throws HfFolderFormatException when tokenizer.json is not a WordPiece tokenizer file
     */
    public static void write(Path dir, byte[] tokenizerJson, String source, int maxLength) throws IOException {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be >= 3, got " + maxLength);
        }
        Path src = Path.of(source);
        ObjectNode tok = JsonFiles.parseObject(src, tokenizerJson);
        JsonNode model = tok.path("model");
        JsonNode vocab = model.path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new HfFolderFormatException(src, "model.vocab", "expected a WordPiece vocabulary (token → id)");
        }
        ObjectNode truncation = tok.putObject("truncation");
        truncation.put("direction", "Right");
        truncation.put("max_length", maxLength);
        truncation.put("strategy", "LongestFirst");
        truncation.put("stride", 0);
        tok.putNull("padding");
        JsonFiles.writeCompact(dir.resolve(TOKENIZER_FILE), tok);

        JsonNode normalizer = tok.path("normalizer");
        ObjectNode cfg = JsonFiles.JSON.createObjectNode();
        cfg.put("tokenizer_class", "BertTokenizer");
        cfg.put("model_max_length", maxLength);
        cfg.put("do_lower_case", normalizer.path("lowercase").asBoolean(true));
        JsonNode accents = normalizer.get("strip_accents");
        if (accents == null || accents.isNull()) {
            cfg.putNull("strip_accents");
        } else {
            cfg.put("strip_accents", accents.asBoolean());
        }
        cfg.put("tokenize_chinese_chars", normalizer.path("handle_chinese_chars").asBoolean(true));
        cfg.put("padding_side", "right");
        cfg.put("truncation_side", "right");
        cfg.put("clean_up_tokenization_spaces", true);
        ObjectNode map = JsonFiles.JSON.createObjectNode();
        SPECIAL.forEach((attr, token) -> {
            if (vocab.has(token)) {
                cfg.put(attr, token);
                map.put(attr, token);
            }
        });
        JsonFiles.write(dir.resolve("special_tokens_map.json"), map);
        String vocabTxt = vocabTxt(vocab);
        if (vocabTxt != null) {
            AtomicFiles.writeString(dir.resolve("vocab.txt"), vocabTxt);
        }
        JsonFiles.write(dir.resolve(CONFIG_FILE), cfg);
    }

    /** @return the vocabulary one token per line in id order, or null when ids have gaps or a token has a line break */
    static String vocabTxt(JsonNode vocab) {
        String[] byId = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= byId.length || byId[id.asInt()] != null
                    || e.getKey().contains("\n") || e.getKey().contains("\r")) {
                return null;
            }
            byId[id.asInt()] = e.getKey();
        }
        StringBuilder sb = new StringBuilder();
        for (String t : byId) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }
}
