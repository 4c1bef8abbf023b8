package dev.balora.core.lora.peft;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid adapter directory thousands of times (config JSON: truncation, byte flips, wrong types, huge and
 * negative numbers, removed keys, garbage, deep nesting, oversize; safetensors: bit flips, truncation, huge lengths,
 * header edits) and requires every load to end in success or an {@link AdapterFormatException} that names the
 * mutated file and a key — never another exception, an error, or a hang. Safetensors-level failures arrive wrapped
 * (cause {@link dev.balora.core.io.SafetensorsFormatException}). A failed load must leave the model unchanged.
 * Mutations that must break the directory are required to be rejected. Seeded: a failure names its case.
 * Cases go through real files (two small writes per case; fast enough here, see the time limit).
 */
class PeftAdapterFuzzTest {
    static final long SEED = 0xADA9_7E45L;
    /** 15 mutators × 150 = 2,250 cases: 9.4 s measured at load average 16 on 2 cores, ~3 s on an idle machine. */
    static final int CASES_PER_MUTATOR = 150;
    /** A hang guard, not the budget: generous so that a loaded build machine does not make the test flaky. */
    static final Duration LIMIT = Duration.ofSeconds(300); // 30 s once timed out at load 9 with nice 19

    @TempDir
    static Path tmp;
    static byte[] config;
    static byte[] weights;

    enum Expect { REJECT, EITHER }

    record Mutator(String name, String file, Expect expect, BiFunction<byte[], Random, byte[]> apply) {}

    @BeforeAll
    static void validAdapter() throws IOException {
        ModuleTree m = ModuleTree.tiny(3);
        LoraConfig cfg = new LoraConfig(2, 4, 0.0, false, new LoraInit.Kaiming(), List.of("query", "mlp.up"),
                List.of("classifier"), 1);
        LoraInjector.inject(m, cfg);
        PeftAdapterRoundTripTest.fineTune(m, true);
        Path valid = Files.createDirectories(tmp.resolve("valid"));
        PeftAdapter.save(valid, m, cfg, "balora/tiny", Map.of("k", 1));
        config = Files.readAllBytes(valid.resolve(PeftAdapter.CONFIG_FILE));
        weights = Files.readAllBytes(valid.resolve(PeftAdapter.WEIGHTS_FILE));
        Files.delete(valid.resolve(PeftAdapter.BALORA_FILE));
    }

    static final String[] WRONG_VALUES = {"\"text\"", "7", "-3", "0", "2.5", "true", "false", "null", "[]", "{}",
            "[1, \"a\"]", "1e400", "-1e400", "99999999999999999999999999999", "-9223372036854775809", "1e-400",
            "\"\\u0000\"", "[[[[[]]]]]", "{\"a\": {\"b\": null}}", "\"pissa_niter_99999999999\""};
    static final String[] KEYS = {"r", "lora_alpha", "lora_dropout", "target_modules", "peft_type", "use_rslora",
            "init_lora_weights", "modules_to_save", "bias", "fan_in_fan_out", "use_dora", "rank_pattern",
            "base_model_name_or_path", "task_type", "layers_to_transform", "exclude_modules", "lora_bias"};
    static final List<String> MUST_REJECT_KEYS = List.of("r", "target_modules", "peft_type");

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces the value of top-level {@code key} in the pretty-printed config (one "key" : value per line). */
    static byte[] setRaw(byte[] cfg, String key, String raw) {
        String s = text(cfg);
        int at = s.indexOf("\"" + key + "\" : ");
        assertTrue(at >= 0, key);
        int start = at + key.length() + 5;
        int end = s.indexOf(",\n  \"", start);
        if (end < 0) {
            end = s.lastIndexOf("\n}");
        }
        return bytes(s.substring(0, start) + raw + s.substring(end));
    }

    static byte[] flipBits(byte[] in, Random r, int from, int count) {
        byte[] b = in.clone();
        for (int i = 0; i < count; i++) {
            int at = from + r.nextInt(b.length - from);
            b[at] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    static int headerEnd() {
        return 8 + (int) ByteBuffer.wrap(weights, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static List<Mutator> mutators() {
        List<Mutator> m = new ArrayList<>();
        String cfg = PeftAdapter.CONFIG_FILE;
        String st = PeftAdapter.WEIGHTS_FILE;
        m.add(new Mutator("config truncated", cfg, Expect.REJECT,
                (b, r) -> Arrays.copyOf(b, r.nextInt(text(b).lastIndexOf('}')))));
        m.add(new Mutator("config byte flips", cfg, Expect.EITHER, (b, r) -> flipBits(b, r, 0, 1 + r.nextInt(4))));
        m.add(new Mutator("config random bytes", cfg, Expect.EITHER, (b, r) -> {
            byte[] out = b.clone();
            for (int i = 0; i < 1 + r.nextInt(3); i++) {
                out[r.nextInt(out.length)] = (byte) r.nextInt(256);
            }
            return out;
        }));
        m.add(new Mutator("config wrong value", cfg, Expect.EITHER, (b, r) -> setRaw(b, KEYS[r.nextInt(KEYS.length)],
                WRONG_VALUES[r.nextInt(WRONG_VALUES.length)])));
        m.add(new Mutator("config wrong value for a must-have key", cfg, Expect.REJECT,
                (b, r) -> setRaw(b, MUST_REJECT_KEYS.get(r.nextInt(MUST_REJECT_KEYS.size())),
                        WRONG_VALUES[r.nextInt(WRONG_VALUES.length)])));
        m.add(new Mutator("config huge or negative rank", cfg, Expect.REJECT, (b, r) -> setRaw(b, "r",
                List.of("-1", "-2147483648", "2147483648", "1048577", "1e400", "9", "3", "1", "2.0000001", "1e6")
                        .get(r.nextInt(10)))));
        m.add(new Mutator("config key removed", cfg, Expect.REJECT, (b, r) -> {
            String key = List.of("r", "lora_alpha", "target_modules", "peft_type").get(r.nextInt(4));
            return bytes(text(b).replace("\"" + key + "\"", "\"" + key + "_gone\""));
        }));
        m.add(new Mutator("config garbage inserted", cfg, Expect.EITHER, (b, r) -> {
            String s = text(b);
            int at = r.nextInt(s.length());
            String junk = List.of("{", "}", "[", "]", ",", ":", "\"", "\\", "NaN", "1e999", "\u00ff", "//").get(r.nextInt(12));
            return bytes(s.substring(0, at) + junk + s.substring(at));
        }));
        m.add(new Mutator("config deep nesting", cfg, Expect.REJECT, (b, r) -> {
            int depth = 2_000 + r.nextInt(50_000);
            return bytes(text(b).replace("\"revision\" : null", "\"revision\" : " + "[".repeat(depth) + "]".repeat(depth)));
        }));
        m.add(new Mutator("safetensors truncated", st, Expect.REJECT, (b, r) -> Arrays.copyOf(b, r.nextInt(b.length))));
        m.add(new Mutator("safetensors bit flips", st, Expect.EITHER, (b, r) -> flipBits(b, r, 0, 1 + r.nextInt(8))));
        m.add(new Mutator("safetensors header bit flips", st, Expect.EITHER, (b, r) -> {
            byte[] out = b.clone();
            int end = headerEnd();
            for (int i = 0; i < 1 + r.nextInt(3); i++) {
                out[r.nextInt(end)] ^= (byte) (1 << r.nextInt(8));
            }
            return out;
        }));
        m.add(new Mutator("safetensors data bit flips", st, Expect.EITHER, (b, r) -> flipBits(b, r, headerEnd(), 1 + r.nextInt(8))));
        m.add(new Mutator("safetensors huge header length", st, Expect.REJECT, (b, r) -> {
            byte[] out = b.clone();
            long n = List.of(Long.MAX_VALUE, -1L, 1L << 40, (long) b.length, (long) b.length - 7, 100_000_001L)
                    .get(r.nextInt(6));
            ByteBuffer.wrap(out, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
            return out;
        }));
        m.add(new Mutator("safetensors huge shape or offsets", st, Expect.REJECT, (b, r) -> {
            String s = new String(b, StandardCharsets.ISO_8859_1);
            String big = List.of("4294967296", "9223372036854775807", "18446744073709551616", "99999999999").get(r.nextInt(4));
            String field = r.nextBoolean() ? "\"shape\":[" : "\"data_offsets\":[";
            int at = s.indexOf(field, r.nextInt(headerEnd() - 20));
            if (at < 0) {
                at = s.indexOf(field);
            }
            int start = at + field.length();
            int end = s.indexOf(',', start);
            // Rewrite the header and its length so the change is the only damage.
            String header = s.substring(8, headerEnd());
            int hs = start - 8;
            int he = end - 8;
            String newHeader = header.substring(0, hs) + big + header.substring(he);
            byte[] hb = newHeader.getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer out = ByteBuffer.allocate(8 + hb.length + b.length - headerEnd()).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(hb.length).put(hb).put(b, headerEnd(), b.length - headerEnd());
            return out.array();
        }));
        return m;
    }

    @Test
    void everyMutationEndsInSuccessOrAdapterFormatException() {
        Map<String, int[]> tally = new java.util.TreeMap<>();
        Map<String, Long> nanos = new java.util.TreeMap<>();
        long started = System.nanoTime();
        Path dir;
        try {
            dir = caseDirectory();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
          assertTimeoutPreemptively(LIMIT, () -> {
            Random r = new Random(SEED);
            for (Mutator mu : mutators()) {
                int[] counts = tally.computeIfAbsent(mu.name(), k -> new int[2]);
                long t0 = System.nanoTime();
                for (int i = 0; i < CASES_PER_MUTATOR; i++) {
                    boolean onConfig = mu.file().equals(PeftAdapter.CONFIG_FILE);
                    byte[] mutated = mu.apply().apply(onConfig ? config : weights, r);
                    Files.write(dir.resolve(PeftAdapter.CONFIG_FILE), onConfig ? mutated : config);
                    Files.write(dir.resolve(PeftAdapter.WEIGHTS_FILE), onConfig ? weights : mutated);
                    String id = mu.name() + " #" + i;
                    ModuleTree model = ModuleTree.tiny(3);
                    try {
                        PeftAdapter.load(dir, model);
                        assertNotEquals(Expect.REJECT, mu.expect(), id + " must be rejected");
                        counts[0]++;
                    } catch (AdapterFormatException e) {
                        // A mutated config may still be valid JSON that no longer fits the weights (a renamed
                        // module_to_save): then the tensor listing names the weights file. Weight mutations never
                        // blame the intact config.
                        assertTrue(e.file().equals(dir.resolve(mu.file()))
                                || (onConfig && e.file().equals(dir.resolve(PeftAdapter.WEIGHTS_FILE))), id + ": " + e.getMessage());
                        assertFalse(e.key().isBlank(), id);
                        assertTrue(LoraInjector.adapters(model).isEmpty(), id + ": model changed by a failed load");
                        counts[1]++;
                    } catch (Throwable t) {
                        fail(id + ": " + t, t);
                    }
                }
                nanos.put(mu.name(), (System.nanoTime() - t0) / 1_000_000);
            }
          });
        } finally {
            for (String f : List.of(PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE, "")) {
                try {
                    Files.deleteIfExists(dir.resolve(f));
                } catch (IOException ignored) {
                    // best effort: a leftover in a temp directory is harmless
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int total = tally.values().stream().mapToInt(c -> c[0] + c[1]).sum();
        StringBuilder sb = new StringBuilder(String.format("PeftAdapterFuzzTest: %d cases in %.2f s;", total, seconds));
        tally.forEach((k, c) -> sb.append(String.format(" %s: %d ok/%d rejected (%d ms);", k, c[0], c[1], nanos.get(k))));
        System.out.println(sb);
        assertEquals(mutators().size() * CASES_PER_MUTATOR, total);
        assertTrue(tally.get("config byte flips")[1] > 0 && tally.get("safetensors data bit flips")[0] > 0,
                "the mutators must both break and keep files: " + sb);
    }

    /**
     * Where the cases are written: a tmpfs when there is one (a file write there costs ~40 µs against ~3.5 ms on this
     * machine's overlay disk, which would put 3,000 cases over the time limit), else the JUnit temp dir.
     */
    static Path caseDirectory() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            Path d = Files.createTempDirectory(shm, "balora-peft-fuzz");
            return d;
        }
        return Files.createDirectories(tmp.resolve("case"));
    }

    @Test
    void oversizeConfigIsRefusedBeforeReading() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("oversize"));
        byte[] big = new byte[(int) PeftAdapter.MAX_CONFIG_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        Files.write(dir.resolve(PeftAdapter.CONFIG_FILE), big);
        Files.write(dir.resolve(PeftAdapter.WEIGHTS_FILE), weights);
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> PeftAdapter.load(dir, ModuleTree.tiny(3)));
        assertEquals("(file)", e.key());
    }
}
