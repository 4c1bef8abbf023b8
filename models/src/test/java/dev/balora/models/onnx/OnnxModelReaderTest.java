package dev.balora.models.onnx;

import static dev.balora.models.onnx.OnnxModels.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelReaderTest {
    private final Random random = new Random(20240611);

    private float[] randomFloats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static ProtoWriter graph(ProtoWriter... initializers) {
        ProtoWriter g = new ProtoWriter().string(2, "g");
        for (ProtoWriter t : initializers) {
            g.message(5, t);
        }
        return g;
    }

    private static OnnxFormatException refused(byte[] model) {
        return assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(model, "test.onnx"));
    }

    @Test
    void readsEveryInitializerEncodingNodesAndGraphInterface() {
        float[] w = randomFloats(3 * 7);
        float[] b = randomFloats(17);
        ProtoWriter g = new ProtoWriter()
                .message(1, node("/mm", "MatMul", List.of("x", "w"), List.of("y"),
                        intsAttribute("perm", 0, 2, 1), floatAttribute("alpha", 0.25f)))
                .message(1, constant("/c", "c_out", int64Data("", new long[] {4}, new long[] {-1, 0, 12, 32})))
                .string(2, "tiny")
                .message(5, floatRaw("w", new long[] {3, 7}, w))
                .message(5, floatData("b", new long[] {17}, b))
                .message(5, int64Raw("ids", new long[] {1, 5}, new long[] {0, 1, 2, 3, Long.MIN_VALUE}))
                .message(5, int64Data("shape", new long[] {3}, new long[] {-1, 33, 1L << 40}))
                .message(5, dims(new ProtoWriter(), new long[] {2, 3}).varint(2, INT32).string(8, "i32")
                        .bytes(9, new byte[24]))
                .message(5, floatRaw("scalar", new long[] {}, new float[] {1e-12f}))
                .message(11, valueInfo("x")).message(12, valueInfo("y"));
        OnnxGraph graph = OnnxModelReader.read(model(g), "tiny.onnx");

        assertEquals(7, graph.irVersion());
        assertEquals(13L, graph.opsets().get(""));
        assertEquals("tiny", graph.name());
        assertEquals(List.of("x"), graph.inputs());
        assertEquals(List.of("y"), graph.outputs());
        assertEquals(List.of("w", "b", "ids", "shape", "i32", "scalar"), List.copyOf(graph.initializers().keySet()));
        assertArrayEquals(new int[] {3, 7}, graph.initializer("w").shape());
        assertArrayEquals(w, graph.initializer("w").floats());
        assertArrayEquals(b, graph.initializer("b").floats());
        assertArrayEquals(new long[] {0, 1, 2, 3, Long.MIN_VALUE}, graph.initializer("ids").longs());
        assertArrayEquals(new long[] {-1, 33, 1L << 40}, graph.initializer("shape").longs());
        OnnxTensor i32 = graph.initializer("i32");
        assertEquals(OnnxDataType.INT32, i32.dataType());
        assertFalse(i32.hasFloats() || i32.hasLongs(), "types other than FLOAT/INT64 are kept as shape only");
        assertEquals(0, graph.initializer("scalar").rank());
        assertEquals(1e-12f, graph.initializer("scalar").floats()[0]);

        OnnxNode mm = graph.node("/mm");
        assertEquals("MatMul", mm.opType());
        assertEquals(List.of("x", "w"), mm.inputs());
        assertArrayEquals(new long[] {0, 2, 1}, mm.attribute("perm").ints());
        assertEquals(0.25f, mm.attribute("alpha").f());
        assertArrayEquals(new long[] {-1, 0, 12, 32}, graph.constant("c_out").longs());
        assertEquals(mm, graph.consumersOf("w").get(0));
    }

    @Test
    void acceptsPackedDimsLateDataTypeAndSkipsUnknownFieldsOfEveryWireType() {
        float[] w = randomFloats(33);
        // raw_data before data_type and dims, packed dims, and unknown fields of wire types 0, 1, 2, 5.
        ProtoWriter tensor = new ProtoWriter().bytes(9, ProtoWriter.littleEndian(w)).string(8, "late")
                .varint(99, 5).raw(0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8) // field 99, fixed64
                .packedVarints(1, 3, 11).varint(2, FLOAT).fixed32(98, 1f).string(97, "ignored");
        ProtoWriter g = graph(tensor).varint(50, 1).string(51, "x");
        byte[] model = new ProtoWriter().string(3, "v1").message(7, g).varint(14, 5).toBytes();
        OnnxTensor t = OnnxModelReader.read(model, "late.onnx").initializer("late");
        assertArrayEquals(new int[] {3, 11}, t.shape());
        assertArrayEquals(w, t.floats());
    }

    @Test
    void rawDataLengthThatDisagreesWithDimsIsRefusedWithItsFieldPath() {
        byte[] m = model(graph(floatRaw("a", new long[] {2}, randomFloats(2)),
                dims(new ProtoWriter(), new long[] {3, 7}).varint(2, FLOAT).string(8, "b")
                        .bytes(9, ProtoWriter.littleEndian(randomFloats(20)))));
        OnnxFormatException e = refused(m);
        assertEquals("graph.initializer[1].raw_data", e.fieldPath());
        assertEquals("test.onnx", e.source());
        assertTrue(e.getMessage().contains("80 bytes") && e.getMessage().contains("need 84"), e.getMessage());
    }

    @Test
    void negativeAndOverflowingDimsAreRefused() {
        OnnxFormatException negative = refused(model(graph(
                dims(new ProtoWriter(), new long[] {4, -3}).varint(2, FLOAT).string(8, "n").bytes(9, new byte[0]))));
        assertEquals("graph.initializer[0].dims", negative.fieldPath());
        assertTrue(negative.problem().contains("dims[1] = -3"), negative.problem());

        OnnxFormatException huge = refused(model(graph(
                dims(new ProtoWriter(), new long[] {1L << 20, 1L << 20, 1L << 30}).varint(2, FLOAT).string(8, "h")
                        .bytes(9, new byte[8]))));
        assertTrue(huge.problem().contains("more than"), huge.problem());
    }

    @Test
    void unknownOrUndefinedDataTypeIsRefused() {
        OnnxFormatException unknown = refused(model(graph(new ProtoWriter().varint(1, 1).varint(2, 99).string(8, "u"))));
        assertEquals("graph.initializer[0].data_type", unknown.fieldPath());
        assertTrue(unknown.problem().contains("unknown data_type 99"));
        assertTrue(refused(model(graph(new ProtoWriter().varint(2, 0)))).problem().contains("UNDEFINED"));
        assertTrue(refused(model(graph(new ProtoWriter().varint(1, 1).string(8, "none")))).problem()
                .contains("no data_type"));
    }

    @Test
    void externalDataIsRefusedClearly() {
        OnnxFormatException byLocation = refused(model(graph(
                new ProtoWriter().varint(1, 3).varint(2, FLOAT).string(8, "ext").varint(14, 1))));
        assertEquals("graph.initializer[0].data_location", byLocation.fieldPath());
        assertTrue(byLocation.problem().contains("external file"), byLocation.problem());

        OnnxFormatException byEntries = refused(model(graph(new ProtoWriter().varint(1, 3).varint(2, FLOAT)
                .string(8, "ext").message(13, new ProtoWriter().string(1, "location").string(2, "w.bin")))));
        assertEquals("graph.initializer[0].external_data", byEntries.fieldPath());
    }

    @Test
    void lengthsBeyondTheEnclosingMessageAreRefusedBeforeAllocation() {
        // A raw_data field claiming 2 GB inside a 30-byte model.
        byte[] tensor = new ProtoWriter().varint(1, 1).varint(2, FLOAT).string(8, "big")
                .raw(0x4a, 0xff, 0xff, 0xff, 0xff, 0x07).toBytes();
        OnnxFormatException e = refused(model(new ProtoWriter().bytes(5, tensor)));
        assertEquals("graph.initializer[0].raw_data", e.fieldPath());
        assertTrue(e.problem().contains("exceeds"), e.problem());

        byte[] good = model(graph(floatRaw("w", new long[] {17}, randomFloats(17))));
        for (int cut : new int[] {1, 5, good.length / 2, good.length - 1}) {
            assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(java.util.Arrays.copyOf(good, cut), "t"));
        }
    }

    @Test
    void structuralProblemsAreRefused() {
        ProtoWriter t = floatRaw("same", new long[] {1}, new float[] {1});
        OnnxFormatException duplicate = refused(model(graph(t, t)));
        assertEquals("graph.initializer[1]", duplicate.fieldPath());
        assertTrue(duplicate.problem().contains("duplicate initializer name 'same'"));

        assertTrue(refused(new ProtoWriter().varint(1, 7).toBytes()).problem().contains("no graph"));
        OnnxFormatException wireType = refused(new ProtoWriter().varint(7, 3).toBytes());
        assertEquals("graph", wireType.fieldPath());
        assertTrue(wireType.problem().contains("wire type 0 (varint)"), wireType.problem());
        OnnxFormatException group = refused(new ProtoWriter().raw(0x0b, 0x0c).toBytes());
        assertTrue(group.problem().contains("start group"), group.problem());
        assertTrue(refused(new ProtoWriter().raw(0x00, 0x01).toBytes()).problem().contains("malformed"));
    }

    @Test
    void streamsMustMatchTheirDeclaredSizeAndTheLimit() throws IOException {
        byte[] m = model(graph(floatRaw("w", new long[] {7}, randomFloats(7))));
        assertEquals(7, OnnxModelReader.read(new ByteArrayInputStream(m), m.length, "s").initializer("w").elementCount());
        OnnxFormatException shorter = assertThrows(OnnxFormatException.class,
                () -> OnnxModelReader.read(new ByteArrayInputStream(m, 0, m.length - 3), m.length, "s"));
        assertTrue(shorter.problem().contains("ended after"), shorter.problem());
        OnnxFormatException longer = assertThrows(OnnxFormatException.class,
                () -> OnnxModelReader.read(new ByteArrayInputStream(java.util.Arrays.copyOf(m, m.length + 1)), m.length, "s"));
        assertTrue(longer.problem().contains("more than the declared"), longer.problem());
        OnnxFormatException limit = assertThrows(OnnxFormatException.class,
                () -> new OnnxModelReader(m.length - 1).parse(m, "s"));
        assertTrue(limit.problem().contains("outside [0, " + (m.length - 1) + "]"), limit.problem());
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.onnx");
        Files.write(file, new ProtoWriter().varint(7, 3).toBytes());
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModelReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": graph: "), e.getMessage());
    }
}
