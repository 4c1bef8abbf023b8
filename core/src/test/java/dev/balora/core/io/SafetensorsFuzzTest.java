package dev.balora.core.io;

import static dev.balora.core.io.SafetensorsBytes.le;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid files thousands of times and requires every outcome to be either a clean read or a
 * {@link SafetensorsFormatException}: never another exception, an {@link OutOfMemoryError} or a hang.
 * Mutations that must break a file are required to be rejected; mutations of tensor bytes alone are
 * required to be harmless. Seeded, so a failure names a reproducible case. The cases run over an
 * in-memory channel (the code path after {@code FileChannel.open} is the same), which keeps the run short.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 0x5AFE_7E45L;
    private static final int RANDOM_CASES_PER_MUTATOR = 200;
    private static final Duration BATCH_LIMIT = Duration.ofSeconds(10);
    /** One more than the reader's nesting limit is the first depth that must fail. */
    private static final int MAX_NESTING = SafetensorsHeader.MAX_DEPTH;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static List<Seed> seeds;

    /** A valid file, split for mutation. */
    private record Seed(String label, byte[] file, ObjectNode header, byte[] body) {
        List<String> tensorNames() {
            List<String> names = new ArrayList<>();
            header.fieldNames().forEachRemaining(n -> {
                if (!n.equals("__metadata__")) {
                    names.add(n);
                }
            });
            return names;
        }

        List<String> nonEmptyTensorNames() {
            return tensorNames().stream().filter(n -> {
                JsonNode o = header.get(n).get("data_offsets");
                return o.get(1).asLong() > o.get(0).asLong();
            }).toList();
        }

        int headerLength() {
            return file.length - 8 - body.length;
        }
    }

    private enum Expect { REJECT, ACCEPT, EITHER }

    private record Mutator(String name, Expect expect, BiFunction<Seed, Random, byte[]> apply) {}

    @BeforeAll
    static void makeSeeds() throws IOException, URISyntaxException {
        Random r = new Random(SEED);
        Map<String, F32Tensor> f32 = new LinkedHashMap<>();
        f32.put("w.weight", new F32Tensor(new long[] {3, 7}, randomFloats(r, 21)));
        f32.put("w.bias", F32Tensor.vector(randomFloats(r, 7)));
        f32.put("s", new F32Tensor(new long[] {}, new float[] {-1.5f}));
        f32.put("e", new F32Tensor(new long[] {0, 5}, new float[0]));
        byte[] written = SafetensorsBytes.written(f32, Map.of("format", "pt", "k", "v"));

        String mixedHeader = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[24,30]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[30,32]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[32,35]}}";
        byte[] mixedBody = SafetensorsBytes.concat(le(8, Double.doubleToLongBits(0.25), Double.doubleToLongBits(-3)),
                le(8, -9), le(2, 0x3C00, 0xC000, 0x7BFF), le(2, 0x3F80), le(1, 1, 2, 255));
        byte[] mixed = SafetensorsBytes.file(mixedHeader, mixedBody);

        byte[] torch = Files.readAllBytes(Path.of(SafetensorsFuzzTest.class.getResource("/io/torch_fixture.safetensors").toURI()));
        byte[] empty = SafetensorsBytes.file("{}      ", new byte[0]);

        seeds = List.of(seed("writer", written), seed("mixed", mixed), seed("torch", torch), seed("empty", empty));
        for (Seed s : seeds) {
            assertEquals(Outcome.ACCEPTED, run(s.file, "seed " + s.label), "seeds must be valid");
        }
    }

    private static Seed seed(String label, byte[] file) throws IOException {
        return new Seed(label, file, (ObjectNode) JSON.readTree(SafetensorsBytes.header(file)), SafetensorsBytes.body(file));
    }

    private static float[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    // ---------------------------------------------------------------------------------------------------
    // Running one case

    private enum Outcome { ACCEPTED, REJECTED }

    /** Opens the bytes as a file and reads every tensor in every way its dtype allows. */
    private static Outcome run(byte[] bytes, String description) {
        Path file = Path.of("fuzz", "case.safetensors");
        try (SafetensorsReader reader = SafetensorsReader.open(file, new ByteArrayFileChannel(bytes))) {
            for (TensorInfo t : reader.tensors()) {
                int n = (int) t.elementCount();
                if (ElementDecoder.FLOAT_SOURCES.contains(t.dtype())) {
                    assertEquals(n, reader.readFloats(t.name()).length);
                    assertEquals(n, reader.readDoubles(t.name()).length);
                } else if (ElementDecoder.LONG_SOURCES.contains(t.dtype())) {
                    assertEquals(n, reader.readLongs(t.name()).length);
                } else {
                    assertThrows(SafetensorsFormatException.class, () -> reader.readFloats(t.name()));
                }
            }
            reader.metadata().forEach((k, v) -> assertNotNull(v));
            return Outcome.ACCEPTED;
        } catch (SafetensorsFormatException e) {
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(": expected "),
                    () -> "message shape for " + description + ": " + e.getMessage());
            return Outcome.REJECTED;
        } catch (Throwable t) {
            // Anything else, OutOfMemoryError included, is a bug; show the case so that it can be replayed.
            throw new AssertionError(description + " threw " + t + "\nfile (hex, first 600 bytes): "
                    + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 600)), t);
        }
    }

    private static void check(Expect expect, Outcome outcome, String description) {
        if (expect == Expect.REJECT) {
            assertEquals(Outcome.REJECTED, outcome, () -> description + " must be rejected");
        } else if (expect == Expect.ACCEPT) {
            assertEquals(Outcome.ACCEPTED, outcome, () -> description + " must be harmless");
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // The tests

    @Test
    void randomMutationsEndInACleanReadOrAFormatException() {
        Map<String, int[]> tally = new LinkedHashMap<>();
        for (Mutator m : mutators()) {
            int[] counts = tally.computeIfAbsent(m.name(), k -> new int[2]);
            Random r = new Random(SEED ^ m.name().hashCode());
            assertTimeoutPreemptively(BATCH_LIMIT, () -> {
                for (int i = 0; i < RANDOM_CASES_PER_MUTATOR; i++) {
                    Seed s = pick(r, m);
                    String description = m.name() + " #" + i + " on seed " + s.label();
                    Outcome o = run(m.apply().apply(s, r), description);
                    check(m.expect(), o, description);
                    counts[o.ordinal()]++;
                }
            }, () -> "mutator " + m.name() + " exceeded " + BATCH_LIMIT);
        }
        tally.forEach((name, c) -> System.out.println(name + ": accepted " + c[0] + ", rejected " + c[1]));
        // Random bit flips must hit both outcomes, or the fuzzer is not exploring.
        int[] flips = tally.get("bit flips anywhere");
        assertTrue(flips[0] > 0 && flips[1] > 0, "bit flips anywhere: accepted " + flips[0] + ", rejected " + flips[1]);
    }

    @Test
    void truncationAtEveryLengthIsRejectedUnlessOnlyUnusedBytesGo() {
        for (Seed s : seeds) {
            assertTimeoutPreemptively(BATCH_LIMIT, () -> {
                long usedEnd = 8L + s.headerLength() + maxEnd(s);
                for (int len = 0; len < s.file().length; len++) {
                    byte[] cut = java.util.Arrays.copyOf(s.file(), len);
                    Outcome o = run(cut, "truncation to " + len + " of seed " + s.label());
                    check(len < usedEnd ? Expect.REJECT : Expect.ACCEPT, o, "truncation to " + len + " of " + s.label());
                }
            });
        }
    }

    @Test
    void headerLengthFieldLiesAreRejected() {
        assertTimeoutPreemptively(BATCH_LIMIT, SafetensorsFuzzTest::headerLengthLies);
    }

    private static void headerLengthLies() {
        for (Seed s : seeds) {
            long size = s.file().length;
            long n = s.headerLength();
            long[] lies = {0, 1, 2, 7, n - 1, n + 1, size - 8 + 1, size - 7, size, 100L * 1024 * 1024 + 1,
                1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1, -8};
            for (long lie : lies) {
                byte[] f = s.file().clone();
                System.arraycopy(le(8, lie), 0, f, 0, 8);
                Outcome o = run(f, "header length " + Long.toUnsignedString(lie) + " on " + s.label());
                // n + k may land inside the trailing space padding, which still parses: only that is allowed.
                boolean maybeValid = lie > n - 8 && lie < n && lie > 0;
                if (!maybeValid) {
                    check(Expect.REJECT, o, "header length " + Long.toUnsignedString(lie) + " on " + s.label());
                }
            }
        }
    }

    private static long maxEnd(Seed s) {
        long end = 0;
        for (String n : s.tensorNames()) {
            end = Math.max(end, s.header().get(n).get("data_offsets").get(1).asLong());
        }
        return end;
    }

    private static Seed pick(Random r, Mutator m) {
        List<Seed> usable = m.name().startsWith("json:") ? seeds.stream().filter(s -> s.nonEmptyTensorNames().size() >= 2).toList() : seeds;
        return usable.get(r.nextInt(usable.size()));
    }

    // ---------------------------------------------------------------------------------------------------
    // Mutators

    private static List<Mutator> mutators() {
        List<Mutator> m = new ArrayList<>();
        m.add(new Mutator("bit flips anywhere", Expect.EITHER, (s, r) -> flip(s.file(), r, 0, s.file().length, 1 + r.nextInt(8))));
        m.add(new Mutator("bit flips in header", Expect.EITHER, (s, r) -> flip(s.file(), r, 8, 8 + s.headerLength(), 1 + r.nextInt(3))));
        m.add(new Mutator("bit flips in tensor bytes", Expect.ACCEPT, (s, r) -> s.body().length == 0 ? s.file()
                : flip(s.file(), r, 8 + s.headerLength(), s.file().length, 1 + r.nextInt(16))));
        // Issue 14: inserted or appended bytes would shift or hide data; the buffer must be exactly the tensors.
        m.add(new Mutator("bytes inserted into the data buffer", Expect.REJECT, (s, r) -> {
            int at = 8 + s.headerLength() + r.nextInt(s.body().length + 1);
            byte[] extra = new byte[1 + r.nextInt(8)];
            r.nextBytes(extra);
            return SafetensorsBytes.concat(java.util.Arrays.copyOf(s.file(), at), extra,
                    java.util.Arrays.copyOfRange(s.file(), at, s.file().length));
        }));
        m.add(new Mutator("JSON punctuation in header", Expect.EITHER, SafetensorsFuzzTest::punctuate));
        m.add(new Mutator("random splice in header", Expect.EITHER, SafetensorsFuzzTest::splice));
        m.add(new Mutator("bad UTF-8 in header", Expect.REJECT, SafetensorsFuzzTest::badUtf8));
        m.add(new Mutator("non-object top level", Expect.REJECT, (s, r) -> rebuild(s, new String[] {
            "[]", "\"x\"", "1", "null", "true", "[{}]", "{\"a\":1}", "{\"a\":{}}", "{\"a\":null}", "{\"a\":[]}"}[r.nextInt(10)]
            .getBytes(StandardCharsets.UTF_8))));
        // A tensor entry sits at depth 2, so an ignored field may nest MAX_NESTING - 2 arrays and no more.
        m.add(new Mutator("json: deep nesting in ignored field", Expect.REJECT, (s, r) -> nested(s, r,
                MAX_NESTING - 1 + (r.nextInt(10) == 0 ? r.nextInt(100_000) : r.nextInt(100)))));
        m.add(new Mutator("json: shallow nesting in ignored field", Expect.ACCEPT, (s, r) -> nested(s, r,
                1 + r.nextInt(MAX_NESTING - 2))));
        m.add(new Mutator("json: duplicate key", Expect.REJECT, (s, r) -> {
            String name = randomName(s, r, false);
            String json = new String(serialize(s.header()), StandardCharsets.UTF_8);
            String dup = ",\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\":" + s.header().get(name);
            return rebuild(s, (json.substring(0, json.length() - 1) + dup + "}").getBytes(StandardCharsets.UTF_8));
        }));
        m.add(new Mutator("json: reversed offsets", Expect.REJECT, (s, r) -> json(s, r, true, (e, len) -> {
            ArrayNode o = (ArrayNode) e.get("data_offsets");
            long b = o.get(0).asLong();
            o.set(0, o.get(1));
            o.set(1, NODES.numberNode(b));
        })));
        m.add(new Mutator("json: end past buffer", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) ->
                ((ArrayNode) e.get("data_offsets")).set(1, NODES.numberNode(len + 1 + r.nextInt(1000))))));
        m.add(new Mutator("json: offsets out of long range", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) ->
                ((ArrayNode) e.get("data_offsets")).set(r.nextInt(2), NODES.numberNode(
                        BigInteger.ONE.shiftLeft(63 + r.nextInt(70)).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1)))))));
        m.add(new Mutator("json: negative offset", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) ->
                ((ArrayNode) e.get("data_offsets")).set(r.nextInt(2), NODES.numberNode(-1 - r.nextInt(100))))));
        m.add(new Mutator("json: offsets wrong arity or type", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) -> {
            JsonNode[] bad = {NODES.arrayNode(), NODES.arrayNode().add(0), NODES.arrayNode().add(0).add(4).add(8),
                NODES.textNode("0,4"), NODES.arrayNode().add("0").add(4), NODES.arrayNode().add(0.0).add(4.0), NODES.nullNode()};
            e.set("data_offsets", bad[r.nextInt(bad.length)]);
        })));
        m.add(new Mutator("json: range copied from another tensor", Expect.REJECT, (s, r) -> {
            List<String> names = s.nonEmptyTensorNames();
            String a = names.get(r.nextInt(names.size()));
            String b = names.get(r.nextInt(names.size()));
            while (b.equals(a)) {
                b = names.get(r.nextInt(names.size()));
            }
            ObjectNode h = s.header().deepCopy();
            h.set(b, h.get(a).deepCopy());
            return rebuild(s, serialize(h));
        }));
        m.add(new Mutator("json: overlap by shifting one range", Expect.EITHER, (s, r) -> json(s, r, true, (e, len) -> {
            ArrayNode o = (ArrayNode) e.get("data_offsets");
            long shift = r.nextInt(9) - 4;
            o.set(0, NODES.numberNode(o.get(0).asLong() + shift));
            o.set(1, NODES.numberNode(o.get(1).asLong() + shift));
        })));
        m.add(new Mutator("json: huge dims and product overflow", Expect.REJECT, (s, r) -> json(s, r, true, (e, len) -> {
            long[][] shapes = {{Long.MAX_VALUE}, {1L << 32, 1L << 32}, {1L << 62, 4}, {3, 1L << 61, 7},
                {Long.MAX_VALUE, Long.MAX_VALUE, 0}, {1L << 40, 1L << 40, 1L << 40}, {len + 1}};
            e.set("shape", longArray(shapes[r.nextInt(shapes.length)]));
        })));
        m.add(new Mutator("json: bad dims", Expect.REJECT, (s, r) -> json(s, r, true, (e, len) -> {
            JsonNode[] bad = {NODES.arrayNode().add(-1), NODES.arrayNode().add(2).add(-3), NODES.arrayNode().add(1.5),
                NODES.arrayNode().add("3"), NODES.arrayNode().add(NODES.arrayNode()), NODES.numberNode(3), NODES.nullNode(),
                NODES.arrayNode().add(NODES.numberNode(BigInteger.TEN.pow(30))), longArray(new long[65])};
            e.set("shape", bad[r.nextInt(bad.length)]);
        })));
        m.add(new Mutator("json: bad dtype", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) -> {
            JsonNode[] bad = {NODES.textNode("f32"), NODES.textNode("F8_E8M0"), NODES.textNode("F4"), NODES.textNode(""),
                NODES.textNode("F32 "), NODES.numberNode(4), NODES.nullNode(), NODES.arrayNode().add("F32")};
            e.set("dtype", bad[r.nextInt(bad.length)]);
        })));
        m.add(new Mutator("json: other valid dtype", Expect.EITHER, (s, r) -> json(s, r, false, (e, len) ->
                e.put("dtype", DType.values()[r.nextInt(DType.values().length)].name()))));
        m.add(new Mutator("json: missing field", Expect.REJECT, (s, r) -> json(s, r, false, (e, len) ->
                e.remove(List.of("dtype", "shape", "data_offsets").get(r.nextInt(3))))));
        m.add(new Mutator("json: unknown field", Expect.ACCEPT, (s, r) -> json(s, r, false, (e, len) ->
                e.set("extra" + r.nextInt(3), NODES.arrayNode().add(1).add(NODES.objectNode().put("x", "y"))))));
        m.add(new Mutator("json: bad metadata", Expect.REJECT, (s, r) -> {
            ObjectNode h = s.header().deepCopy();
            JsonNode[] bad = {NODES.objectNode().put("a", 1), NODES.objectNode().set("a", NODES.nullNode()),
                NODES.objectNode().set("a", NODES.objectNode()), NODES.textNode("pt"), NODES.arrayNode(), NODES.nullNode()};
            h.set("__metadata__", bad[r.nextInt(bad.length)]);
            return rebuild(s, serialize(h));
        }));
        m.add(new Mutator("json: tensor renamed to __metadata__", Expect.REJECT, (s, r) -> {
            ObjectNode h = s.header().deepCopy();
            String name = randomName(s, r, false);
            h.set("__metadata__", h.remove(name));
            return rebuild(s, serialize(h));
        }));
        return m;
    }

    @FunctionalInterface
    private interface EntryEdit {
        void edit(ObjectNode entry, long bufferLength);
    }

    /** Applies {@code edit} to one tensor entry (a non-empty one when {@code nonEmpty}) and rebuilds the file. */
    private static byte[] json(Seed s, Random r, boolean nonEmpty, EntryEdit edit) {
        ObjectNode h = s.header().deepCopy();
        edit.edit((ObjectNode) h.get(randomName(s, r, nonEmpty)), s.body().length);
        return rebuild(s, serialize(h));
    }

    /** Adds to one entry an ignored field holding {@code depth} nested arrays. */
    private static byte[] nested(Seed s, Random r, int depth) {
        ObjectNode h = s.header().deepCopy();
        ((ObjectNode) h.get(randomName(s, r, false))).put("nest", "@@NEST@@");
        String json = new String(serialize(h), StandardCharsets.UTF_8)
                .replace("\"@@NEST@@\"", "[".repeat(depth) + "]".repeat(depth));
        return rebuild(s, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String randomName(Seed s, Random r, boolean nonEmpty) {
        List<String> names = nonEmpty ? s.nonEmptyTensorNames() : s.tensorNames();
        return names.get(r.nextInt(names.size()));
    }

    private static ArrayNode longArray(long[] values) {
        ArrayNode a = NODES.arrayNode();
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    private static byte[] serialize(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file with the new header, a correct length prefix and the seed's body. */
    private static byte[] rebuild(Seed s, byte[] header) {
        return SafetensorsBytes.file(header, s.body());
    }

    private static byte[] flip(byte[] file, Random r, int from, int to, int flips) {
        byte[] f = file.clone();
        for (int i = 0; i < flips && to > from; i++) {
            int at = from + r.nextInt(to - from);
            f[at] ^= (byte) (1 << r.nextInt(8));
        }
        return f;
    }

    private static byte[] punctuate(Seed s, Random r) {
        byte[] f = s.file().clone();
        byte[] tokens = "{}[],:\"-09e.\\ tnf".getBytes(StandardCharsets.US_ASCII);
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            f[8 + r.nextInt(s.headerLength())] = tokens[r.nextInt(tokens.length)];
        }
        return f;
    }

    private static byte[] splice(Seed s, Random r) {
        byte[] header = SafetensorsBytes.header(s.file());
        int at = r.nextInt(header.length);
        int cut = r.nextInt(Math.min(16, header.length - at) + 1);
        byte[] insert = new byte[r.nextInt(16)];
        r.nextBytes(insert);
        byte[] out = SafetensorsBytes.concat(java.util.Arrays.copyOf(header, at), insert,
                java.util.Arrays.copyOfRange(header, at + cut, header.length));
        return rebuild(s, out);
    }

    private static byte[] badUtf8(Seed s, Random r) {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xBF}, {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F}};
        byte[] header = SafetensorsBytes.header(s.file());
        // After the leading '{', so the UTF-8 check is what must catch it.
        int at = 1 + r.nextInt(header.length - 1);
        return rebuild(s, SafetensorsBytes.concat(java.util.Arrays.copyOf(header, at), bad[r.nextInt(bad.length)],
                java.util.Arrays.copyOfRange(header, at, header.length)));
    }
}
