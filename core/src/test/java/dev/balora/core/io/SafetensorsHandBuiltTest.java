package dev.balora.core.io;

import static dev.balora.core.io.SafetensorsBytes.concat;
import static dev.balora.core.io.SafetensorsBytes.le;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files assembled byte by byte, with expected values worked out by hand from the bit patterns (not by the
 * conversion routines under test).
 */
class SafetensorsHandBuiltTest {
    @TempDir
    Path dir;

    // F16 bit patterns and their values: sign | 5-bit exponent (bias 15) | 10-bit mantissa.
    private static final long[] F16_BITS = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x8000, 0x7C00, 0xFC00, 0x3555};
    private static final float[] F16_VALUES = {
        1.0f, -2.0f, 65504.0f,
        5.9604645e-8f, // 2^-24, the smallest subnormal
        6.1035156e-5f, // 2^-14, the smallest normal
        -0.0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        0.333251953125f // 2^-2 * (1 + 341/1024)
    };
    // BF16: the top 16 bits of a float32.
    private static final long[] BF16_BITS = {0x3F80, 0xC040, 0x4049, 0x7F7F, 0x0001, 0x8000, 0xFF80};
    private static final float[] BF16_VALUES = {
        1.0f, -3.0f, 3.140625f,
        3.3895314e38f, // 2^127 * (1 + 127/128), the largest finite bfloat16
        9.1835e-41f, // 2^-133, the smallest subnormal
        -0.0f, Float.NEGATIVE_INFINITY
    };
    private static final double[] F64_VALUES = {0.1, -1e300, Double.MIN_VALUE, Math.PI, -0.0};
    private static final long[] I64_VALUES = {Long.MIN_VALUE, -1, 0, 1L << 40, Long.MAX_VALUE};

    private static long[] doubleBits(double... v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToRawLongBits(v[i]);
        }
        return b;
    }

    /**
     * Layout with deliberate quirks: header entries out of offset order, an unknown field and an empty tensor
     * sharing an offset with a non-empty one. {@code gap} inserts that many bytes before "bf16" (shifting the
     * later offsets in the header too), {@code trailing} appends bytes after the last tensor: both are refused.
     */
    private Path mixedFile(int gap, int trailing) throws IOException {
        byte[] body = concat(
                le(8, doubleBits(F64_VALUES)),           // f64     [0, 40)
                le(8, I64_VALUES),                       // i64     [40, 80)
                le(2, F16_BITS),                         // f16     [80, 98)
                new byte[gap],                           // gap     [98, 98 + gap)
                le(2, BF16_BITS),                        // bf16    [98, 112) + gap
                le(4, Integer.MIN_VALUE, -7, 123456789), // i32     [112, 124) + gap
                le(1, -128, -1, 127),                    // i8      [124, 127) + gap
                le(1, 0, 200, 255),                      // u8      [127, 130) + gap
                le(4, 0xFFFF_FFFFL),                     // u32     [130, 134) + gap
                le(8, doubleBits(-2.5)),                 // scalar  [134, 142) + gap
                new byte[trailing]);
        int g = gap;
        String header = """
                {"bf16":{"dtype":"BF16","shape":[7],"data_offsets":[%d,%d]},
                 "f16":{"dtype":"F16","shape":[3,3],"data_offsets":[80,98],"comment":{"ignored":[1,2]}},
                 "f64":{"dtype":"F64","shape":[5,1],"data_offsets":[0,40]},
                 "__metadata__":{"format":"pt","ünï":"côdé"},
                 "i64":{"dtype":"I64","shape":[5],"data_offsets":[40,80]},
                 "empty":{"dtype":"F32","shape":[0],"data_offsets":[40,40]},
                 "i32":{"shape":[1,3],"dtype":"I32","data_offsets":[%d,%d]},
                 "i8":{"dtype":"I8","shape":[3],"data_offsets":[%d,%d]},
                 "u8":{"dtype":"U8","shape":[3],"data_offsets":[%d,%d]},
                 "u32":{"dtype":"U32","shape":[1],"data_offsets":[%d,%d]},
                 "scalar":{"dtype":"F64","shape":[],"data_offsets":[%d,%d]}}""".formatted(98 + g, 112 + g, 112 + g,
                124 + g, 124 + g, 127 + g, 127 + g, 130 + g, 130 + g, 134 + g, 134 + g, 142 + g);
        Path file = dir.resolve("mixed-" + gap + "-" + trailing + ".safetensors");
        Files.write(file, SafetensorsBytes.file(header, body));
        return file;
    }

    private Path mixedFile() throws IOException {
        return mixedFile(0, 0);
    }

    /** Issue 14: three bytes inserted into a weights file were accepted and shifted every later tensor. */
    @Test
    void bytesAfterTheLastTensorOrBetweenTensorsAreRefused() throws IOException {
        var trailing = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(mixedFile(0, 3)));
        assertTrue(trailing.getMessage().contains("data buffer") && trailing.getMessage().contains("3 unaccounted"),
                trailing.getMessage());
        var gap = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(mixedFile(2, 0)));
        assertTrue(gap.getMessage().contains("'bf16'") && gap.getMessage().contains("no gap"), gap.getMessage());
        SafetensorsReader.open(mixedFile(0, 0)).close();
    }

    @Test
    void listsEntriesInFileOrderWithMetadata() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(mixedFile())) {
            assertEquals(List.of("f64", "empty", "i64", "f16", "bf16", "i32", "i8", "u8", "u32", "scalar"),
                    r.names().stream().toList());
            assertEquals(Map.of("format", "pt", "ünï", "côdé"), r.metadata());
            assertEquals(new TensorInfo("f16", DType.F16, new long[] {3, 3}, 80, 98), r.tensor("f16"));
            assertEquals(new TensorInfo("scalar", DType.F64, new long[] {}, 134, 142), r.tensor("scalar"));
            assertEquals(1, r.tensor("scalar").elementCount());
            assertEquals(0, r.tensor("empty").elementCount());
        }
    }

    @Test
    void decodesHalfAndBfloat16FromHandComputedBitPatterns() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(mixedFile())) {
            assertBitsEqual(F16_VALUES, r.readFloats("f16"));
            assertBitsEqual(BF16_VALUES, r.readFloats("bf16"));
            double[] wide = r.readDoubles("bf16");
            for (int i = 0; i < wide.length; i++) {
                assertEquals((double) BF16_VALUES[i], wide[i], 0.0, "bf16 as double " + i);
            }
        }
    }

    @Test
    void decodesDoublesExactlyAndAsRoundedFloats() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(mixedFile())) {
            assertArrayEquals(doubleBits(F64_VALUES), doubleBits(r.readDoubles("f64")));
            float[] narrowed = r.readFloats("f64");
            float[] expected = {0.1f, Float.NEGATIVE_INFINITY, 0.0f, 3.1415927f, -0.0f};
            assertBitsEqual(expected, narrowed);
            assertArrayEquals(new double[] {-2.5}, r.readDoubles("scalar"));
            assertArrayEquals(new float[0], r.readFloats("empty"));
        }
    }

    @Test
    void decodesIntegersSignedAndUnsigned() throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(mixedFile())) {
            assertArrayEquals(I64_VALUES, r.readLongs("i64"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -7, 123456789}, r.readLongs("i32"));
            assertArrayEquals(new long[] {-128, -1, 127}, r.readLongs("i8"));
            assertArrayEquals(new long[] {0, 200, 255}, r.readLongs("u8"));
            assertArrayEquals(new long[] {4294967295L}, r.readLongs("u32"));
        }
    }

    @Test
    void wrongDtypeOrMissingNameIsAFormatErrorNamingFileTensorAndTypes() throws IOException {
        Path file = mixedFile();
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            var e = assertThrows(SafetensorsFormatException.class, () -> r.readLongs("f16"));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'f16'") && e.getMessage().contains("found F16"), e.getMessage());
            assertTrue(e.expected().contains("I64"), e.expected());
            assertThrows(SafetensorsFormatException.class, () -> r.readFloats("i64"));
            assertThrows(SafetensorsFormatException.class, () -> r.readDoubles("u8"));
            var missing = assertThrows(SafetensorsFormatException.class, () -> r.readFloats("nope"));
            assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
            assertFalse(r.contains("nope"));
        }
    }

    @Test
    void tensorTooLargeForAJavaArrayIsRejectedBeforeAllocation() throws IOException {
        long elements = 1L << 31; // one more than Integer.MAX_VALUE; I8 keeps the (sparse) file at 2 GiB
        String header = "{\"huge\":{\"dtype\":\"I8\",\"shape\":[" + elements + "],\"data_offsets\":[0," + elements + "]}}";
        Path file = dir.resolve("huge.safetensors");
        Files.write(file, SafetensorsBytes.file(header, new byte[0]));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + elements); // a hole: no disk blocks are written
        }
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertEquals(elements, r.tensor("huge").elementCount());
            var e = assertThrows(SafetensorsFormatException.class, () -> r.readLongs("huge"));
            assertTrue(e.getMessage().contains("2147483648 elements"), e.getMessage());
        }
    }

    /** One rejected header per rule, with what its message must say. */
    @Test
    void eachValidationRuleHasAMessageNamingFieldExpectedAndActual() throws IOException {
        byte[] body = new byte[48];
        String ok = "\"ok\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
        String[][] cases = {
            // header JSON, fragments the message must contain
            {"[1,2]", "header", "a JSON object", "0x5b"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[24,28]}}", "'x' field dtype", "F31"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[24,28]}}", "'x' field shape[0]", "-1"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[24,28]}}", "'x' field shape[0]", "1.5"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[24,28]}}",
                "'x' field shape", "overflows"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[24,28]}}",
                "'x' field shape[0]", "99999999999999999999"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[28,24]}}", "'x' field data_offsets", "begin <= end", "[28, 24]"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}}", "'x' field data_offsets", "buffer length 48", "[48, 52]"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,28]}}", "'x' field data_offsets", "8 bytes", "4 bytes"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}", "data_offsets", "disjoint", "'ok'", "[20, 24]"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24]}}", "'x' field data_offsets", "2 entries", "1 entries"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", "'x'", "data_offsets", "none"},
            {"{" + ok + ",\"x\":[]}", "'x'", "an object"},
            {"{" + ok + ",\"ok\":{}}", "header JSON", "Duplicate field 'ok'"},
            {"{" + ok + ",\"__metadata__\":{\"a\":1}}", "__metadata__ key 'a'", "a string value", "value_number_int 1"},
            {"{" + ok + ",\"__metadata__\":\"x\"}", "__metadata__", "object of string values"},
            {"{" + ok + "} {}", "after the top-level object", "start_object"},
            {"{" + ok + "", "header JSON", "well-formed JSON"},
            {" {" + ok + "}", "header", "'{'", "0x20"},
            {"{" + ok + ",\"x\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(64) + "1],\"data_offsets\":[24,28]}}",
                "'x' field shape", "at most 64 entries"},
        };
        for (String[] c : cases) {
            Path file = dir.resolve("bad.safetensors");
            Files.write(file, SafetensorsBytes.file(c[0], body));
            var e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(file).close(), c[0]);
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            for (int i = 1; i < c.length; i++) {
                assertTrue(e.getMessage().contains(c[i]), "message for " + c[0] + " lacks '" + c[i] + "': " + e.getMessage());
            }
        }
    }

    @Test
    void headerLengthFieldIsCheckedAsUnsignedAgainstFileSizeAndCap() throws IOException {
        byte[] header = "{}      ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long[] lies = {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 9, 100L * 1024 * 1024 + 1, 0};
        String[] found = {"18446744073709551615", "9223372036854775808", "9223372036854775807", "found 9", "", "empty header"};
        for (int i = 0; i < lies.length; i++) {
            Path file = dir.resolve("len.safetensors");
            Files.write(file, SafetensorsBytes.file(lies[i], header, new byte[0]));
            var e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(file).close());
            assertTrue(e.getMessage().contains(found[i]), e.getMessage());
        }
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {2, 0, 0, 0, 0, 0, 0});
        var e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(tiny).close());
        assertTrue(e.getMessage().contains("at least 8 bytes") && e.getMessage().contains("7 bytes"), e.getMessage());
    }

    @Test
    void malformedUtf8IsRejectedWithItsByteOffset() throws IOException {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0x80},
            {(byte) 0xE2, (byte) 0x82}};
        for (byte[] b : bad) {
            byte[] header = concat("{\"__metadata__\":{\"k\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII), b,
                    "\"}}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Path file = dir.resolve("utf8.safetensors");
            Files.write(file, SafetensorsBytes.file(header, new byte[0]));
            var e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(file).close());
            assertTrue(e.getMessage().contains("header at byte 22") && e.getMessage().contains("valid UTF-8"), e.getMessage());
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
