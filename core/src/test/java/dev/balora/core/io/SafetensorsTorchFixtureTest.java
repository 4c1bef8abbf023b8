package dev.balora.core.io;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads {@code io/torch_fixture.safetensors}, whose values come from PyTorch and whose bytes were laid out
 * by {@code tools/make_safetensors_fixture.py} (not by balora), and compares every element with the bit
 * patterns torch itself produced when converting to float32 and float64.
 */
class SafetensorsTorchFixtureTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(SafetensorsTorchFixtureTest.class.getResource("/io/" + name).toURI());
    }

    @Test
    void everyTensorMatchesTorchBitForBit() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(resource("torch_fixture_expected.json").toFile());
        try (SafetensorsReader r = SafetensorsReader.open(resource("torch_fixture.safetensors"))) {
            assertEquals(Map.of("format", "pt", "source", "tools/make_safetensors_fixture.py", "seed", "20240617"),
                    r.metadata());
            List<String> names = new ArrayList<>();
            expected.fieldNames().forEachRemaining(names::add);
            assertEquals(names.stream().sorted().toList(), r.names().stream().sorted().toList());
            int checkedElements = 0;
            for (String name : names) {
                JsonNode want = expected.get(name);
                TensorInfo info = r.tensor(name);
                assertEquals(want.get("dtype").asText(), info.dtype().name(), name);
                assertArrayEquals(longs(want.get("shape")), info.shape(), name);
                if (want.has("ints")) {
                    assertArrayEquals(longs(want.get("ints")), r.readLongs(name), name);
                    checkedElements += want.get("ints").size();
                } else {
                    float[] f = r.readFloats(name);
                    double[] d = r.readDoubles(name);
                    long[] f32Bits = longs(want.get("f32_bits"));
                    long[] f64Bits = longs(want.get("f64_bits"));
                    assertEquals(f32Bits.length, f.length, name);
                    for (int i = 0; i < f.length; i++) {
                        assertEquals((int) f32Bits[i], Float.floatToRawIntBits(f[i]), name + "[" + i + "] as float");
                        assertEquals(f64Bits[i], Double.doubleToRawLongBits(d[i]), name + "[" + i + "] as double");
                    }
                    checkedElements += f.length;
                }
            }
            assertEquals(144, checkedElements, "elements compared across the fixture");
        }
    }

    @Test
    void fixtureFollowsTheReferenceLayout() throws IOException, URISyntaxException {
        try (SafetensorsReader r = SafetensorsReader.open(resource("torch_fixture.safetensors"))) {
            assertEquals(0, r.dataStart() % 8, "header padded to 8 bytes");
            long end = 0;
            for (TensorInfo t : r.tensors()) {
                assertEquals(end, t.begin(), "packed: " + t.name());
                end = t.end();
            }
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        Iterator<JsonNode> it = array.elements();
        for (int i = 0; it.hasNext(); i++) {
            JsonNode n = it.next();
            assertTrue(n.canConvertToLong(), n::toString);
            out[i] = n.asLong();
        }
        return out;
    }
}
