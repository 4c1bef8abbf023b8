package dev.balora.models.onnx;

import java.util.List;

/**
 * Builders of ONNX protobuf pieces for tests, with the field numbers of onnx.proto spelled out once.
 */
final class OnnxModels {
    static final int FLOAT = 1, INT32 = 6, INT64 = 7;

    private OnnxModels() {}

    /** A TensorProto with FLOAT data in raw_data (little-endian). */
    static ProtoWriter floatRaw(String name, long[] dims, float[] data) {
        return dims(new ProtoWriter(), dims).varint(2, FLOAT).string(8, name).bytes(9, ProtoWriter.littleEndian(data));
    }

    /** A TensorProto with FLOAT data in packed float_data. */
    static ProtoWriter floatData(String name, long[] dims, float[] data) {
        return dims(new ProtoWriter(), dims).varint(2, FLOAT).packedFloats(4, data).string(8, name);
    }

    /** A TensorProto with INT64 data in packed int64_data. */
    static ProtoWriter int64Data(String name, long[] dims, long[] data) {
        return dims(new ProtoWriter(), dims).varint(2, INT64).packedVarints(7, data).string(8, name);
    }

    /** A TensorProto with INT64 data in raw_data. */
    static ProtoWriter int64Raw(String name, long[] dims, long[] data) {
        return dims(new ProtoWriter(), dims).varint(2, INT64).string(8, name).bytes(9, ProtoWriter.littleEndian(data));
    }

    /** dims as unpacked varints, the way the ONNX Python helper writes them. */
    static ProtoWriter dims(ProtoWriter w, long[] dims) {
        for (long d : dims) {
            w.varint(1, d);
        }
        return w;
    }

    /** A NodeProto. */
    static ProtoWriter node(String name, String opType, List<String> inputs, List<String> outputs,
                            ProtoWriter... attributes) {
        ProtoWriter w = new ProtoWriter();
        inputs.forEach(i -> w.string(1, i));
        outputs.forEach(o -> w.string(2, o));
        w.string(3, name).string(4, opType);
        for (ProtoWriter a : attributes) {
            w.message(5, a);
        }
        return w;
    }

    /** A Constant node producing {@code output} from {@code tensor}. */
    static ProtoWriter constant(String name, String output, ProtoWriter tensor) {
        return node(name, "Constant", List.of(), List.of(output), tensorAttribute("value", tensor));
    }

    static ProtoWriter tensorAttribute(String name, ProtoWriter tensor) {
        return new ProtoWriter().string(1, name).message(5, tensor).varint(20, 4);
    }

    static ProtoWriter intsAttribute(String name, long... values) {
        return new ProtoWriter().string(1, name).packedVarints(8, values).varint(20, 7);
    }

    static ProtoWriter floatAttribute(String name, float value) {
        return new ProtoWriter().string(1, name).fixed32(2, value).varint(20, 1);
    }

    /** A ValueInfoProto with only a name. */
    static ProtoWriter valueInfo(String name) {
        return new ProtoWriter().string(1, name);
    }

    /** A ModelProto around {@code graph}: ir_version 7, opset 13. */
    static byte[] model(ProtoWriter graph) {
        return new ProtoWriter().varint(1, 7).string(2, "balora-test")
                .message(8, new ProtoWriter().string(1, "").varint(2, 13))
                .message(7, graph).toBytes();
    }
}
