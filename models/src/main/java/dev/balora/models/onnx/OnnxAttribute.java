package dev.balora.models.onnx;

import java.util.Arrays;

/**
 * One {@code AttributeProto} of a node, reduced to the value kinds a weight mapper needs: a single float, int,
 * string or tensor, or a list of floats or ints. Graph-valued and list-of-string/tensor attributes are
 * recognised but kept only by name and {@link #type()}.
 *
 * @param name    attribute name
 * @param type    the {@code AttributeProto.AttributeType} code (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH,
 *                6 FLOATS, 7 INTS, ...); 0 when the file did not say
 * @param f       the float value (field {@code f}), 0 when absent
 * @param i       the int value (field {@code i}), 0 when absent
 * @param s       the string value (field {@code s}) decoded as UTF-8, {@code null} when absent
 * @param t       the tensor value (field {@code t}), {@code null} when absent
 * @param floats  the float list (field {@code floats}), empty when absent
 * @param ints    the int list (field {@code ints}), empty when absent
 */
public record OnnxAttribute(String name, int type, float f, long i, String s, OnnxTensor t,
                            float[] floats, long[] ints) {
    /** {@code AttributeProto.AttributeType} codes used by callers. */
    public static final int FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7;

    @Override
    public String toString() {
        return "OnnxAttribute[" + name + ", type " + type + ", f=" + f + ", i=" + i + ", s=" + s + ", t=" + t
                + ", floats=" + Arrays.toString(floats) + ", ints=" + Arrays.toString(ints) + "]";
    }
}
