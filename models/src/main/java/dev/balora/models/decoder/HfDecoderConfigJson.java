package dev.balora.models.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads and writes Hugging Face {@code config.json} for the two families, with Hugging Face's defaults for absent
 * fields. GPT-2: {@code vocab_size, n_embd, n_layer, n_head, n_positions, n_inner, activation_function,
 * layer_norm_epsilon, embd_pdrop, resid_pdrop, attn_pdrop}. LLaMA: {@code vocab_size, hidden_size,
 * intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings,
 * rms_norm_eps, rope_theta, tie_word_embeddings, hidden_act, attention_bias, mlp_bias, attention_dropout}. Both:
 * {@code initializer_range, bos_token_id, eos_token_id}. Settings balora does not implement (RoPE scaling, GPT-2's
 * per-layer attention scaling) are rejected rather than ignored.
 */
public final class HfDecoderConfigJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private HfDecoderConfigJson() {}

    /** Reads {@code file} (a config.json). */
    public static DecoderConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new DecoderCheckpointException(file, "(whole file)", "a JSON object", "unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new DecoderCheckpointException(file, "(whole file)", "a JSON object", String.valueOf(root));
        }
        Fields f = new Fields(file, root);
        DecoderFamily family;
        try {
            family = DecoderFamily.of(f.string("model_type", null));
        } catch (DecoderException e) {
            throw new DecoderCheckpointException(file, "model_type", "gpt2 or llama", String.valueOf(root.get("model_type")));
        }
        try {
            return family == DecoderFamily.GPT2 ? gpt2(f) : llama(f);
        } catch (DecoderException e) {
            throw new DecoderCheckpointException(file, "(config)", "a consistent architecture", e.getMessage());
        }
    }

    private static DecoderConfig gpt2(Fields f) throws IOException {
        int hidden = f.integer("n_embd", 768);
        int heads = f.integer("n_head", 12);
        JsonNode inner = f.root.get("n_inner");
        int intermediate = inner == null || inner.isNull() ? 4 * hidden : f.integer("n_inner", 0);
        f.require("scale_attn_weights", true);
        f.require("scale_attn_by_inverse_layer_idx", false);
        if (!f.bool("tie_word_embeddings", true)) {
            throw new DecoderCheckpointException(f.file, "tie_word_embeddings", "true (GPT-2's head is tied)", "false");
        }
        return new DecoderConfig(DecoderFamily.GPT2, f.integer("vocab_size", 50257), hidden, f.integer("n_layer", 12),
                heads, heads, hidden / heads, intermediate, f.integer("n_positions", 1024),
                f.number("layer_norm_epsilon", 1e-5), 10000.0, true,
                Activation.of(f.string("activation_function", "gelu_new")), true, true, f.number("embd_pdrop", 0.1),
                f.number("resid_pdrop", 0.1), f.number("attn_pdrop", 0.1), f.number("initializer_range", 0.02),
                f.tokenId("bos_token_id"), f.tokenId("eos_token_id"));
    }

    private static DecoderConfig llama(Fields f) throws IOException {
        JsonNode scaling = f.root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new DecoderCheckpointException(f.file, "rope_scaling", "null (RoPE scaling is not implemented)",
                    scaling.toString());
        }
        int hidden = f.integer("hidden_size", 4096);
        int heads = f.integer("num_attention_heads", 32);
        JsonNode headDim = f.root.get("head_dim");
        return new DecoderConfig(DecoderFamily.LLAMA, f.integer("vocab_size", 32000), hidden,
                f.integer("num_hidden_layers", 32), heads, f.integer("num_key_value_heads", heads),
                headDim == null || headDim.isNull() ? hidden / heads : f.integer("head_dim", 0),
                f.integer("intermediate_size", 11008), f.integer("max_position_embeddings", 2048),
                f.number("rms_norm_eps", 1e-6), f.number("rope_theta", 10000.0), f.bool("tie_word_embeddings", false),
                Activation.of(f.string("hidden_act", "silu")), f.bool("attention_bias", false), f.bool("mlp_bias", false),
                0.0, 0.0, f.number("attention_dropout", 0.0), f.number("initializer_range", 0.02),
                f.tokenId("bos_token_id"), f.tokenId("eos_token_id"));
    }

    /** Writes {@code config} as {@code file} (atomically), with the fields Hugging Face's classes read. */
    public static void write(DecoderConfig c, Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.putArray("architectures").add(c.family().architecture());
        o.put("model_type", c.family().modelType());
        o.put("vocab_size", c.vocabSize());
        if (c.family() == DecoderFamily.GPT2) {
            o.put("n_embd", c.hidden());
            o.put("n_layer", c.layers());
            o.put("n_head", c.heads());
            o.put("n_inner", c.intermediate());
            o.put("n_positions", c.maxPositions());
            o.put("n_ctx", c.maxPositions());
            o.put("activation_function", c.activation().hfName());
            o.put("layer_norm_epsilon", c.normEps());
            o.put("embd_pdrop", c.embdDropout());
            o.put("resid_pdrop", c.residDropout());
            o.put("attn_pdrop", c.attnDropout());
            o.put("scale_attn_weights", true);
        } else {
            o.put("hidden_size", c.hidden());
            o.put("intermediate_size", c.intermediate());
            o.put("num_hidden_layers", c.layers());
            o.put("num_attention_heads", c.heads());
            o.put("num_key_value_heads", c.kvHeads());
            o.put("head_dim", c.headDim());
            o.put("max_position_embeddings", c.maxPositions());
            o.put("rms_norm_eps", c.normEps());
            o.put("rope_theta", c.ropeTheta());
            o.putNull("rope_scaling");
            o.put("hidden_act", c.activation().hfName());
            o.put("attention_bias", c.attentionBias());
            o.put("mlp_bias", c.mlpBias());
            o.put("attention_dropout", c.attnDropout());
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("initializer_range", c.initializerRange());
        putTokenId(o, "bos_token_id", c.bosTokenId());
        putTokenId(o, "eos_token_id", c.eosTokenId());
        o.put("torch_dtype", "float32");
        AtomicFiles.writeString(file, JSON.writeValueAsString(o) + "\n");
    }

    private static void putTokenId(ObjectNode o, String field, int id) {
        if (id >= 0) {
            o.put(field, id);
        } else {
            o.putNull(field);
        }
    }

    /** Typed field access with the file and key in every error. */
    private record Fields(Path file, JsonNode root) {
        int integer(String key, int dflt) throws IOException {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new DecoderCheckpointException(file, key, "an integer", n.toString());
            }
            return n.intValue();
        }

        double number(String key, double dflt) throws IOException {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.isNumber()) {
                throw new DecoderCheckpointException(file, key, "a number", n.toString());
            }
            return n.doubleValue();
        }

        boolean bool(String key, boolean dflt) throws IOException {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw new DecoderCheckpointException(file, key, "true or false", n.toString());
            }
            return n.booleanValue();
        }

        String string(String key, String dflt) throws IOException {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                if (dflt == null) {
                    throw new DecoderCheckpointException(file, key, "a string", "nothing");
                }
                return dflt;
            }
            if (!n.isTextual()) {
                throw new DecoderCheckpointException(file, key, "a string", n.toString());
            }
            return n.textValue();
        }

        /** A token id, −1 when absent; a list (LLaMA 3's several EOS ids) yields its first element. */
        int tokenId(String key) throws IOException {
            JsonNode n = root.get(key);
            if (n != null && n.isArray()) {
                n = n.isEmpty() ? null : n.get(0);
            }
            if (n == null || n.isNull()) {
                return -1;
            }
            if (!n.isIntegralNumber()) {
                throw new DecoderCheckpointException(file, key, "an integer token id", n.toString());
            }
            return n.intValue();
        }

        void require(String key, boolean expected) throws IOException {
            if (bool(key, expected) != expected) {
                throw new DecoderCheckpointException(file, key, expected + " (the other setting is not implemented)",
                        String.valueOf(!expected));
            }
        }
    }
}
