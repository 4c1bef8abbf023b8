package dev.balora.models.onnx;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code NodeProto}: an operator application in the graph.
 *
 * @param name       node name, e.g. {@code /encoder/layer.0/attention/self/query/MatMul} (may be empty)
 * @param opType     operator, e.g. {@code MatMul}
 * @param domain     operator set domain; empty for the default ONNX domain
 * @param inputs     value names consumed, in order (an empty string marks an omitted optional input)
 * @param outputs    value names produced, in order
 * @param attributes attributes by name, in file order
 */
public record OnnxNode(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, OnnxAttribute> attributes) {
    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** @return the attribute with that name, or {@code null} */
    public OnnxAttribute attribute(String attributeName) {
        return attributes.get(attributeName);
    }
}
