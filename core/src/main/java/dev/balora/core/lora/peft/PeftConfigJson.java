package dev.balora.core.lora.peft;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.lora.LoraInit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code adapter_config.json} ↔ {@link PeftAdapterConfig}, strictly.
 *
 * <p>Writing: the keys and defaults PEFT (0.17) writes for a LoRA adapter, sorted as PEFT sorts them, so PEFT's
 * {@code PeftModel.from_pretrained} reads the file unchanged.
 *
 * <p>Reading: required keys {@code peft_type} ("LORA"), {@code r}, {@code lora_alpha}, {@code target_modules}; the
 * other keys balora understands are optional with PEFT's defaults. PEFT keys that would change the computation in
 * ways balora does not implement (DoRA, bias training, rank/alpha patterns, layer selection, fan-in-fan-out…) must
 * hold their neutral value, or reading fails naming the key. PEFT keys that only matter at PEFT's init or for
 * bookkeeping are accepted with any value. Any other key is unknown: reported back (one warning), otherwise ignored.
 */
final class PeftConfigJson {
    /** Integer ranks above this are rejected before anything is sized from them. */
    static final int MAX_RANK = 1 << 20;

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** PEFT keys that balora accepts with any value: bookkeeping, or used only by PEFT-side init methods. */
    private static final Set<String> HARMLESS = Set.of("auto_mapping", "revision", "inference_mode", "megatron_config",
            "megatron_core", "qalora_group_size", "peft_version", "eva_config", "corda_config", "runtime_config",
            "loftq_config", "arrow_config", "ensure_weight_tying", "alora_invocation_tokens");
    /** PEFT keys whose non-neutral values balora cannot honour: key → human-readable neutral value. */
    private static final Map<String, String> NEUTRAL = Map.of(
            "fan_in_fan_out", "false", "bias", "\"none\"", "use_dora", "false", "lora_bias", "false",
            "use_qalora", "false", "rank_pattern", "null or {}", "alpha_pattern", "null or {}",
            "layers_to_transform", "null", "layers_pattern", "null", "layer_replication", "null");
    private static final Set<String> NEUTRAL_NULL_OR_EMPTY = Set.of("exclude_modules", "trainable_token_indices",
            "target_parameters");
    private static final Set<String> UNDERSTOOD = Set.of("peft_type", "r", "lora_alpha", "target_modules",
            "lora_dropout", "use_rslora", "init_lora_weights", "modules_to_save", "base_model_name_or_path",
            "task_type");

    private PeftConfigJson() {}

    /** A parsed config and the keys nobody knows (to warn about once). */
    record Parsed(PeftAdapterConfig config, List<String> unknownKeys) {}

    // ---- writing ------------------------------------------------------------------------------------------------

    static byte[] write(PeftAdapterConfig c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("alpha_pattern", Map.of());
        m.put("auto_mapping", null);
        m.put("base_model_name_or_path", c.baseModelNameOrPath());
        m.put("bias", "none");
        m.put("corda_config", null);
        m.put("eva_config", null);
        m.put("exclude_modules", null);
        m.put("fan_in_fan_out", false);
        m.put("inference_mode", true);
        m.put("init_lora_weights", c.init() instanceof LoraInit.Kaiming ? (Object) Boolean.TRUE : c.init().peftName());
        m.put("layer_replication", null);
        m.put("layers_pattern", null);
        m.put("layers_to_transform", null);
        m.put("loftq_config", Map.of());
        // PEFT types lora_alpha as int; keep an integral α an int so strict readers see what PEFT writes.
        m.put("lora_alpha", c.loraAlpha() == Math.rint(c.loraAlpha()) && Math.abs(c.loraAlpha()) < 1e15
                ? (Object) (long) c.loraAlpha() : (Object) c.loraAlpha());
        m.put("lora_bias", false);
        m.put("lora_dropout", c.loraDropout());
        m.put("megatron_config", null);
        m.put("megatron_core", "megatron.core");
        m.put("modules_to_save", c.modulesToSave().isEmpty() ? null : c.modulesToSave());
        m.put("peft_type", "LORA");
        m.put("r", c.r());
        m.put("rank_pattern", Map.of());
        m.put("revision", null);
        m.put("target_modules", c.targetModules() != null ? c.targetModules() : c.targetModulesRegex());
        m.put("task_type", c.taskType());
        m.put("use_dora", false);
        m.put("use_rslora", c.useRslora());
        try {
            return (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise an adapter config", e);
        }
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    static Parsed read(Path file, byte[] bytes) throws AdapterFormatException {
        JsonNode root = parseObject(file, bytes);
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!UNDERSTOOD.contains(k) && !HARMLESS.contains(k) && !NEUTRAL.containsKey(k)
                    && !NEUTRAL_NULL_OR_EMPTY.contains(k)) {
                unknown.add(k);
            }
        }
        checkNeutral(file, root);
        String type = requiredString(file, root, "peft_type");
        if (!type.equals("LORA")) {
            throw new AdapterFormatException(file, "peft_type", "\"LORA\"", quote(type));
        }
        int r = rank(file, root);
        double alpha = finiteNumber(file, root, "lora_alpha", true, Double.NaN);
        double dropout = finiteNumber(file, root, "lora_dropout", false, 0.0);
        if (dropout < 0 || dropout >= 1) {
            throw new AdapterFormatException(file, "lora_dropout", "a number in [0, 1)", Double.toString(dropout));
        }
        boolean rslora = optionalBoolean(file, root, "use_rslora", false);
        LoraInit init = init(file, root.get("init_lora_weights"));
        JsonNode targets = root.get("target_modules");
        List<String> targetList = null;
        String targetRegex = null;
        if (targets != null && targets.isTextual()) {
            targetRegex = targets.asText();
        } else {
            targetList = stringList(file, "target_modules", targets, false);
            if (targetList == null || targetList.isEmpty()) {
                throw new AdapterFormatException(file, "target_modules", "a non-empty list of module names or a regex",
                        describe(targets));
            }
        }
        List<String> toSave = stringList(file, "modules_to_save", root.get("modules_to_save"), true);
        return new Parsed(new PeftAdapterConfig(r, alpha, dropout, rslora, init, targetList, targetRegex,
                toSave == null ? List.of() : toSave, optionalString(file, root, "base_model_name_or_path"),
                optionalString(file, root, "task_type")), List.copyOf(unknown));
    }

    /** Parses {@code bytes} as one JSON object; every parser failure becomes an {@link AdapterFormatException}. */
    static ObjectNode parseObject(Path file, byte[] bytes) throws AdapterFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new AdapterFormatException(file, "(json)", "valid JSON", firstLine(e.getOriginalMessage()), e);
        } catch (java.io.IOException e) {
            // Only JacksonException can come out of parsing a byte array; kept as a format error all the same.
            throw new AdapterFormatException(file, "(json)", "valid JSON", e.toString(), e);
        }
        if (!(root instanceof ObjectNode o)) {
            throw new AdapterFormatException(file, "(root)", "a JSON object", root == null || root.isMissingNode()
                    ? "no content" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return o;
    }

    private static void checkNeutral(Path file, JsonNode root) throws AdapterFormatException {
        for (Map.Entry<String, String> e : NEUTRAL.entrySet()) {
            JsonNode v = root.get(e.getKey());
            if (v == null || v.isNull()) {
                continue;
            }
            boolean ok = switch (e.getKey()) {
                case "bias" -> v.isTextual() && v.asText().equals("none");
                case "rank_pattern", "alpha_pattern" -> v.isObject() && v.isEmpty();
                case "layers_to_transform", "layers_pattern", "layer_replication" -> false;
                default -> v.isBoolean() && !v.asBoolean();
            };
            if (!ok) {
                throw new AdapterFormatException(file, e.getKey(), e.getValue() + " (balora does not support other values)",
                        describe(v));
            }
        }
        for (String k : NEUTRAL_NULL_OR_EMPTY) {
            JsonNode v = root.get(k);
            if (v != null && !v.isNull() && !((v.isArray() || v.isObject()) && v.isEmpty())) {
                throw new AdapterFormatException(file, k, "null or empty (balora does not support other values)",
                        describe(v));
            }
        }
    }

    private static int rank(Path file, JsonNode root) throws AdapterFormatException {
        JsonNode v = root.get("r");
        if (v == null) {
            throw missing(file, "r");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > MAX_RANK) {
            throw new AdapterFormatException(file, "r", "an integer in [1, " + MAX_RANK + "]", describe(v));
        }
        return v.asInt();
    }

    private static double finiteNumber(Path file, JsonNode root, String key, boolean required, double dflt)
            throws AdapterFormatException {
        JsonNode v = root.get(key);
        if (v == null || (!required && v.isNull())) {
            if (required) {
                throw missing(file, key);
            }
            return dflt;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new AdapterFormatException(file, key, "a finite number", describe(v));
        }
        return v.asDouble();
    }

    private static boolean optionalBoolean(Path file, JsonNode root, String key, boolean dflt) throws AdapterFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new AdapterFormatException(file, key, "true or false", describe(v));
        }
        return v.asBoolean();
    }

    private static String requiredString(Path file, JsonNode root, String key) throws AdapterFormatException {
        JsonNode v = root.get(key);
        if (v == null) {
            throw missing(file, key);
        }
        if (!v.isTextual()) {
            throw new AdapterFormatException(file, key, "a string", describe(v));
        }
        return v.asText();
    }

    private static String optionalString(Path file, JsonNode root, String key) throws AdapterFormatException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new AdapterFormatException(file, key, "a string or null", describe(v));
        }
        return v.asText();
    }

    private static List<String> stringList(Path file, String key, JsonNode v, boolean nullable)
            throws AdapterFormatException {
        if (v == null || v.isNull()) {
            if (nullable) {
                return null;
            }
            throw v == null ? missing(file, key) : new AdapterFormatException(file, key, "a list of strings", "null");
        }
        if (!v.isArray()) {
            throw new AdapterFormatException(file, key, "a list of strings" + (nullable ? " or null" : ""), describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || e.asText().isEmpty()) {
                throw new AdapterFormatException(file, key + "[" + i + "]", "a non-empty string", describe(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    private static LoraInit init(Path file, JsonNode v) throws AdapterFormatException {
        if (v == null || v.isNull() || v.isBoolean()) {
            // true (Kaiming A, zero B) and false (random B): the loaded weights replace either, W stays W.
            return new LoraInit.Kaiming();
        }
        if (v.isTextual()) {
            String s = v.asText();
            if (s.equals("gaussian")) {
                return new LoraInit.Kaiming();
            }
            if (s.equals("pissa") || s.matches("pissa_niter_[0-9]{1,6}")) {
                return LoraInit.parse(s);
            }
        }
        throw new AdapterFormatException(file, "init_lora_weights",
                "true, false, \"gaussian\", \"pissa\" or \"pissa_niter_K\"", describe(v));
    }

    private static AdapterFormatException missing(Path file, String key) {
        return new AdapterFormatException(file, key, "the key (required)", "no such key");
    }

    static String describe(JsonNode v) {
        if (v == null) {
            return "no such key";
        }
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String quote(String s) {
        return s.length() > 80 ? "\"" + s.substring(0, 77) + "...\"" : "\"" + s + "\"";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unparseable input";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }

    /** Reads a {@code balora_config.json}: any JSON object, returned as plain Java maps, lists and scalars. */
    static Map<String, Object> readObject(Path file, byte[] bytes) throws AdapterFormatException {
        ObjectNode o = parseObject(file, bytes);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(o, LinkedHashMap.class);
        return m;
    }
}
