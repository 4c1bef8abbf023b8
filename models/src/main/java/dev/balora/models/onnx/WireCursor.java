package dev.balora.models.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CodedInputStream} with the bookkeeping a hand-written protobuf walker needs: the dotted path of
 * the field being read (for error messages), length checks against the bytes left in the enclosing message
 * <em>before</em> anything is allocated, wire-type checks, and skipping of fields the reader does not use.
 *
 * <p>The path is a stack of segments. It is popped only on success, so when an exception escapes, {@link
 * #path()} still names the field where it happened.
 */
final class WireCursor {
    private final CodedInputStream in;
    private final String source;
    private final List<String> path = new ArrayList<>();

    WireCursor(CodedInputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    CodedInputStream in() {
        return in;
    }

    String source() {
        return source;
    }

    /** @return the dotted path of the current field, {@code <model>} at the top level */
    String path() {
        return path.isEmpty() ? "<model>" : String.join(".", path);
    }

    void enter(String segment) {
        path.add(segment);
    }

    void leave() {
        path.remove(path.size() - 1);
    }

    /** @return an exception naming the source, the current path and the problem */
    OnnxFormatException fail(String problem) {
        return new OnnxFormatException(source, path(), problem);
    }

    /** @return bytes left before the innermost pushed limit (the enclosing message or the whole model) */
    int remaining() {
        return in.getBytesUntilLimit();
    }

    /** Fails unless {@code tag} carries {@code expected} as its wire type. */
    void expectWireType(int tag, int expected) {
        int actual = WireFormat.getTagWireType(tag);
        if (actual != expected) {
            throw fail("wire type " + wireTypeName(actual) + " where " + wireTypeName(expected) + " is expected");
        }
    }

    /**
     * Reads the varint length of a length-delimited field and checks it against the bytes left.
     *
     * @return the length, {@code 0 <= length <= remaining()}
     */
    int readLength() throws IOException {
        long length = in.readRawVarint64();
        int left = remaining();
        if (length < 0 || length > left) {
            throw fail("length " + Long.toUnsignedString(length) + " exceeds the " + left + " bytes left");
        }
        return (int) length;
    }

    /**
     * Enters an embedded message: reads its length and limits reading to it.
     *
     * @return the token to pass to {@link #endMessage(int)}
     */
    int beginMessage() throws IOException {
        int length = readLength();
        return in.pushLimit(length);
    }

    /** Leaves an embedded message entered with {@link #beginMessage()}. */
    void endMessage(int token) {
        in.popLimit(token);
    }

    /** Reads a length-delimited UTF-8 string (invalid sequences become U+FFFD, as protobuf's own parser does). */
    String readString() throws IOException {
        int length = readLength();
        return length == 0 ? "" : new String(in.readRawBytes(length), StandardCharsets.UTF_8);
    }

    /** Reads a varint field as a signed 64-bit value. */
    long readVarint(int tag) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_VARINT);
        return in.readRawVarint64();
    }

    /**
     * Skips a field this reader does not use. Groups (wire types 3 and 4) are refused: onnx.proto has none,
     * and refusing them avoids protobuf's recursive group skipping on hostile input.
     */
    void skipField(int tag) throws IOException {
        switch (WireFormat.getTagWireType(tag)) {
            case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
            case WireFormat.WIRETYPE_FIXED64 -> skipBytes(8);
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> skipBytes(readLength());
            case WireFormat.WIRETYPE_FIXED32 -> skipBytes(4);
            default -> throw fail("field " + WireFormat.getTagFieldNumber(tag) + " has wire type "
                    + wireTypeName(WireFormat.getTagWireType(tag)) + ", which ONNX never uses");
        }
    }

    private void skipBytes(int n) throws IOException {
        if (n > remaining()) {
            throw fail("field needs " + n + " bytes but only " + remaining() + " are left");
        }
        in.skipRawBytes(n);
    }

    static String wireTypeName(int wireType) {
        return switch (wireType) {
            case WireFormat.WIRETYPE_VARINT -> "0 (varint)";
            case WireFormat.WIRETYPE_FIXED64 -> "1 (fixed64)";
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> "2 (length-delimited)";
            case WireFormat.WIRETYPE_START_GROUP -> "3 (start group)";
            case WireFormat.WIRETYPE_END_GROUP -> "4 (end group)";
            case WireFormat.WIRETYPE_FIXED32 -> "5 (fixed32)";
            default -> wireType + " (invalid)";
        };
    }
}
