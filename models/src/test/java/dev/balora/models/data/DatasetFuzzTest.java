package dev.balora.models.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Mutates a slice of the real food-review TSV and a JSONL rendering of it thousands of times (truncation,
 * byte flips, inserted quotes, tabs, commas, braces and line breaks, invalid UTF-8, deleted and duplicated
 * ranges, over-long lines and fields). Every case must end in a valid dataset or a
 * {@link DatasetFormatException}: any other exception, a hang or running out of memory fails the test.
 */
class DatasetFuzzTest {
    private static final int CASES_PER_FORMAT = 2500;
    private static final byte[] SPECIAL = {'"', '\t', '\n', '\r', ',', '{', '}', ':', '\\', '[', ' ', 0};

    @Test
    void mutatedInputsEndInADatasetOrAFormatError() throws IOException {
        byte[] full = Files.readAllBytes(ShippedDataTest.repositoryData().resolve("food-reviews/food-reviews-train.tsv"));
        byte[] tsv = firstLines(full, 40);
        byte[] jsonl = toJsonl(tsv);
        int[] outcomes = new int[2];
        long[] cpuNanos = new long[1];
        // The wall-clock limit only catches hangs: helpers share few cores, so wall time says little. The
        // budget of 15 s is asserted on the CPU time of the fuzzing thread instead.
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long start = threads.getCurrentThreadCpuTime();
            Random random = new Random(20240917L);
            for (int c = 0; c < CASES_PER_FORMAT; c++) {
                byte[] input = mutate(tsv, random);
                DelimitedReader reader = switch (c % 3) {
                    case 0 -> DelimitedReader.tsv();
                    case 1 -> DelimitedReader.tsv().withLabels(FoodReviews.LABELS);
                    default -> DelimitedReader.tsv().withoutQuoting();
                };
                outcomes[run("tsv", c, input, in -> reader.read(in, "fuzz.tsv"))]++;
                byte[] json = mutate(jsonl, random);
                JsonlReader jsonReader = c % 2 == 0 ? JsonlReader.standard() : JsonlReader.standard().withLabels(FoodReviews.LABELS);
                outcomes[run("jsonl", c, json, in -> jsonReader.read(in, "fuzz.jsonl"))]++;
            }
            // A few passes over the whole 1.6 MB file, as a CSV reader would see it too.
            for (int c = 0; c < 6; c++) {
                byte[] input = flipBytes(full.clone(), random, 1 + random.nextInt(4));
                DelimitedReader reader = c % 2 == 0 ? DelimitedReader.tsv() : DelimitedReader.csv();
                outcomes[run("full", c, input, in -> reader.read(in, "full.tsv"))]++;
            }
            cpuNanos[0] = threads.getCurrentThreadCpuTime() - start;
        });
        System.out.printf("fuzz: %d valid datasets, %d format errors, %.2f s CPU%n", outcomes[0], outcomes[1],
                cpuNanos[0] / 1e9);
        assertTrue(cpuNanos[0] < 15_000_000_000L, "fuzzing took " + cpuNanos[0] / 1e9 + " s of CPU");
        // Both outcomes must occur, or the mutations are too mild or too destructive to test anything.
        assertTrue(outcomes[0] > 200 && outcomes[1] > 200, Arrays.toString(outcomes));
    }

    /** 0 for a valid dataset, 1 for a format error; anything else fails with the case to reproduce. */
    private static int run(String kind, int c, byte[] input, Function<ByteArrayInputStream, TextClassificationDataset> read) {
        try {
            TextClassificationDataset d = read.apply(new ByteArrayInputStream(input));
            assertTrue(d.size() > 0);
            return 0;
        } catch (DatasetFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz") || e.getMessage().startsWith("full"), e.getMessage());
            return 1;
        } catch (Throwable t) {
            fail(kind + " case " + c + " (" + input.length + " bytes) threw " + t, t);
            return -1;
        }
    }

    private static byte[] mutate(byte[] base, Random random) {
        byte[] out = base.clone();
        int steps = 1 + random.nextInt(3);
        for (int s = 0; s < steps; s++) {
            out = switch (random.nextInt(9)) {
                case 0 -> Arrays.copyOf(out, random.nextInt(out.length + 1));
                case 1 -> flipBytes(out, random, 1 + random.nextInt(8));
                case 2, 3 -> insert(out, random.nextInt(out.length + 1), new byte[] {SPECIAL[random.nextInt(SPECIAL.length)]});
                case 4 -> deleteRange(out, random);
                case 5 -> duplicateRange(out, random);
                case 6 -> insert(out, random.nextInt(out.length + 1), new byte[] {(byte) 0xC3, (byte) (random.nextInt(256))});
                case 7 -> random.nextInt(40) == 0 ? hugeInsert(out, random) : flipBytes(out, random, 1);
                default -> insert(out, random.nextInt(out.length + 1), "\"\"\t\"".getBytes(StandardCharsets.UTF_8));
            };
        }
        return out;
    }

    private static byte[] flipBytes(byte[] b, Random random, int n) {
        for (int i = 0; i < n && b.length > 0; i++) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    private static byte[] deleteRange(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(200));
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }

    private static byte[] duplicateRange(byte[] b, Random random) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(500));
        return insert(b, from, Arrays.copyOfRange(b, from, to));
    }

    /** A run of 1.1 MB to 4.6 MB without line breaks, sometimes opened by a quote. */
    private static byte[] hugeInsert(byte[] b, Random random) {
        byte[] run = new byte[(1 << 20) + 100_000 + random.nextInt(3 << 20) + random.nextInt(400_000)];
        Arrays.fill(run, (byte) (random.nextBoolean() ? 'x' : '\t'));
        if (random.nextBoolean()) {
            run[0] = '"';
        }
        return insert(b, random.nextInt(b.length + 1), run);
    }

    private static byte[] firstLines(byte[] file, int lines) {
        int end = 0;
        for (int seen = 0; end < file.length && seen < lines; end++) {
            if (file[end] == '\n') {
                seen++;
            }
        }
        return Arrays.copyOf(file, end);
    }

    private static byte[] toJsonl(byte[] tsv) {
        TextClassificationDataset d = DelimitedReader.tsv().read(new ByteArrayInputStream(tsv), "slice");
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TextClassificationDataset.Example e : d.examples()) {
            ObjectNode node = json.createObjectNode();
            node.put("text", e.text());
            node.put("label", d.labels().label(e.label()));
            out.writeBytes((node + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
