package dev.balora.models.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} a weight mapper needs: the initializers (constant tensors) by name,
 * the nodes in file order (topological per the ONNX spec), and the names of the graph inputs and outputs.
 *
 * @param source       the file or resource the model was read from (used in error messages)
 * @param irVersion    {@code ModelProto.ir_version}
 * @param opsets       {@code ModelProto.opset_import}: domain ({@code ""} for ai.onnx) to version
 * @param name         {@code GraphProto.name}
 * @param initializers {@code GraphProto.initializer} by tensor name, in file order
 * @param nodes        {@code GraphProto.node} in file order
 * @param inputs       names of {@code GraphProto.input}
 * @param outputs      names of {@code GraphProto.output}
 */
public record OnnxGraph(String source, long irVersion, Map<String, Long> opsets, String name,
                        Map<String, OnnxTensor> initializers, List<OnnxNode> nodes,
                        List<String> inputs, List<String> outputs) {
    public OnnxGraph {
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** @return the initializer with that name, or {@code null} */
    public OnnxTensor initializer(String tensorName) {
        return initializers.get(tensorName);
    }

    /** @return the first node with that exact name, or {@code null} */
    public OnnxNode node(String nodeName) {
        for (OnnxNode n : nodes) {
            if (n.name().equals(nodeName)) {
                return n;
            }
        }
        return null;
    }

    /** @return the nodes that take {@code valueName} as one of their inputs, in file order */
    public List<OnnxNode> consumersOf(String valueName) {
        List<OnnxNode> out = new ArrayList<>();
        for (OnnxNode n : nodes) {
            if (n.inputs().contains(valueName)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Resolves a value that is constant in the graph: an initializer, or the {@code value} tensor of the
     * {@code Constant} node that produces it.
     *
     * @return the tensor, or {@code null} when the value is computed at run time
     */
    public OnnxTensor constant(String valueName) {
        OnnxTensor t = initializers.get(valueName);
        if (t != null) {
            return t;
        }
        OnnxNode producer = producerOf(valueName);
        if (producer != null && producer.opType().equals("Constant") && producer.attribute("value") != null) {
            return producer.attribute("value").t();
        }
        return null;
    }

    /** @return the node that produces {@code valueName}, or {@code null} (graph inputs and initializers) */
    public OnnxNode producerOf(String valueName) {
        for (OnnxNode n : nodes) {
            if (n.outputs().contains(valueName)) {
                return n;
            }
        }
        return null;
    }
}
