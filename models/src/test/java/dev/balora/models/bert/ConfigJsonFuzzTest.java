package dev.balora.models.bert;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.decoder.DecoderCheckpointException;
import dev.balora.models.decoder.DecoderConfig;
import dev.balora.models.decoder.HfDecoderConfigJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, part 3: {@code config.json} mutants. Every damaged or out-of-range config ends in one exception type
 * whose one-line message names the file (and the key, where there is one) — 243 of 300 mutants used to end in a
 * stack trace (MalformedInputException without the file's name, a Jackson exception, an integer overflow).
 */
class ConfigJsonFuzzTest {
    private static final String VALID = """
            {"model_type": "bert", "vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
             "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512,
             "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu"}
            """;

    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** @return the message of the InvalidConfigException, asserting it names the file and is one line */
    private String refused(Path f) {
        BertConfig.InvalidConfigException e = assertThrows(BertConfig.InvalidConfigException.class, () -> BertConfig.readJson(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void handMadeMutantsNameFileAndKey() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>(); // mutant → text the message must contain
        cases.put(VALID.replace("1536", "0"), "intermediate_size");
        cases.put(VALID.replace("1536", "-1"), "intermediate_size");
        cases.put(VALID.replace("30522", "2000000000"), "vocab_size");
        cases.put(VALID.replace("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 1000000000"),
                "max_position_embeddings");
        cases.put(VALID.replace("30522", "1e30"), "vocab_size");
        cases.put(VALID.replace("30522", "\"30522\""), "vocab_size");
        cases.put(VALID.replace("30522", "3.5"), "vocab_size");
        cases.put(VALID.replace("30522", "99999999999999999999"), "vocab_size");
        cases.put(VALID.replace("384", "385"), "num_attention_heads");
        cases.put(VALID.replace("1e-12", "0"), "layer_norm_eps");
        cases.put(VALID.replace("\"gelu\"", "\"swish\""), "hidden_act");
        cases.put(VALID.replace("\"bert\"", "\"gpt2\""), "model_type");
        cases.put(VALID.replace("\"vocab_size\": 30522, ", ""), "vocab_size");
        cases.put(VALID.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"gelu\", \"vocab_size\": 3"), "vocab_size");
        cases.put(VALID.substring(0, VALID.length() / 2), "not valid JSON");
        cases.put(VALID.replace("}", ",}"), "not valid JSON");
        cases.put("", "");
        cases.put("[]", "JSON object");
        cases.put("null", "JSON object");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String m = refused(write("case" + i++ + ".json", c.getKey().getBytes(StandardCharsets.UTF_8)));
            assertTrue(m.contains(c.getValue()), "expected '" + c.getValue() + "' in: " + m);
        }
    }

    /** Issue 14: non-UTF-8 gave MalformedInputException without the file's name. */
    @Test
    void nonUtf8IsOneLineNamingTheFile() throws IOException {
        byte[] b = VALID.replace("gelu", "gel\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(refused(write("latin1.json", b)).contains("not UTF-8"));
    }

    /**
     * Random damage to a valid config.json (bit flips, truncation, JSON punctuation and digits spliced in): each
     * mutant is either a valid config or one {@link BertConfig.InvalidConfigException} naming the file. Bounded:
     * 250 mutants, well under a second on a quiet machine.
     */
    @Test
    void randomMutantsEndInAConfigOrOneLineNamingTheFile() throws IOException {
        Random r = new Random(1414);
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        String[] splices = {"{", "}", "[", "]", ",", ":", "\"", "0", "-", "9999999999", "1e308", "null", "true", "\\", "\u00ff"};
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 250; i++) {
            byte[] b = valid.clone();
            switch (r.nextInt(3)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
                default -> {
                    String s = new String(b, StandardCharsets.UTF_8);
                    int at = r.nextInt(s.length());
                    s = s.substring(0, at) + splices[r.nextInt(splices.length)] + s.substring(Math.min(s.length(), at + r.nextInt(3)));
                    b = s.getBytes(r.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
                }
            }
            Path f = write("m" + i + ".json", b);
            try {
                BertConfig.readJson(f);
                ok++;
            } catch (BertConfig.InvalidConfigException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), "mutant " + i + ": " + e.getMessage());
                refused++;
            }
        }
        assertTrue(ok > 0 && refused > 0, "both outcomes: " + ok + " valid, " + refused + " refused");
    }

    /** The decoder family's config.json: the same promise, with DecoderCheckpointException. */
    @Test
    void decoderConfigMutantsEndInAConfigOrOneErrorNamingTheFile() throws IOException {
        String valid = """
                {"model_type": "llama", "vocab_size": 512, "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 128,
                 "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
                 "tie_word_embeddings": false, "hidden_act": "silu"}
                """;
        assertNotNull(HfDecoderConfigJson.read(write("decoder.json", valid.getBytes(StandardCharsets.UTF_8))));
        Path huge = write("huge.json", valid.replace("512", "2000000000").getBytes(StandardCharsets.UTF_8));
        DecoderCheckpointException overflow = assertThrows(DecoderCheckpointException.class, () -> HfDecoderConfigJson.read(huge));
        assertTrue(overflow.getMessage().startsWith(huge.toString()) && overflow.getMessage().contains("vocabSize"),
                overflow.getMessage());
        Path dup = write("dup.json", valid.replace("\"hidden_act\"", "\"vocab_size\": 7, \"hidden_act\"").getBytes(StandardCharsets.UTF_8));
        assertThrows(DecoderCheckpointException.class, () -> HfDecoderConfigJson.read(dup));
        Random r = new Random(1415);
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 200; i++) {
            byte[] b = bytes.clone();
            if (r.nextBoolean()) {
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            } else {
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
            }
            Path f = write("d" + i + ".json", b);
            try {
                DecoderConfig c = HfDecoderConfigJson.read(f);
                assertNotNull(c);
            } catch (DecoderCheckpointException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), "mutant " + i + ": " + e.getMessage());
            }
        }
    }
}
