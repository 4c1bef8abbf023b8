package dev.balora.models.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader refuses what it cannot honour, naming the file and the field. */
class TokenizerJsonReaderTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static ObjectNode small;

    @BeforeAll
    static void load() throws IOException {
        small = TokenizerFuzzTest.smallTokenizer();
    }

    /** Applies {@code edit} to a copy of the small tokenizer and expects a refusal at {@code field}. */
    static TokenizerFormatException refused(String field, Consumer<ObjectNode> edit) {
        ObjectNode copy = small.deepCopy();
        edit.accept(copy);
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(copy);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> TokenizerJsonReader.parse(json, "edited.json"));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals("edited.json", e.source());
        assertTrue(e.getMessage().startsWith("edited.json: field '" + field + "': "), e.getMessage());
        return e;
    }

    static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) root.get("model").get("vocab");
    }

    @Test
    void theSmallTokenizerIsValid() throws IOException {
        WordPieceTokenizer t = TokenizerJsonReader.parse(MAPPER.writeValueAsBytes(small), "small.json");
        assertEquals(1200, t.vocabSize());
        assertArrayEquals(new int[] {101, 1037, 1010, 1038, 102}, t.encode("a, b").ids());
    }

    @Test
    void refusesOtherModelsAndMissingParts() {
        assertTrue(refused("model.type", r -> model(r).put("type", "BPE")).getMessage().contains("\"BPE\""));
        refused("model.type", r -> model(r).remove("type"));
        refused("model", r -> r.remove("model"));
        refused("model.vocab", r -> model(r).remove("vocab"));
        refused("model.vocab", r -> model(r).putArray("vocab"));
        refused("model.vocab", r -> model(r).putObject("vocab"));
        refused("model.unk_token", r -> model(r).put("unk_token", "<nope>"));
        refused("model.unk_token", r -> model(r).put("unk_token", 100));
        refused("model.continuing_subword_prefix", r -> model(r).putNull("continuing_subword_prefix"));
        refused("model.max_input_chars_per_word", r -> model(r).put("max_input_chars_per_word", 0));
        refused("model.max_input_chars_per_word",
                r -> model(r).put("max_input_chars_per_word", new java.math.BigInteger("99999999999999999999")));
    }

    @Test
    void refusesBadVocabularyIds() {
        TokenizerFormatException text = refused("model.vocab[\"a\"]", r -> vocab(r).put("a", "1037"));
        assertTrue(text.getMessage().contains("the string \"1037\""), text.getMessage());
        refused("model.vocab[\"a\"]", r -> vocab(r).put("a", 1.5));
        refused("model.vocab[\"a\"]", r -> vocab(r).put("a", -1));
        refused("model.vocab[\"a\"]", r -> vocab(r).put("a", 1200));
        refused("model.vocab[\"a\"]", r -> vocab(r).put("a", 1e30));
        TokenizerFormatException duplicate = refused("model.vocab[\"b\"]", r -> {
            vocab(r).remove("a");
            vocab(r).put("b", 7);
        });
        assertTrue(duplicate.getMessage().contains("already used"), duplicate.getMessage());
    }

    @Test
    void refusesDuplicateKeysTrailingGarbageAndNonJson() {
        String json = new String(TestTexts.miniLmBytes(), StandardCharsets.UTF_8);
        byte[] duplicated = json.replaceFirst("\"\\[PAD\\]\": 0,", "\"[PAD]\": 0, \"[PAD]\": 1,")
                .getBytes(StandardCharsets.UTF_8);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> TokenizerJsonReader.parse(duplicated, "dup.json"));
        assertEquals("<json>", e.field());
        assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
        assertThrows(TokenizerFormatException.class, () -> TokenizerJsonReader.parse(
                (json + " {}").getBytes(StandardCharsets.UTF_8), "trailing.json"));
        assertThrows(TokenizerFormatException.class, () -> TokenizerJsonReader.parse(new byte[0], "empty.json"));
        assertEquals("<root>", assertThrows(TokenizerFormatException.class,
                () -> TokenizerJsonReader.parse("[1, 2]".getBytes(StandardCharsets.UTF_8), "array.json")).field());
        assertThrows(TokenizerFormatException.class, () -> TokenizerJsonReader.parse(
                json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8), "half.json"));
    }

    @Test
    void refusesComponentsItCannotHonour() {
        refused("normalizer.type", r -> r.putObject("normalizer").put("type", "Lowercase"));
        refused("normalizer.strip_accents", r -> ((ObjectNode) r.get("normalizer")).put("strip_accents", "yes"));
        refused("normalizer.lowercase", r -> ((ObjectNode) r.get("normalizer")).putNull("lowercase"));
        refused("pre_tokenizer", r -> r.putNull("pre_tokenizer"));
        refused("pre_tokenizer.type", r -> r.putObject("pre_tokenizer").put("type", "Whitespace"));
        refused("post_processor.type", r -> r.putObject("post_processor").put("type", "RobertaProcessing"));
        refused("post_processor.single", r -> ((ObjectNode) r.get("post_processor")).putArray("single"));
        refused("post_processor.single[0].SpecialToken.id", r -> ((ObjectNode) r.get("post_processor")
                .get("single").get(0).get("SpecialToken")).put("id", "[BOS]"));
        refused("post_processor.special_tokens[\"[CLS]\"].ids[0]", r -> ((com.fasterxml.jackson.databind.node.ArrayNode)
                r.get("post_processor").get("special_tokens").get("[CLS]").get("ids")).set(0, 5000));
        refused("truncation.strategy", r -> ((ObjectNode) r.get("truncation")).put("strategy", "OnlyFirst"));
        refused("truncation.stride", r -> ((ObjectNode) r.get("truncation")).put("stride", 2));
        refused("truncation.max_length", r -> ((ObjectNode) r.get("truncation")).put("max_length", -3));
        refused("padding.direction", r -> ((ObjectNode) r.get("padding")).put("direction", "Left"));
        refused("padding.strategy", r -> ((ObjectNode) r.get("padding")).put("strategy", "Longest"));
        refused("padding.pad_id", r -> ((ObjectNode) r.get("padding")).put("pad_id", 1L << 40));
        refused("added_tokens[4].lstrip", r -> ((ObjectNode) r.get("added_tokens").get(4)).put("lstrip", true));
        refused("added_tokens[1].id", r -> ((ObjectNode) r.get("added_tokens").get(1)).put("id", 101));
        refused("added_tokens", r -> r.put("added_tokens", "none"));
        refused("decoder.type", r -> r.putObject("decoder").put("type", "ByteLevel"));
    }

    @Test
    void acceptsOptionalSectionsAbsent() throws IOException {
        ObjectNode copy = small.deepCopy();
        for (String key : new String[] {"normalizer", "post_processor", "truncation", "padding", "added_tokens",
                                        "decoder"}) {
            copy.remove(key);
        }
        WordPieceTokenizer t = TokenizerJsonReader.parse(MAPPER.writeValueAsBytes(copy), "bare.json");
        assertArrayEquals(new int[] {100, 1038}, t.encode("A b").ids(), "no normalizer, no template");
        assertTrue(t.fileTruncation().isEmpty());
        assertTrue(t.filePadding().isEmpty());
    }

    @Test
    void readsFilesAndNamesThem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"Unigram\"}}");
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class,
                () -> TokenizerJsonReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> TokenizerJsonReader.read(dir.resolve("missing.json")));
    }
}
