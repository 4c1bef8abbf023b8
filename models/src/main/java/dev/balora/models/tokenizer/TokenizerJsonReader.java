package dev.balora.models.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} of the BERT WordPiece family into a {@link WordPieceTokenizer}.
 *
 * <p>Accepted: model {@code WordPiece} (dense vocabulary: ids exactly {@code 0..n-1}); normalizer
 * {@code BertNormalizer} or none; pre-tokenizer {@code BertPreTokenizer}; post-processor
 * {@code TemplateProcessing}, {@code BertProcessing} or none; truncation {@code LongestFirst}/{@code Right}/stride
 * 0; padding {@code Right}; added tokens without {@code lstrip}/{@code rstrip}/{@code single_word}; decoder
 * {@code WordPiece} or none. Anything else, and any missing, mistyped, out-of-range or duplicated value, is
 * refused with a {@link TokenizerFormatException} naming the source and the JSON field, so a tokenizer that
 * loads is one this package reproduces exactly. Unknown top-level keys (such as {@code version}) are ignored.
 */
public final class TokenizerJsonReader {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String source;

    private TokenizerJsonReader(String source) {
        this.source = source;
    }

    /**
     * Reads a tokenizer from a file.
     *
     * @throws IOException               if the file cannot be read
     * @throws TokenizerFormatException if its content is not a tokenizer this package can honour
     */
    public static WordPieceTokenizer read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Reads a tokenizer from a stream (read to the end, not closed).
     *
     * @param sourceName names the stream in error messages, e.g. a resource path
     */
    public static WordPieceTokenizer read(InputStream in, String sourceName) throws IOException {
        return parse(in.readAllBytes(), sourceName);
    }

    /**
     * Parses tokenizer JSON held in memory.
     *
     * @param json       UTF-8 JSON bytes
     * @param sourceName names the content in error messages
     * @throws TokenizerFormatException for anything this package cannot honour
     */
    public static WordPieceTokenizer parse(byte[] json, String sourceName) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(sourceName, "<json>", "not valid JSON: " + e.getOriginalMessage()
                    + locationOf(e), e);
        } catch (IOException e) {
            // readTree on a byte array does no I/O; anything else it throws is a parse failure all the same.
            throw new TokenizerFormatException(sourceName, "<json>", "unreadable JSON: " + e.getMessage(), e);
        }
        return new TokenizerJsonReader(sourceName).build(root);
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    private WordPieceTokenizer build(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw fail("<root>", "expected a JSON object, got " + describe(root));
        }
        JsonNode model = requireObject(root, "model", "model");
        String type = requireText(model, "type", "model.type");
        if (!type.equals("WordPiece")) {
            throw fail("model.type", "expected \"WordPiece\", got \"" + clip(type) + "\" (only BERT WordPiece "
                    + "tokenizers are supported)");
        }
        Map<String, Integer> vocab = readVocab(requireObject(model, "vocab", "model.vocab"));
        String unk = requireText(model, "unk_token", "model.unk_token");
        Integer unkId = vocab.get(unk);
        if (unkId == null) {
            throw fail("model.unk_token", "\"" + clip(unk) + "\" is not in model.vocab");
        }
        String prefix = optionalText(model, "continuing_subword_prefix", "model.continuing_subword_prefix", "##");
        int maxChars = optionalInt(model, "max_input_chars_per_word", "model.max_input_chars_per_word", 100, 1,
                Integer.MAX_VALUE);

        BertNormalizer normalizer = readNormalizer(root.get("normalizer"));
        readPreTokenizer(root.get("pre_tokenizer"));
        List<AddedToken> added = readAddedTokens(root.get("added_tokens"), vocab);
        int idLimit = vocab.size() + added.size();
        PostProcessorTemplate template = readPostProcessor(root.get("post_processor"), idLimit);
        TruncationSettings truncation = readTruncation(root.get("truncation"));
        PaddingSettings padding = readPadding(root.get("padding"), vocab, added);
        boolean cleanup = readDecoder(root.get("decoder"), prefix);
        return new WordPieceTokenizer(new WordPieceTokenizer.Parts(source, normalizer, vocab, unkId, prefix,
                maxChars, added, template, truncation, padding, cleanup));
    }

    // --- model ---

    private Map<String, Integer> readVocab(JsonNode node) {
        int n = node.size();
        if (n == 0) {
            throw fail("model.vocab", "is empty");
        }
        Map<String, Integer> vocab = new HashMap<>(n * 2);
        String[] byId = new String[n];
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "model.vocab[\"" + clip(entry.getKey()) + "\"]";
            int id = toInt(entry.getValue(), field, 0, n - 1,
                    " (the vocabulary must hold ids 0.." + (n - 1) + " exactly once)");
            if (byId[id] != null) {
                throw fail(field, "id " + id + " is already used by \"" + clip(byId[id]) + "\"");
            }
            byId[id] = entry.getKey();
            vocab.put(entry.getKey(), id);
        }
        return vocab;
    }

    // --- normalizer and pre-tokenizer ---

    private BertNormalizer readNormalizer(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw fail("normalizer", "expected an object or null, got " + describe(node));
        }
        String type = requireText(node, "type", "normalizer.type");
        if (!type.equals("BertNormalizer")) {
            throw fail("normalizer.type", "expected \"BertNormalizer\" or a null normalizer, got \""
                    + clip(type) + "\"");
        }
        boolean clean = optionalBoolean(node, "clean_text", "normalizer.clean_text", true);
        boolean chinese = optionalBoolean(node, "handle_chinese_chars", "normalizer.handle_chinese_chars", true);
        boolean lowercase = optionalBoolean(node, "lowercase", "normalizer.lowercase", true);
        JsonNode strip = node.get("strip_accents");
        boolean stripAccents;
        if (strip == null || strip.isNull()) {
            stripAccents = lowercase; // HF: an unset strip_accents follows lowercase
        } else if (strip.isBoolean()) {
            stripAccents = strip.booleanValue();
        } else {
            throw fail("normalizer.strip_accents", "expected true, false or null, got " + describe(strip));
        }
        return new BertNormalizer(clean, chinese, stripAccents, lowercase);
    }

    private void readPreTokenizer(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw fail("pre_tokenizer", "expected {\"type\": \"BertPreTokenizer\"}, got " + describe(node));
        }
        String type = requireText(node, "type", "pre_tokenizer.type");
        if (!type.equals("BertPreTokenizer")) {
            throw fail("pre_tokenizer.type", "expected \"BertPreTokenizer\", got \"" + clip(type) + "\"");
        }
    }

    // --- added tokens ---

    private List<AddedToken> readAddedTokens(JsonNode node, Map<String, Integer> vocab) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("added_tokens", "expected an array, got " + describe(node));
        }
        int count = node.size();
        List<AddedToken> tokens = new ArrayList<>(count);
        Map<Integer, String> newIds = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String at = "added_tokens[" + i + "]";
            JsonNode entry = node.get(i);
            if (!entry.isObject()) {
                throw fail(at, "expected an object, got " + describe(entry));
            }
            String content = requireText(entry, "content", at + ".content");
            if (content.isEmpty()) {
                throw fail(at + ".content", "is empty");
            }
            // Ids beyond the vocabulary must stay dense too, so the id table stays as small as the file.
            int id = toInt(required(entry, "id", at + ".id"), at + ".id", 0, vocab.size() + count - 1, "");
            Integer vocabId = vocab.get(content);
            if (vocabId != null && vocabId != id) {
                throw fail(at + ".id", "\"" + clip(content) + "\" has id " + vocabId + " in model.vocab but " + id
                        + " here");
            }
            if (vocabId == null && id < vocab.size()) {
                throw fail(at + ".id", "id " + id + " of \"" + clip(content) + "\" belongs to another vocabulary "
                        + "token");
            }
            if (vocabId == null) {
                String previous = newIds.put(id, content);
                if (previous != null && !previous.equals(content)) {
                    throw fail(at + ".id", "id " + id + " is already used by added token \"" + clip(previous)
                            + "\"");
                }
            }
            boolean special = optionalBoolean(entry, "special", at + ".special", false);
            boolean normalized = optionalBoolean(entry, "normalized", at + ".normalized", !special);
            for (String flag : new String[] {"single_word", "lstrip", "rstrip"}) {
                if (optionalBoolean(entry, flag, at + "." + flag, false)) {
                    throw fail(at + "." + flag, "true is not supported (only false)");
                }
            }
            tokens.add(new AddedToken(id, content, special, normalized));
        }
        return tokens;
    }

    // --- post-processor ---

    private PostProcessorTemplate readPostProcessor(JsonNode node, int idLimit) {
        if (node == null || node.isNull()) {
            return PostProcessorTemplate.none();
        }
        if (!node.isObject()) {
            throw fail("post_processor", "expected an object or null, got " + describe(node));
        }
        String type = requireText(node, "type", "post_processor.type");
        return switch (type) {
            case "TemplateProcessing" -> readTemplate(node, idLimit);
            case "BertProcessing" -> readBertProcessing(node, idLimit);
            default -> throw fail("post_processor.type", "expected \"TemplateProcessing\" or \"BertProcessing\", "
                    + "got \"" + clip(type) + "\"");
        };
    }

    private PostProcessorTemplate readBertProcessing(JsonNode node, int idLimit) {
        int cls = readNamedId(node, "cls", idLimit);
        int sep = readNamedId(node, "sep", idLimit);
        var c = new PostProcessorTemplate.Special(new int[] {cls}, 0);
        var s0 = new PostProcessorTemplate.Special(new int[] {sep}, 0);
        var s1 = new PostProcessorTemplate.Special(new int[] {sep}, 1);
        return new PostProcessorTemplate(
                List.of(c, new PostProcessorTemplate.Sequence(0, 0), s0),
                List.of(c, new PostProcessorTemplate.Sequence(0, 0), s0, new PostProcessorTemplate.Sequence(1, 1),
                        s1));
    }

    /** A BertProcessing entry: {@code ["[CLS]", 101]}. */
    private int readNamedId(JsonNode node, String key, int idLimit) {
        String field = "post_processor." + key;
        JsonNode pair = required(node, key, field);
        if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()) {
            throw fail(field, "expected [\"token\", id], got " + describe(pair));
        }
        return toInt(pair.get(1), field + "[1]", 0, idLimit - 1, "");
    }

    private PostProcessorTemplate readTemplate(JsonNode node, int idLimit) {
        JsonNode specialsNode = requireObject(node, "special_tokens", "post_processor.special_tokens");
        Map<String, int[]> specials = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = specialsNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "post_processor.special_tokens[\"" + clip(entry.getKey()) + "\"]";
            if (!entry.getValue().isObject()) {
                throw fail(field, "expected an object, got " + describe(entry.getValue()));
            }
            JsonNode ids = required(entry.getValue(), "ids", field + ".ids");
            if (!ids.isArray() || ids.isEmpty()) {
                throw fail(field + ".ids", "expected a non-empty array of ids, got " + describe(ids));
            }
            int[] values = new int[ids.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = toInt(ids.get(i), field + ".ids[" + i + "]", 0, idLimit - 1, "");
            }
            specials.put(entry.getKey(), values);
        }
        List<PostProcessorTemplate.Piece> single = readPieces(node, "single", specials, false);
        List<PostProcessorTemplate.Piece> pair = readPieces(node, "pair", specials, true);
        return new PostProcessorTemplate(single, pair);
    }

    private List<PostProcessorTemplate.Piece> readPieces(JsonNode node, String key, Map<String, int[]> specials,
                                                         boolean pair) {
        String field = "post_processor." + key;
        JsonNode array = required(node, key, field);
        if (!array.isArray()) {
            throw fail(field, "expected an array, got " + describe(array));
        }
        List<PostProcessorTemplate.Piece> pieces = new ArrayList<>();
        int[] sequenceCount = new int[2];
        for (int i = 0; i < array.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode piece = array.get(i);
            if (!piece.isObject() || piece.size() != 1) {
                throw fail(at, "expected {\"SpecialToken\": …} or {\"Sequence\": …}, got " + describe(piece));
            }
            String kind = piece.fieldNames().next();
            JsonNode body = piece.get(kind);
            if (!body.isObject()) {
                throw fail(at + "." + kind, "expected an object, got " + describe(body));
            }
            String id = requireText(body, "id", at + "." + kind + ".id");
            int typeId = toInt(required(body, "type_id", at + "." + kind + ".type_id"), at + "." + kind
                    + ".type_id", 0, Integer.MAX_VALUE, "");
            switch (kind) {
                case "SpecialToken" -> {
                    int[] ids = specials.get(id);
                    if (ids == null) {
                        throw fail(at + ".SpecialToken.id", "\"" + clip(id)
                                + "\" is not in post_processor.special_tokens");
                    }
                    pieces.add(new PostProcessorTemplate.Special(ids, typeId));
                }
                case "Sequence" -> {
                    int index = switch (id) {
                        case "A" -> 0;
                        case "B" -> 1;
                        default -> throw fail(at + ".Sequence.id", "expected \"A\" or \"B\", got \"" + clip(id)
                                + "\"");
                    };
                    sequenceCount[index]++;
                    pieces.add(new PostProcessorTemplate.Sequence(index, typeId));
                }
                default -> throw fail(at, "expected \"SpecialToken\" or \"Sequence\", got \"" + clip(kind) + "\"");
            }
        }
        if (sequenceCount[0] != 1 || sequenceCount[1] != (pair ? 1 : 0)) {
            throw fail(field, "expected " + (pair ? "sequences A and B once each" : "sequence A once and no B")
                    + ", got A " + sequenceCount[0] + " time(s) and B " + sequenceCount[1] + " time(s)");
        }
        return List.copyOf(pieces);
    }

    // --- truncation, padding, decoder ---

    private TruncationSettings readTruncation(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw fail("truncation", "expected an object or null, got " + describe(node));
        }
        int maxLength = toInt(required(node, "max_length", "truncation.max_length"), "truncation.max_length", 1,
                Integer.MAX_VALUE, "");
        String strategy = optionalText(node, "strategy", "truncation.strategy", "LongestFirst");
        if (!strategy.equals("LongestFirst")) {
            throw fail("truncation.strategy", "expected \"LongestFirst\", got \"" + clip(strategy) + "\"");
        }
        String direction = optionalText(node, "direction", "truncation.direction", "Right");
        if (!direction.equals("Right")) {
            throw fail("truncation.direction", "expected \"Right\", got \"" + clip(direction) + "\"");
        }
        optionalInt(node, "stride", "truncation.stride", 0, 0, 0);
        return new TruncationSettings(maxLength);
    }

    private PaddingSettings readPadding(JsonNode node, Map<String, Integer> vocab, List<AddedToken> added) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw fail("padding", "expected an object or null, got " + describe(node));
        }
        JsonNode strategy = required(node, "strategy", "padding.strategy");
        int fixed;
        if (strategy.isTextual() && strategy.textValue().equals("BatchLongest")) {
            fixed = 0;
        } else if (strategy.isObject() && strategy.size() == 1 && strategy.has("Fixed")) {
            fixed = toInt(strategy.get("Fixed"), "padding.strategy.Fixed", 1, Integer.MAX_VALUE, "");
        } else {
            throw fail("padding.strategy", "expected \"BatchLongest\" or {\"Fixed\": n}, got " + describe(strategy));
        }
        String direction = optionalText(node, "direction", "padding.direction", "Right");
        if (!direction.equals("Right")) {
            throw fail("padding.direction", "expected \"Right\", got \"" + clip(direction) + "\"");
        }
        int padId = toInt(required(node, "pad_id", "padding.pad_id"), "padding.pad_id", 0,
                vocab.size() + added.size() - 1, "");
        int padTypeId = optionalInt(node, "pad_type_id", "padding.pad_type_id", 0, 0, Integer.MAX_VALUE);
        String padToken = optionalText(node, "pad_token", "padding.pad_token", "[PAD]");
        JsonNode multiple = node.get("pad_to_multiple_of");
        int padToMultipleOf = multiple == null || multiple.isNull() ? 0
                : toInt(multiple, "padding.pad_to_multiple_of", 1, Integer.MAX_VALUE, "");
        return new PaddingSettings(fixed, padId, padTypeId, padToken, padToMultipleOf);
    }

    /** @return whether decoding cleans up spaces */
    private boolean readDecoder(JsonNode node, String prefix) {
        if (node == null || node.isNull()) {
            return true;
        }
        if (!node.isObject()) {
            throw fail("decoder", "expected an object or null, got " + describe(node));
        }
        String type = requireText(node, "type", "decoder.type");
        if (!type.equals("WordPiece")) {
            throw fail("decoder.type", "expected \"WordPiece\" or a null decoder, got \"" + clip(type) + "\"");
        }
        String decoderPrefix = optionalText(node, "prefix", "decoder.prefix", prefix);
        if (!decoderPrefix.equals(prefix)) {
            throw fail("decoder.prefix", "expected \"" + clip(prefix) + "\" (model.continuing_subword_prefix), got \""
                    + clip(decoderPrefix) + "\"");
        }
        return optionalBoolean(node, "cleanup", "decoder.cleanup", true);
    }

    // --- typed access with messages ---

    private JsonNode required(JsonNode parent, String key, String field) {
        JsonNode node = parent.get(key);
        if (node == null) {
            throw fail(field, "is missing");
        }
        return node;
    }

    private JsonNode requireObject(JsonNode parent, String key, String field) {
        JsonNode node = required(parent, key, field);
        if (!node.isObject()) {
            throw fail(field, "expected an object, got " + describe(node));
        }
        return node;
    }

    private String requireText(JsonNode parent, String key, String field) {
        JsonNode node = required(parent, key, field);
        if (!node.isTextual()) {
            throw fail(field, "expected a string, got " + describe(node));
        }
        return node.textValue();
    }

    private String optionalText(JsonNode parent, String key, String field, String fallback) {
        JsonNode node = parent.get(key);
        if (node == null) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw fail(field, "expected a string, got " + describe(node));
        }
        return node.textValue();
    }

    private boolean optionalBoolean(JsonNode parent, String key, String field, boolean fallback) {
        JsonNode node = parent.get(key);
        if (node == null) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw fail(field, "expected true or false, got " + describe(node));
        }
        return node.booleanValue();
    }

    private int optionalInt(JsonNode parent, String key, String field, int fallback, int min, int max) {
        JsonNode node = parent.get(key);
        return node == null ? fallback : toInt(node, field, min, max, "");
    }

    /** An integer JSON number in {@code [min, max]}; floats, strings and out-of-range values are refused. */
    private int toInt(JsonNode node, String field, int min, int max, String why) {
        if (node == null || !node.isIntegralNumber()) {
            throw fail(field, "expected an integer in " + min + ".." + max + ", got " + describe(node) + why);
        }
        if (!node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            throw fail(field, "expected an integer in " + min + ".." + max + ", got " + clip(node.asText()) + why);
        }
        return node.intValue();
    }

    private TokenizerFormatException fail(String field, String detail) {
        return new TokenizerFormatException(source, field, detail);
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array of " + node.size();
            case STRING -> "the string \"" + clip(node.textValue()) + "\"";
            case NUMBER -> "the number " + clip(node.asText());
            case BOOLEAN -> node.asText();
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Keeps messages readable when a key or value is huge or garbled. */
    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
