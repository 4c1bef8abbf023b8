package dev.balora.models.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes one {@code TensorProto} (onnx.proto) from the wire: {@code dims = 1}, {@code data_type = 2},
 * {@code segment = 3} (refused), {@code float_data = 4}, {@code int64_data = 7}, {@code name = 8},
 * {@code raw_data = 9}, {@code external_data = 13} and {@code data_location = 14} (refused when external).
 * Other fields are skipped.
 *
 * <p>FLOAT and INT64 elements are decoded straight from the stream into their final array in 64 KiB
 * chunks, so a tensor never exists twice in memory as bytes and as floats (when {@code data_type} precedes
 * {@code raw_data}, which every serializer does since protobuf writes fields in number order; otherwise the
 * bytes are held until the type is known). All counts are checked against the bytes left and
 * {@link #MAX_ELEMENTS} before an array is allocated.
 */
final class TensorProtoDecoder {
    /** The largest element count a Java array can hold on common JVMs. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** ONNX sets no rank limit; real tensors have a handful of dimensions. */
    static final int MAX_RANK = 64;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final long EXTERNAL = 1;

    private final WireCursor c;
    private final CodedInputStream in;

    private String name = "";
    private OnnxDataType dataType;
    private final LongList dims = new LongList(4);
    private float[] rawFloats;
    private long[] rawLongs;
    private byte[] rawPending;
    private int rawLength = -1;
    private FloatList floatData;
    private LongList int64Data;

    private TensorProtoDecoder(WireCursor c) {
        this.c = c;
        this.in = c.in();
    }

    /** Decodes the tensor whose fields fill the current limit of {@code c}. */
    static OnnxTensor decode(WireCursor c) throws IOException {
        return new TensorProtoDecoder(c).run();
    }

    private OnnxTensor run() throws IOException {
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            int field = WireFormat.getTagFieldNumber(tag);
            switch (field) {
                case 1 -> field("dims", () -> readDims(tag));
                case 2 -> field("data_type", () -> readDataType(tag));
                case 3 -> field("segment", () -> {
                    throw c.fail("segmented tensors are not supported");
                });
                case 4 -> field("float_data", () -> readFloatData(tag));
                case 7 -> field("int64_data", () -> readInt64Data(tag));
                case 8 -> field("name", () -> {
                    c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    name = c.readString();
                });
                case 9 -> field("raw_data", () -> readRawData(tag));
                case 13 -> field("external_data", () -> {
                    throw c.fail(externalDataProblem());
                });
                case 14 -> field("data_location", () -> {
                    if (c.readVarint(tag) == EXTERNAL) {
                        throw c.fail(externalDataProblem());
                    }
                });
                default -> c.skipField(tag);
            }
        }
        return finish();
    }

    private String externalDataProblem() {
        return "tensor '" + name + "' keeps its data in an external file; only self-contained models are read"
                + " (re-save with onnx.save_model(model, path, save_as_external_data=False))";
    }

    private void readDims(int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int token = c.beginMessage();
            while (!in.isAtEnd()) {
                addDim(in.readRawVarint64());
            }
            c.endMessage(token);
        } else {
            addDim(c.readVarint(tag));
        }
    }

    private void addDim(long d) {
        if (dims.size() >= MAX_RANK) {
            throw c.fail("more than " + MAX_RANK + " dimensions");
        }
        dims.add(d);
    }

    private void readDataType(int tag) throws IOException {
        if (dataType != null) {
            throw c.fail("data_type appears twice"); // a later value could contradict data already decoded
        }
        long code = c.readVarint(tag);
        dataType = OnnxDataType.ofCode(code);
        if (dataType == null) {
            throw c.fail("unknown data_type " + code);
        }
        if (dataType == OnnxDataType.UNDEFINED) {
            throw c.fail("data_type is UNDEFINED (0)");
        }
    }

    private void readFloatData(int tag) throws IOException {
        requireTypeIfKnown("float_data", OnnxDataType.FLOAT, OnnxDataType.COMPLEX64);
        if (floatData == null) {
            floatData = new FloatList();
        }
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_FIXED32) {
            floatData.add(in.readFloat(), c);
            return;
        }
        c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int length = c.readLength();
        if (length % 4 != 0) {
            throw c.fail("packed length " + length + " is not a multiple of 4");
        }
        floatData.ensureRoom(length / 4, c);
        for (int left = length / 4; left > 0; ) {
            int n = Math.min(left, CHUNK_BYTES / 4);
            floatData.addLittleEndian(in.readRawBytes(n * 4), n);
            left -= n;
        }
    }

    private void readInt64Data(int tag) throws IOException {
        requireTypeIfKnown("int64_data", OnnxDataType.INT64);
        if (int64Data == null) {
            int64Data = new LongList(8);
        }
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int token = c.beginMessage();
            while (!in.isAtEnd()) {
                if (int64Data.size() >= MAX_ELEMENTS) {
                    throw c.fail("more than " + MAX_ELEMENTS + " elements");
                }
                int64Data.add(in.readRawVarint64());
            }
            c.endMessage(token);
        } else {
            int64Data.add(c.readVarint(tag));
        }
    }

    /** The typed data fields may only be used with the types onnx.proto allows for them. */
    private void requireTypeIfKnown(String field, OnnxDataType... allowed) {
        if (dataType != null && !Arrays.asList(allowed).contains(dataType)) {
            throw c.fail(field + " is present although data_type is " + dataType + " (allowed: "
                    + Arrays.toString(allowed) + ")");
        }
    }

    private void readRawData(int tag) throws IOException {
        c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        if (rawLength >= 0) {
            throw c.fail("raw_data appears twice");
        }
        int length = c.readLength();
        rawLength = length;
        if (dataType == OnnxDataType.FLOAT) {
            rawFloats = decodeFloats(in, length);
        } else if (dataType == OnnxDataType.INT64) {
            rawLongs = decodeLongs(in, length);
        } else if (dataType == null) {
            rawPending = in.readRawBytes(length); // type not seen yet: keep the bytes until it is
        } else {
            in.skipRawBytes(length); // a type this reader keeps as shape only; the length is checked later
        }
    }

    private float[] decodeFloats(CodedInputStream in, int length) throws IOException {
        if (length % 4 != 0) {
            throw c.fail(length + " bytes is not a whole number of FLOAT elements (4 bytes each)");
        }
        float[] out = new float[length / 4];
        for (int done = 0; done < out.length; ) {
            int n = Math.min(out.length - done, CHUNK_BYTES / 4);
            ByteBuffer.wrap(in.readRawBytes(n * 4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, done, n);
            done += n;
        }
        return out;
    }

    private long[] decodeLongs(CodedInputStream in, int length) throws IOException {
        if (length % 8 != 0) {
            throw c.fail(length + " bytes is not a whole number of INT64 elements (8 bytes each)");
        }
        long[] out = new long[length / 8];
        for (int done = 0; done < out.length; ) {
            int n = Math.min(out.length - done, CHUNK_BYTES / 8);
            ByteBuffer.wrap(in.readRawBytes(n * 8)).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out, done, n);
            done += n;
        }
        return out;
    }

    /** Cross-checks shape, type and data once every field has been seen. */
    private OnnxTensor finish() throws IOException {
        if (dataType == null) {
            throw c.fail("tensor '" + name + "' has no data_type");
        }
        long[] shape = dims.toArray();
        long count = elementCount(shape);
        int sources = (rawLength >= 0 ? 1 : 0) + (floatData != null ? 1 : 0) + (int64Data != null ? 1 : 0);
        if (sources > 1) {
            throw c.fail("tensor '" + name + "' stores its data in more than one of raw_data, float_data, int64_data");
        }
        if (floatData != null) {
            requireTypeIfKnown("float_data", OnnxDataType.FLOAT, OnnxDataType.COMPLEX64);
        }
        if (int64Data != null) {
            requireTypeIfKnown("int64_data", OnnxDataType.INT64);
        }
        float[] floats = null;
        long[] longs = null;
        if (rawLength >= 0) {
            long expected = dataType.rawBytes(count);
            if (expected < 0) {
                throw fieldFail("raw_data", "tensor '" + name + "' of type " + dataType + " cannot use raw_data");
            }
            if (expected != rawLength) {
                throw fieldFail("raw_data", "tensor '" + name + "' has " + rawLength + " bytes but dims "
                        + Arrays.toString(shape) + " of " + dataType + " need " + expected);
            }
            if (rawPending != null) { // the type arrived after the bytes
                CodedInputStream bytes = CodedInputStream.newInstance(rawPending);
                if (dataType == OnnxDataType.FLOAT) {
                    floats = decodeFloats(bytes, rawPending.length);
                } else if (dataType == OnnxDataType.INT64) {
                    longs = decodeLongs(bytes, rawPending.length);
                }
            } else {
                floats = rawFloats;
                longs = rawLongs;
            }
        } else if (floatData != null) {
            if (dataType == OnnxDataType.FLOAT) {
                checkCount("float_data", floatData.size(), count, shape);
                floats = floatData.toArray();
            }
        } else if (int64Data != null) {
            checkCount("int64_data", int64Data.size(), count, shape);
            longs = int64Data.toArray();
        } else if (dataType == OnnxDataType.FLOAT || dataType == OnnxDataType.INT64) {
            if (count != 0) {
                throw c.fail("tensor '" + name + "' of type " + dataType + " with dims " + Arrays.toString(shape)
                        + " has no data (no raw_data, float_data or int64_data)");
            }
            floats = dataType == OnnxDataType.FLOAT ? new float[0] : null;
            longs = dataType == OnnxDataType.INT64 ? new long[0] : null;
        }
        return new OnnxTensor(name, dataType, shape, floats, longs);
    }

    private long elementCount(long[] shape) {
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw fieldFail("dims", "tensor '" + name + "' has dims[" + i + "] = " + shape[i] + ", must be >= 0");
            }
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                return 0;
            }
        }
        for (long d : shape) {
            if (d > MAX_ELEMENTS || count * d > MAX_ELEMENTS) { // count, d <= MAX_ELEMENTS: the product fits a long
                throw fieldFail("dims", "tensor '" + name + "' with dims " + Arrays.toString(shape)
                        + " has more than " + MAX_ELEMENTS + " elements");
            }
            count *= d;
        }
        return count;
    }

    private void checkCount(String field, int actual, long expected, long[] shape) {
        if (actual != expected) {
            throw fieldFail(field, "tensor '" + name + "' has " + actual + " elements but dims "
                    + Arrays.toString(shape) + " need " + expected);
        }
    }

    private OnnxFormatException fieldFail(String field, String problem) {
        c.enter(field);
        OnnxFormatException e = c.fail(problem);
        c.leave();
        return e;
    }

    private interface FieldBody {
        void run() throws IOException;
    }

    private void field(String fieldName, FieldBody body) throws IOException {
        c.enter(fieldName);
        body.run();
        c.leave();
    }

    /** A growable primitive long list: dims and int64_data arrive one varint at a time. */
    private static final class LongList {
        private long[] a;
        private int n;

        LongList(int capacity) {
            a = new long[capacity];
        }

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, (int) Math.min(MAX_ELEMENTS, 2L * a.length + 1));
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** A growable float list for float_data, which may arrive in several packed chunks. */
    private static final class FloatList {
        private float[] a = new float[0];
        private int n;

        void ensureRoom(int more, WireCursor c) {
            if (n + (long) more > MAX_ELEMENTS) {
                throw c.fail("more than " + MAX_ELEMENTS + " elements");
            }
            if (n + more > a.length) {
                a = Arrays.copyOf(a, (int) Math.min(MAX_ELEMENTS, Math.max(n + (long) more, 2L * a.length)));
            }
        }

        void add(float v, WireCursor c) {
            ensureRoom(1, c);
            a[n++] = v;
        }

        void addLittleEndian(byte[] bytes, int count) {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a, n, count);
            n += count;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return n == a.length ? a : Arrays.copyOf(a, n);
        }
    }
}
