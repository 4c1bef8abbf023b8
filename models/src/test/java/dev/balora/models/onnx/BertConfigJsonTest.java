package dev.balora.models.onnx;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertConfig.InvalidConfigException;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertConfigJsonTest {
    /** The all-MiniLM-L6-v2 config.json as published, including keys BertConfig does not use. */
    private static final String MINILM_JSON = """
            {"_name_or_path": "nreimers/MiniLM-L6-H384-uncased", "architectures": ["BertModel"],
             "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false, "hidden_act": "gelu",
             "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
             "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert",
             "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
             "position_embedding_type": "absolute", "transformers_version": "4.8.2", "type_vocab_size": 2,
             "use_cache": true, "vocab_size": 30522}
            """;

    @Test
    void readsAHuggingFaceConfigIgnoringUnusedKeys() throws IOException {
        assertEquals(new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12, "gelu"),
                BertConfig.fromJson(MINILM_JSON, "config.json"));
    }

    @Test
    void writesAndReadsBackOddValues(@TempDir Path dir) throws IOException {
        BertConfig c = new BertConfig(33, 12, 3, 4, 17, 7, 1, 1e-7, "relu");
        Path file = dir.resolve("config.json");
        c.writeJson(file);
        assertEquals(c, BertConfig.readJson(file));
        assertTrue(c.toJson().contains("\"model_type\" : \"bert\""), c.toJson());
        assertTrue(c.toJson().contains("\"num_attention_heads\" : 4"), c.toJson());
    }

    @Test
    void optionalKeysTakeTheHuggingFaceDefaults() throws IOException {
        BertConfig c = BertConfig.fromJson("""
                {"vocab_size": 99, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "intermediate_size": 13}""", "min.json");
        assertEquals(new BertConfig(99, 8, 1, 2, 13, 512, 2, 1e-12, "gelu"), c);
    }

    @Test
    void invalidConfigsNameTheSourceAndKey() {
        String noHidden = MINILM_JSON.replace("\"hidden_size\": 384,", "");
        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> BertConfig.fromJson(noHidden, "a/config.json"));
        assertEquals("a/config.json: missing key 'hidden_size'", missing.getMessage());

        InvalidConfigException typed = assertThrows(InvalidConfigException.class,
                () -> BertConfig.fromJson(MINILM_JSON.replace("\"hidden_size\": 384", "\"hidden_size\": \"384\""), "b"));
        assertTrue(typed.getMessage().contains("'hidden_size' expected an int, got \"384\""), typed.getMessage());

        InvalidConfigException heads = assertThrows(InvalidConfigException.class,
                () -> BertConfig.fromJson(MINILM_JSON.replace("\"num_attention_heads\": 12", "\"num_attention_heads\": 7"), "c"));
        assertEquals("c: hidden_size 384 is not a multiple of num_attention_heads 7", heads.getMessage());

        assertThrows(InvalidConfigException.class,
                () -> BertConfig.fromJson(MINILM_JSON.replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\""), "d"));
        assertThrows(InvalidConfigException.class,
                () -> BertConfig.fromJson(MINILM_JSON.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"swish\""), "e"));
        assertThrows(InvalidConfigException.class, () -> new BertConfig(1, 4, 1, 1, 1, 1, 1, 0.0, "gelu"));
        // Not JSON is a config error like the others: one line naming the file, exit 2 in the CLI (issue 14).
        InvalidConfigException notJson = assertThrows(InvalidConfigException.class, () -> BertConfig.fromJson("{\"vocab_size\": ", "f.json"));
        assertTrue(notJson.getMessage().startsWith("f.json: not valid JSON"), notJson.getMessage());
    }
}
