package dev.balora.core.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static float[] randomFloats(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        }
        return v;
    }

    private static final float[] SPECIAL = {
        -0.0f, 0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1.0f / 3, Math.nextUp(1.0f), -7.5f
    };

    private static Map<String, F32Tensor> sample() {
        Random r = new Random(17);
        Map<String, F32Tensor> m = new LinkedHashMap<>();
        // Inserted out of name order on purpose: the writer must sort.
        m.put("z.last", new F32Tensor(new long[] {3, 7}, randomFloats(r, 21)));
        m.put("a.first", F32Tensor.vector(randomFloats(r, 1)));
        m.put("encoder.layer.0.attention.self.query.weight", new F32Tensor(new long[] {17, 1, 3}, randomFloats(r, 51)));
        m.put("special", F32Tensor.vector(SPECIAL));
        m.put("scalar", new F32Tensor(new long[] {}, new float[] {-2.75f}));
        m.put("empty", new F32Tensor(new long[] {0}, new float[0]));
        m.put("empty.inner", new F32Tensor(new long[] {3, 0, 5}, new float[0]));
        m.put("big", new F32Tensor(new long[] {33, 9_001}, randomFloats(r, 33 * 9_001))); // spans several write chunks
        m.put("ünïcode name \"quoted\"", F32Tensor.vector(randomFloats(r, 7)));
        return m;
    }

    @Test
    void writeThenReadIsBitExactWithShapesMetadataAndSortedLayout() throws IOException {
        Map<String, F32Tensor> tensors = sample();
        Map<String, String> metadata = Map.of("format", "pt", "note", "λ=0.1, \"quoted\"\n", "empty", "");
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertEquals(metadata, reader.metadata());
            List<String> sortedNames = tensors.keySet().stream().sorted().toList();
            assertEquals(sortedNames, reader.names().stream().toList(), "data laid out in name order");
            long expectedBegin = 0;
            for (TensorInfo info : reader.tensors()) {
                F32Tensor want = tensors.get(info.name());
                assertEquals(DType.F32, info.dtype());
                assertArrayEquals(want.shape(), info.shape(), info.name());
                assertEquals(expectedBegin, info.begin(), "tensors packed back to back: " + info.name());
                expectedBegin = info.end();

                F32Tensor got = reader.readF32Tensor(info.name());
                assertEquals(want, got, "bit-exact values of " + info.name());
                double[] wide = reader.readDoubles(info.name());
                assertEquals(want.values().length, wide.length);
                for (int i = 0; i < wide.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(want.values()[i]), Double.doubleToRawLongBits(wide[i]),
                            info.name() + "[" + i + "]");
                }
            }
            assertEquals(Files.size(file), reader.dataStart() + expectedBegin, "no trailing bytes");
            assertEquals(0, reader.dataStart() % 8, "header padded to a multiple of 8");
        }
    }

    @Test
    void negativeZeroAndNaNSurviveAsBits() throws IOException {
        Path file = dir.resolve("special.safetensors");
        SafetensorsWriter.write(file, Map.of("s", F32Tensor.vector(SPECIAL)));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            float[] got = reader.readFloats("s");
            for (int i = 0; i < SPECIAL.length; i++) {
                assertEquals(Float.floatToRawIntBits(SPECIAL[i]), Float.floatToRawIntBits(got[i]), "element " + i);
            }
            assertEquals(0x8000_0000, Float.floatToRawIntBits(got[0]));
        }
    }

    @Test
    void writerProducesTheReferenceLayoutByteForByte() throws IOException {
        byte[] bytes = SafetensorsBytes.written(Map.of("b", new F32Tensor(new long[] {1, 2}, new float[] {1.0f, -2.0f}),
                "a", new F32Tensor(new long[] {}, new float[] {0.5f})), Map.of("k", "v"));
        String json = "{\"__metadata__\":{\"k\":\"v\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[4,12]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] expected = SafetensorsBytes.concat(
                SafetensorsBytes.le(8, padded.length()),
                padded.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 0, 0, 0x3f}, // 0.5f = 0x3f000000, little-endian
                new byte[] {0, 0, (byte) 0x80, 0x3f}, // 1.0f = 0x3f800000
                new byte[] {0, 0, 0, (byte) 0xc0}); // -2.0f = 0xc0000000
        assertArrayEquals(expected, bytes, () -> new String(bytes, StandardCharsets.ISO_8859_1));
    }

    @Test
    void emptyFileWithoutTensorsRoundTrips() throws IOException {
        Path file = dir.resolve("none.safetensors");
        SafetensorsWriter.write(file, Map.of());
        assertEquals(16, Files.size(file), "8-byte length + \"{}\" padded to 8");
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertTrue(reader.tensors().isEmpty());
            assertTrue(reader.metadata().isEmpty());
        }
    }

    @Test
    void writerRejectsReservedNameAndTensorRejectsWrongCount() {
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(dir.resolve("x"),
                Map.of("__metadata__", F32Tensor.vector(1f))));
        assertFalse(Files.exists(dir.resolve("x")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new F32Tensor(new long[] {3, 7}, new float[20]));
        assertTrue(e.getMessage().contains("21") && e.getMessage().contains("20"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new F32Tensor(new long[] {-1}, new float[0]));
    }

    @Test
    void readsLazilySoATruncationAfterOpenOnlyHurtsTheTensorsBeyondIt() throws IOException {
        Random r = new Random(5);
        Map<String, F32Tensor> tensors = Map.of("a", F32Tensor.vector(randomFloats(r, 3)),
                "b", F32Tensor.vector(randomFloats(r, 1_000)));
        Path file = dir.resolve("lazy.safetensors");
        SafetensorsWriter.write(file, tensors);
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(reader.dataStart() + reader.tensor("b").begin() + 100);
            }
            assertEquals(tensors.get("a"), reader.readF32Tensor("a"));
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> reader.readFloats("b"));
            assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("end of file"), e.getMessage());
        }
    }

    @Test
    void replacingAnOpenFileKeepsTheReaderOnTheOldContent() throws IOException {
        Path file = dir.resolve("swap.safetensors");
        F32Tensor v1 = F32Tensor.vector(1f, 2f, 3f);
        SafetensorsWriter.write(file, Map.of("w", v1));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            SafetensorsWriter.write(file, Map.of("w", F32Tensor.vector(4f, 5f, 6f, 7f)));
            assertEquals(v1, reader.readF32Tensor("w"), "the rename leaves the open inode intact (POSIX)");
        } catch (IOException e) {
            // Windows cannot replace an open file; the atomic writer then fails and the old file stays.
            assertTrue(System.getProperty("os.name").startsWith("Windows"), e.toString());
        }
    }
}
