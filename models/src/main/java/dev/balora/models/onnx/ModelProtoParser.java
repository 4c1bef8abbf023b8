package dev.balora.models.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the protobuf wire format of an ONNX {@code ModelProto} by hand, field numbers from onnx.proto:
 * <pre>
 * ModelProto        ir_version 1, graph 7, opset_import 8
 * OperatorSetIdProto domain 1, version 2
 * GraphProto        node 1, name 2, initializer 5, input 11, output 12
 * NodeProto         input 1, output 2, name 3, op_type 4, attribute 5, domain 7
 * AttributeProto    name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20
 * ValueInfoProto    name 1
 * </pre>
 * Every other field is skipped by wire type; {@code TensorProto} is left to {@link TensorProtoDecoder}.
 */
final class ModelProtoParser {
    /**
     * Attribute lists hold axes, permutations and shapes: a few entries. The cap keeps a hostile packed list of
     * one-byte varints from growing eight times its size in memory.
     */
    static final int MAX_ATTRIBUTE_LIST = 1 << 20;

    private final WireCursor c;
    private final CodedInputStream in;

    ModelProtoParser(WireCursor c) {
        this.c = c;
        this.in = c.in();
    }

    /** Parses the whole model; the cursor's limit must be the model size. */
    OnnxGraph parseModel() throws IOException {
        long irVersion = 0;
        Map<String, Long> opsets = new LinkedHashMap<>();
        GraphParts graph = null;
        int opsetIndex = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    c.enter("ir_version");
                    irVersion = c.readVarint(tag);
                    c.leave();
                }
                case 7 -> {
                    c.enter("graph");
                    if (graph != null) {
                        throw c.fail("the model holds more than one graph");
                    }
                    c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    int token = c.beginMessage();
                    graph = parseGraph();
                    c.endMessage(token);
                    c.leave();
                }
                case 8 -> {
                    c.enter("opset_import[" + opsetIndex++ + "]");
                    c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    int token = c.beginMessage();
                    parseOpset(opsets);
                    c.endMessage(token);
                    c.leave();
                }
                default -> c.skipField(tag);
            }
        }
        if (graph == null) {
            c.enter("graph");
            throw c.fail("missing: the model has no graph");
        }
        return new OnnxGraph(c.source(), irVersion, opsets, graph.name, graph.initializers, graph.nodes,
                graph.inputs, graph.outputs);
    }

    private void parseOpset(Map<String, Long> opsets) throws IOException {
        String domain = "";
        long version = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> domain = string(tag, "domain");
                case 2 -> {
                    c.enter("version");
                    version = c.readVarint(tag);
                    c.leave();
                }
                default -> c.skipField(tag);
            }
        }
        opsets.put(domain, version);
    }

    private static final class GraphParts {
        String name = "";
        final Map<String, OnnxTensor> initializers = new LinkedHashMap<>();
        final Map<String, Integer> initializerIndex = new HashMap<>();
        final List<OnnxNode> nodes = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
    }

    private GraphParts parseGraph() throws IOException {
        GraphParts g = new GraphParts();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> {
                    c.enter("node[" + g.nodes.size() + "]");
                    c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    int token = c.beginMessage();
                    g.nodes.add(parseNode());
                    c.endMessage(token);
                    c.leave();
                }
                case 2 -> g.name = string(tag, "name");
                case 5 -> {
                    int index = g.initializerIndex.size();
                    c.enter("initializer[" + index + "]");
                    OnnxTensor t = tensor(tag);
                    Integer first = g.initializerIndex.putIfAbsent(t.name(), index);
                    if (first != null) {
                        throw c.fail("duplicate initializer name '" + t.name() + "' (first at initializer[" + first + "])");
                    }
                    g.initializers.put(t.name(), t);
                    c.leave();
                }
                case 11 -> g.inputs.add(valueInfoName(tag, "input[" + g.inputs.size() + "]"));
                case 12 -> g.outputs.add(valueInfoName(tag, "output[" + g.outputs.size() + "]"));
                default -> c.skipField(tag);
            }
        }
        return g;
    }

    private String valueInfoName(int tag, String segment) throws IOException {
        c.enter(segment);
        c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int token = c.beginMessage();
        String name = "";
        while (true) {
            int t = in.readTag();
            if (t == 0) {
                break;
            }
            if (WireFormat.getTagFieldNumber(t) == 1) {
                name = string(t, "name");
            } else {
                c.skipField(t);
            }
        }
        c.endMessage(token);
        c.leave();
        return name;
    }

    private OnnxNode parseNode() throws IOException {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, OnnxAttribute> attributes = new LinkedHashMap<>();
        String name = "";
        String opType = "";
        String domain = "";
        int attributeIndex = 0;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(string(tag, "input[" + inputs.size() + "]"));
                case 2 -> outputs.add(string(tag, "output[" + outputs.size() + "]"));
                case 3 -> name = string(tag, "name");
                case 4 -> opType = string(tag, "op_type");
                case 7 -> domain = string(tag, "domain");
                case 5 -> {
                    c.enter("attribute[" + attributeIndex++ + "]");
                    c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    int token = c.beginMessage();
                    OnnxAttribute a = parseAttribute();
                    c.endMessage(token);
                    if (attributes.putIfAbsent(a.name(), a) != null) {
                        throw c.fail("duplicate attribute '" + a.name() + "'");
                    }
                    c.leave();
                }
                default -> c.skipField(tag);
            }
        }
        return new OnnxNode(name, opType, domain, inputs, outputs, attributes);
    }

    private OnnxAttribute parseAttribute() throws IOException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        String s = null;
        OnnxTensor t = null;
        FloatAccumulator floats = new FloatAccumulator();
        LongAccumulator ints = new LongAccumulator();
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            }
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = string(tag, "name");
                case 2 -> {
                    c.enter("f");
                    c.expectWireType(tag, WireFormat.WIRETYPE_FIXED32);
                    f = in.readFloat();
                    c.leave();
                }
                case 3 -> {
                    c.enter("i");
                    i = c.readVarint(tag);
                    c.leave();
                }
                case 4 -> s = string(tag, "s");
                case 5 -> {
                    c.enter("t");
                    t = tensor(tag);
                    c.leave();
                }
                case 7 -> {
                    c.enter("floats");
                    floats.read(tag);
                    c.leave();
                }
                case 8 -> {
                    c.enter("ints");
                    ints.read(tag);
                    c.leave();
                }
                case 20 -> {
                    c.enter("type");
                    long v = c.readVarint(tag);
                    if (v < 0 || v > 64) {
                        throw c.fail("unknown attribute type " + v);
                    }
                    type = (int) v;
                    c.leave();
                }
                default -> c.skipField(tag);
            }
        }
        return new OnnxAttribute(name, type, f, i, s, t, floats.toArray(), ints.toArray());
    }

    private OnnxTensor tensor(int tag) throws IOException {
        c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int token = c.beginMessage();
        OnnxTensor t = TensorProtoDecoder.decode(c);
        c.endMessage(token);
        return t;
    }

    private String string(int tag, String segment) throws IOException {
        c.enter(segment);
        c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        String s = c.readString();
        c.leave();
        return s;
    }

    /** Attribute float lists: packed (wire type 2) or one fixed32 per element. */
    private final class FloatAccumulator {
        private float[] a = new float[0];
        private int n;

        void read(int tag) throws IOException {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_FIXED32) {
                grow(1);
                a[n++] = in.readFloat();
                return;
            }
            c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            int length = c.readLength();
            if (length % 4 != 0) {
                throw c.fail("packed length " + length + " is not a multiple of 4");
            }
            grow(length / 4);
            for (int k = 0; k < length / 4; k++) {
                a[n++] = in.readFloat();
            }
        }

        private void grow(int more) {
            if (n + (long) more > MAX_ATTRIBUTE_LIST) {
                throw c.fail("more than " + MAX_ATTRIBUTE_LIST + " elements");
            }
            if (n + more > a.length) {
                a = Arrays.copyOf(a, Math.max(n + more, 2 * a.length));
            }
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Attribute int lists: packed (wire type 2) or one varint per element. */
    private final class LongAccumulator {
        private long[] a = new long[0];
        private int n;

        void read(int tag) throws IOException {
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                add(in.readRawVarint64());
                return;
            }
            c.expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            int token = c.beginMessage();
            while (!in.isAtEnd()) {
                add(in.readRawVarint64());
            }
            c.endMessage(token);
        }

        private void add(long v) {
            if (n >= MAX_ATTRIBUTE_LIST) {
                throw c.fail("more than " + MAX_ATTRIBUTE_LIST + " elements");
            }
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * a.length + 4);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
