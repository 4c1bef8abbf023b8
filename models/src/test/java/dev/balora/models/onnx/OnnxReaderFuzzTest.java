package dev.balora.models.onnx;

import static dev.balora.models.onnx.OnnxModels.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutates small valid ONNX models thousands of times (bit flips, truncation, inserted huge varints,
 * overwritten and duplicated slices, structurally valid tensors with hostile dims / data_type / lengths) and
 * requires every case to end in an {@link OnnxFormatException} or a graph whose invariants hold; any other
 * throwable, a hang or an OutOfMemoryError fails the test with the case seed.
 */
class OnnxReaderFuzzTest {
    private static final int MAX_CASES = 20_000;
    private static final long BUDGET_NANOS = Duration.ofSeconds(8).toNanos();
    private static final long[] HOSTILE_LONGS = {-1, 0, 1, 3, 7, 17, 1L << 31, (1L << 31) - 1, 1L << 62,
            Long.MIN_VALUE, Long.MAX_VALUE, 24, 99, -7};

    @Test
    void mutatedModelsEndInFormatExceptionOrAValidGraph() {
        List<byte[]> seeds = List.of(mixedModel(), new TinyBertOnnx().build(3));
        int[] outcomes = new int[3]; // refused, parsed, mapped as BERT
        int cases = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            long start = System.nanoTime();
            int n = 0;
            for (; n < MAX_CASES && System.nanoTime() - start < BUDGET_NANOS; n++) {
                Random r = new Random(n * 0x9E3779B97F4A7C15L);
                byte[] base = seeds.get(n % seeds.size());
                int kind = r.nextInt(8);
                byte[] input = kind == 7 ? hostileTensorModel(r) : mutate(base, kind, r);
                outcomes[runCase(input, n, kind, r)]++;
            }
            return n;
        });
        System.out.printf("fuzz: %d cases, %d refused, %d parsed, %d mapped as BERT%n", cases, outcomes[0],
                outcomes[1], outcomes[2]);
        assertTrue(cases >= 1_000, "only " + cases + " cases ran in the budget");
        assertTrue(outcomes[0] > cases / 10 && outcomes[1] > 0, "the mutations exercise both outcomes");
    }

    /** @return 0 refused, 1 parsed (not BERT), 2 parsed and mapped as BERT */
    private static int runCase(byte[] input, int n, int kind, Random r) {
        String label = "case " + n + " (mutation " + kind + ", " + input.length + " bytes)";
        try {
            OnnxGraph g;
            if (n % 4 == 0) { // the stream decoder, sometimes with a declared size that is off by one
                int delta = r.nextInt(5) == 0 ? r.nextInt(3) - 1 : 0;
                g = OnnxModelReader.read(new ByteArrayInputStream(input), Math.max(0, input.length + delta), label);
            } else {
                g = OnnxModelReader.read(input, label);
            }
            checkInvariants(g, label);
            try {
                BertOnnxWeights w = BertOnnxWeights.fromGraph(g);
                for (WeightTensor t : w.tensors().values()) {
                    assertEquals(Arrays.stream(t.shape()).asLongStream().reduce(1, (a, b) -> a * b), t.data().length);
                }
                return 2;
            } catch (OnnxFormatException notBert) {
                return 1;
            }
        } catch (OnnxFormatException expected) {
            assertTrue(expected.getMessage().startsWith(label + ": "), expected.getMessage());
            return 0;
        } catch (Throwable other) {
            throw new AssertionError(label + " threw " + other, other);
        }
    }

    private static void checkInvariants(OnnxGraph g, String label) {
        for (OnnxTensor t : g.initializers().values()) {
            for (long d : t.dims()) {
                assertTrue(d >= 0, label);
            }
            if (t.hasFloats()) {
                assertEquals(t.elementCount(), t.floats().length, label);
            }
            if (t.hasLongs()) {
                assertEquals(t.elementCount(), t.longs().length, label);
            }
        }
    }

    private static byte[] mutate(byte[] base, int kind, Random r) {
        byte[] b = base.clone();
        int at = r.nextInt(b.length);
        switch (kind) {
            case 0 -> { // bit flips
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    int p = r.nextInt(b.length);
                    b[p] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, at); // truncation
            case 2 -> { // a huge or overlong varint spliced in (lengths, tags, dims)
                byte[][] varints = {{-1, -1, -1, -1, 7}, {-1, -1, -1, -1, -1, -1, -1, -1, -1, 1},
                        {-128, -128, -128, -128, -128, -128, -128, -128, -128, -128, 0}, {-1, -1, -1, -1, 15}};
                b = splice(b, at, varints[r.nextInt(varints.length)], r.nextBoolean() ? 1 : 0);
            }
            case 3 -> { // overwrite a short run with random bytes
                for (int i = 0; i < 1 + r.nextInt(6) && at + i < b.length; i++) {
                    b[at + i] = (byte) r.nextInt(256);
                }
            }
            case 4 -> b[at] = new byte[] {0, -128, -1, 127, 8, 10, 26}[r.nextInt(7)]; // boundary byte values
            case 5 -> { // duplicate a slice elsewhere (repeated fields, duplicate names)
                int len = 1 + r.nextInt(Math.min(64, b.length - at));
                b = splice(b, r.nextInt(b.length), Arrays.copyOfRange(b, at, at + len), 0);
            }
            default -> { // delete a slice
                int len = 1 + r.nextInt(Math.min(64, b.length - at));
                b = splice(b, at, new byte[0], len);
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
        remove = Math.min(remove, b.length - at);
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    /** A well-formed protobuf whose tensor has hostile dims, data_type and data lengths. */
    private static byte[] hostileTensorModel(Random r) {
        ProtoWriter t = new ProtoWriter();
        for (int i = r.nextInt(4); i > 0; i--) {
            t.varint(1, HOSTILE_LONGS[r.nextInt(HOSTILE_LONGS.length)]);
        }
        if (r.nextBoolean()) {
            t.packedVarints(1, HOSTILE_LONGS[r.nextInt(HOSTILE_LONGS.length)], r.nextInt(9));
        }
        t.varint(2, r.nextInt(4) == 0 ? HOSTILE_LONGS[r.nextInt(HOSTILE_LONGS.length)] : r.nextInt(26));
        t.string(8, "h");
        switch (r.nextInt(5)) {
            case 0 -> t.bytes(9, new byte[r.nextInt(80)]);
            case 1 -> t.packedFloats(4, new float[r.nextInt(20)]);
            case 2 -> t.packedVarints(7, new long[r.nextInt(20)]);
            case 3 -> t.varint(14, r.nextInt(3));
            default -> t.bytes(9, new byte[r.nextInt(80)]).packedFloats(4, 1f);
        }
        return model(new ProtoWriter().message(5, t).message(1, node("n", "Identity", List.of("h"), List.of("o"))));
    }

    private static byte[] mixedModel() {
        Random r = new Random(5);
        float[] w = new float[3 * 7];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        ProtoWriter g = new ProtoWriter()
                .message(1, node("/mm", "MatMul", List.of("x", "w"), List.of("y"), intsAttribute("perm", 1, 0),
                        floatAttribute("alpha", 0.5f)))
                .message(1, constant("/c", "c", int64Data("", new long[] {2}, new long[] {12, 32})))
                .string(2, "mixed")
                .message(5, floatRaw("w", new long[] {3, 7}, w))
                .message(5, floatData("b", new long[] {7}, Arrays.copyOf(w, 7)))
                .message(5, int64Raw("ids", new long[] {1, 3}, new long[] {4, 5, 6}))
                .message(5, int64Data("shape", new long[] {2}, new long[] {-1, 384}))
                .message(11, valueInfo("x")).message(12, valueInfo("y"));
        return model(g);
    }
}
