package dev.balora.models.bpe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the Hugging Face {@code tokenizer.json} of a GPT-2-style byte-level BPE: {@code model.type}
 * "BPE" with {@code vocab} (token → id) and {@code merges} (either "a b" strings or [a, b] pairs),
 * {@code model.ignore_merges}, {@code added_tokens}, a {@code ByteLevel} pre-tokenizer ({@code add_prefix_space};
 * {@code use_regex} must be true) and no normalizer. Anything else is rejected with the field named, rather than
 * silently tokenizing differently from Hugging Face.
 */
public final class BpeTokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BpeTokenizerJson() {}

    /** Reads {@code file}. */
    public static BpeTokenizer read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new BpeFormatException(file, "(whole file)", "JSON", "unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new BpeFormatException(file, "(whole file)", "a JSON object", String.valueOf(root));
        }
        JsonNode normalizer = root.get("normalizer");
        if (normalizer != null && !normalizer.isNull()) {
            throw new BpeFormatException(file, "normalizer", "null (byte-level BPE has none)", normalizer.toString());
        }
        boolean addPrefixSpace = false;
        JsonNode pre = root.get("pre_tokenizer");
        if (pre != null && !pre.isNull()) {
            if (!"ByteLevel".equals(pre.path("type").asText())) {
                throw new BpeFormatException(file, "pre_tokenizer.type", "ByteLevel", pre.path("type").toString());
            }
            if (!pre.path("use_regex").asBoolean(true)) {
                throw new BpeFormatException(file, "pre_tokenizer.use_regex", "true", "false");
            }
            addPrefixSpace = pre.path("add_prefix_space").asBoolean(false);
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new BpeFormatException(file, "model", "an object", String.valueOf(model));
        }
        if (model.has("type") && !"BPE".equals(model.get("type").asText())) {
            throw new BpeFormatException(file, "model.type", "BPE", model.get("type").toString());
        }
        JsonNode vocabNode = model.get("vocab");
        if (vocabNode == null || !vocabNode.isObject()) {
            throw new BpeFormatException(file, "model.vocab", "an object of token → id", String.valueOf(vocabNode));
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isIntegralNumber()) {
                throw new BpeFormatException(file, "model.vocab." + e.getKey(), "an integer id", e.getValue().toString());
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        List<String[]> merges = new ArrayList<>();
        JsonNode mergesNode = model.path("merges");
        for (int i = 0; i < mergesNode.size(); i++) {
            merges.add(merge(file, i, mergesNode.get(i)));
        }
        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (int i = 0; i < addedNode.size(); i++) {
            JsonNode a = addedNode.get(i);
            if (!a.path("id").isIntegralNumber() || !a.path("content").isTextual() || a.path("content").asText().isEmpty()) {
                throw new BpeFormatException(file, "added_tokens[" + i + "]", "an object with an integer id and non-empty"
                        + " content", a.toString());
            }
            added.add(new AddedToken(a.get("id").intValue(), a.get("content").asText(), a.path("special").asBoolean(false)));
        }
        try {
            return new BpeTokenizer(new BpeModel(vocab, merges, model.path("ignore_merges").asBoolean(false)), added,
                    addPrefixSpace);
        } catch (IllegalArgumentException e) {
            throw new BpeFormatException(file, "model", "a consistent vocabulary and merges", e.getMessage());
        }
    }

    private static String[] merge(Path file, int i, JsonNode m) throws BpeFormatException {
        if (m.isTextual()) {
            String s = m.asText();
            int space = s.indexOf(' ');
            if (space > 0 && space < s.length() - 1 && s.indexOf(' ', space + 1) < 0) {
                return new String[] {s.substring(0, space), s.substring(space + 1)};
            }
        } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
            return new String[] {m.get(0).asText(), m.get(1).asText()};
        }
        throw new BpeFormatException(file, "model.merges[" + i + "]", "\"a b\" or [\"a\", \"b\"]", m.toString());
    }

    /** Writes {@code tokenizer} to {@code file} atomically, in the layout Hugging Face's tokenizers library reads. */
    public static void write(BpeTokenizer tokenizer, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (AddedToken t : tokenizer.addedTokens()) {
            ObjectNode a = added.addObject();
            a.put("id", t.id());
            a.put("content", t.content());
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", t.special());
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(tokenizer.addPrefixSpace(), true));
        root.set("post_processor", byteLevel(tokenizer.addPrefixSpace(), false));
        root.set("decoder", byteLevel(tokenizer.addPrefixSpace(), true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", tokenizer.model().ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        List<String> tokens = tokenizer.model().tokens();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        // "a b" strings, which every tokenizers version reads; byte-level tokens never hold a literal space.
        for (String[] m : tokenizer.model().merges()) {
            merges.add(m[0] + " " + m[1]);
        }
        AtomicFiles.writeString(file, JSON.writeValueAsString(root) + "\n");
    }

    private static ObjectNode byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }
}
