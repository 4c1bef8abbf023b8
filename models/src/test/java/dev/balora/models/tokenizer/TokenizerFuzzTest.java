package dev.balora.models.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutation fuzzing of the reader (every input ends in a tokenizer or a {@link TokenizerFormatException}) and
 * random-string fuzzing of {@code encode} (never throws, ids always in range). Seeded and time-capped.
 */
class TokenizerFuzzTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Wall-clock cap of the reader fuzz (the brief allows 15 s for all fuzzing). The loop stops at
     * {@link #READER_CASES} cases or at the cap, whichever comes first: about 3 s for all cases on an idle
     * 2-core machine, but only a few hundred cases fit when the shared machine is crowded.
     */
    static final long READER_BUDGET_NANOS = 9_000_000_000L;
    static final int READER_CASES = 3_000;

    /** The MiniLM tokenizer with its vocabulary cut to ids 0..1199 (still dense and valid: the
     * special tokens and the single characters from '!' on; 40× smaller, so many more cases fit in the budget). */
    static ObjectNode smallTokenizer() throws IOException {
        ObjectNode root = (ObjectNode) MAPPER.readTree(TestTexts.miniLmBytes());
        ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
        ObjectNode cut = JsonNodeFactory.instance.objectNode();
        vocab.properties().forEach(e -> {
            if (e.getValue().intValue() < 1200) {
                cut.set(e.getKey(), e.getValue());
            }
        });
        ((ObjectNode) root.get("model")).set("vocab", cut);
        return root;
    }

    @Test
    @Timeout(60)
    void readerEndsInATokenizerOrAFormatException() throws IOException {
        Random random = new Random(0x70C3);
        ObjectNode small = smallTokenizer();
        byte[] smallBytes = MAPPER.writeValueAsBytes(small);
        byte[] fullBytes = TestTexts.miniLmBytes();
        long deadline = System.nanoTime() + READER_BUDGET_NANOS;
        int cases = 0;
        int accepted = 0;
        int[] perKind = new int[7];
        while (System.nanoTime() < deadline && cases < READER_CASES) {
            // One case in 40 mutates the real 0.7 MB file, the rest its small copy.
            boolean full = random.nextInt(40) == 0;
            int kind = random.nextInt(perKind.length);
            byte[] input;
            String what;
            switch (kind) {
                case 0 -> {
                    byte[] src = full ? fullBytes : smallBytes;
                    int at = random.nextInt(src.length);
                    input = Arrays.copyOf(src, at);
                    what = "truncated at " + at;
                }
                case 1 -> {
                    input = (full ? fullBytes : smallBytes).clone();
                    int flips = 1 + random.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        input[random.nextInt(input.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    what = flips + " bit flips";
                }
                case 2 -> {
                    input = (full ? fullBytes : smallBytes).clone();
                    int count = 1 + random.nextInt(4);
                    for (int i = 0; i < count; i++) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    }
                    what = count + " random bytes";
                }
                case 3 -> {
                    byte[] src = smallBytes;
                    int from = random.nextInt(src.length);
                    int length = random.nextInt(Math.min(2000, src.length - from) + 1);
                    int to = random.nextInt(src.length);
                    byte[] out = new byte[src.length + length];
                    System.arraycopy(src, 0, out, 0, to);
                    System.arraycopy(src, from, out, to, length);
                    System.arraycopy(src, to, out, to + length, src.length - to);
                    input = out;
                    what = "spliced " + length + " bytes";
                }
                default -> {
                    ObjectNode tree = small.deepCopy();
                    what = mutateTree(tree, random, kind);
                    input = withDeepArrays(MAPPER.writeValueAsBytes(tree), random);
                }
            }
            perKind[kind]++;
            cases++;
            try {
                WordPieceTokenizer t = TokenizerJsonReader.parse(input, "fuzz.json");
                accepted++;
                checkEncodes(t, "case " + cases + " (" + what + ")");
            } catch (TokenizerFormatException expected) {
                assertTrue(expected.getMessage().startsWith("fuzz.json: field '"), expected.getMessage());
            } catch (Throwable other) {
                fail("case " + cases + " (" + what + ") threw " + other, other);
            }
        }
        System.out.printf("reader fuzz: %d cases (%s by kind), %d accepted%n", cases, Arrays.toString(perKind),
                accepted);
        assertTrue(cases >= 100, "only " + cases + " cases ran in the time budget");
        assertTrue(accepted > 0 && accepted < cases, accepted + " of " + cases + " accepted");
    }

    /** Deletes a key, retypes a value, or plants a huge or deeply nested value somewhere in the tree. */
    static String mutateTree(ObjectNode root, Random random, int kind) {
        List<JsonNode> containers = new ArrayList<>();
        collectContainers(root, containers, random);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        JsonNode replacement = switch (kind) {
            case 4 -> null; // delete
            case 5 -> randomScalar(random);
            default -> random.nextBoolean() ? JsonNodeFactory.instance.textNode(DEEP) : randomScalar(random);
        };
        if (target instanceof ObjectNode object && !object.isEmpty()) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            String name = names.get(random.nextInt(names.size()));
            if (replacement == null) {
                object.remove(name);
                return "deleted key " + name;
            }
            object.set(name, replacement);
            return "set " + name + " to " + clip(replacement.toString());
        }
        if (target instanceof ArrayNode array && !array.isEmpty()) {
            int index = random.nextInt(array.size());
            if (replacement == null) {
                array.remove(index);
                return "deleted element " + index;
            }
            array.set(index, replacement);
            return "set element " + index + " to " + clip(replacement.toString());
        }
        return "no change";
    }

    /** Containers of the tree; the 1,200 vocabulary entries are sampled rather than listed, to keep it fast. */
    static void collectContainers(JsonNode node, List<JsonNode> out, Random random) {
        if (!node.isContainerNode()) {
            return;
        }
        out.add(node);
        if (node.size() > 100) {
            return; // the vocabulary: itself a target, its values scalars
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            collectContainers(it.next(), out, random);
        }
        if (node.has("vocab")) {
            for (int i = 0; i < 6; i++) {
                out.add(node.get("vocab")); // weight the vocabulary more, as it holds most of the file
            }
        }
    }

    static JsonNode randomScalar(Random random) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(12)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(random.nextBoolean());
            case 2 -> f.numberNode(random.nextInt());
            case 3 -> f.numberNode(-1 - random.nextInt(10));
            case 4 -> f.numberNode(BigInteger.TEN.pow(5 + random.nextInt(60)));
            case 5 -> f.numberNode(random.nextDouble() * 1e300);
            case 6 -> f.numberNode(Long.MAX_VALUE);
            case 7 -> f.textNode("x".repeat(random.nextInt(5)));
            case 8 -> f.textNode(String.valueOf(random.nextInt(100)));
            case 9 -> f.objectNode().put("type", random.nextBoolean() ? "WordPiece" : "Fixed");
            case 10 -> f.arrayNode().add(1).add("[SEP]");
            default -> f.numberNode(random.nextInt(3000));
        };
    }

    /** Placeholder for a deeply nested array, which Jackson's writer would refuse to write. */
    static final String DEEP = "@@deep@@";

    static byte[] withDeepArrays(byte[] json, Random random) {
        String text = new String(json, java.nio.charset.StandardCharsets.UTF_8);
        if (!text.contains(DEEP)) {
            return json;
        }
        int depth = random.nextInt(3000);
        String deep = "[".repeat(depth) + "1" + "]".repeat(depth);
        return text.replace("\"" + DEEP + "\"", deep).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    static void checkEncodes(WordPieceTokenizer t, String what) {
        for (String text : new String[] {"", "hello world, [CLS] caf\u00e9 \u4e2d\u6587", "a".repeat(150)}) {
            int[] ids = t.encode(text).ids();
            for (int id : ids) {
                assertTrue(id >= 0 && id < t.vocabSize(), what + ": id " + id);
            }
            t.encodeBatch(List.of(text, "x y"), 16, true);
            t.decode(ids);
        }
    }

    @Test
    @Timeout(60)
    void encodeNeverThrowsOnRandomUnicode() throws IOException {
        WordPieceTokenizer miniLm = Tokenizers.miniLm();
        ObjectNode raw = smallTokenizer();
        ((ObjectNode) raw.get("normalizer")).put("clean_text", false).put("handle_chinese_chars", false);
        WordPieceTokenizer uncleaned = TokenizerJsonReader.parse(MAPPER.writeValueAsBytes(raw), "uncleaned.json");
        raw.putNull("normalizer");
        WordPieceTokenizer unnormalized = TokenizerJsonReader.parse(MAPPER.writeValueAsBytes(raw), "raw.json");
        Random random = new Random(77);
        int tokens = 0;
        for (int n = 0; n < 1200; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(n % 100 == 0 ? 3000 : 60);
            for (int i = 0; i < length; i++) {
                switch (random.nextInt(4)) {
                    case 0 -> sb.append((char) random.nextInt(0x10000)); // includes lone surrogates
                    case 1 -> sb.appendCodePoint(random.nextInt(Character.MAX_CODE_POINT + 1));
                    case 2 -> sb.append((char) (0x20 + random.nextInt(0x5F)));
                    default -> sb.append("[SEP] ".charAt(random.nextInt(6)));
                }
            }
            String text = sb.toString();
            for (WordPieceTokenizer t : new WordPieceTokenizer[] {miniLm, uncleaned, unnormalized}) {
                try {
                    Encoding e = t.encode(text);
                    tokens += e.length();
                    for (int id : e.ids()) {
                        assertTrue(id >= 0 && id < t.vocabSize());
                    }
                    assertEquals(101, e.ids()[0]);
                    assertEquals(102, e.ids()[e.length() - 1]);
                    Encoding pair = t.encodePair(text, text, 33);
                    assertTrue(pair.length() <= 33);
                    t.decode(e.ids());
                } catch (Throwable other) {
                    fail(t.source() + " threw on " + text.codePoints().mapToObj(Integer::toHexString).toList(), other);
                }
            }
        }
        assertTrue(tokens > 1200 * 3 * 2);
    }
}
