package dev.balora.models.onnx;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A tiny protobuf message writer over {@link CodedOutputStream} for building ONNX test models field by field,
 * including malformed ones (wrong wire types, lying lengths), which generated classes could not write.
 */
final class ProtoWriter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    ProtoWriter varint(int field, long value) {
        return io(() -> {
            out.writeTag(field, WireFormat.WIRETYPE_VARINT);
            out.writeInt64NoTag(value);
        });
    }

    ProtoWriter fixed32(int field, float value) {
        return io(() -> {
            out.writeTag(field, WireFormat.WIRETYPE_FIXED32);
            out.writeFloatNoTag(value);
        });
    }

    ProtoWriter bytes(int field, byte[] value) {
        return io(() -> {
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(value.length);
            out.writeRawBytes(value);
        });
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter value) {
        return bytes(field, value.toBytes());
    }

    ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter inner = new ProtoWriter();
        inner.io(() -> {
            for (long v : values) {
                inner.out.writeInt64NoTag(v);
            }
        });
        return bytes(field, inner.toBytes());
    }

    ProtoWriter packedFloats(int field, float... values) {
        return bytes(field, littleEndian(values));
    }

    /** Writes raw bytes (each int taken modulo 256) with no tag: for hand-made malformed input. */
    ProtoWriter raw(int... value) {
        byte[] b = new byte[value.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) value[i];
        }
        return io(() -> out.writeRawBytes(b));
    }

    byte[] toBytes() {
        io(out::flush);
        return bytes.toByteArray();
    }

    static byte[] littleEndian(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static byte[] littleEndian(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return b.array();
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private ProtoWriter io(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
