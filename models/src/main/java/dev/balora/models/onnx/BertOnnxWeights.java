package dev.balora.models.onnx;

import dev.balora.models.bert.BertConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the initializers of a BERT encoder exported to ONNX by PyTorch onto Hugging Face parameter names, and
 * derives its {@link BertConfig}.
 *
 * <p>How each parameter is found:
 * <ul>
 *   <li>Embeddings, biases and LayerNorm tensors keep their PyTorch names as initializer names
 *       ({@code encoder.layer.0.attention.self.query.bias}); a common prefix such as {@code bert.} is
 *       detected from the word-embedding initializer and stripped.</li>
 *   <li>Linear weights are anonymous ({@code onnx::MatMul_787}) and stored {@code [in, out]}. Each is found
 *       as the initializer input of the MatMul node named after the module
 *       ({@code /encoder/layer.N/attention/self/query/MatMul}); when no node carries that name, as the
 *       initializer input of the MatMul whose output the module's bias is added to. It is transposed to the
 *       PyTorch layout {@code [out, in]}.</li>
 * </ul>
 * Every expected parameter is looked up and shape-checked before anything fails, so a graph that is not a
 * mappable BERT is refused with one {@link OnnxFormatException} listing all that is missing or misshapen.
 * The embedding, bias and LayerNorm arrays are shared with the {@link OnnxGraph}; transposed weights are new.
 */
public final class BertOnnxWeights {
    private static final String WORD = "embeddings.word_embeddings.weight";
    /** The six linear modules of one encoder layer, as PyTorch module paths below {@code encoder.layer.N.}. */
    private static final List<String> LINEARS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    private final BertConfig config;
    private final Map<String, WeightTensor> tensors;
    private final List<String> notes;

    private BertOnnxWeights(BertConfig config, Map<String, WeightTensor> tensors, List<String> notes) {
        this.config = config;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.notes = List.copyOf(notes);
    }

    /** @return the derived architecture */
    public BertConfig config() {
        return config;
    }

    /**
     * All parameters by Hugging Face name, in {@link #parameterNames(int)} order, with V = vocabSize,
     * P = maxPositions, T = typeVocab, H = hidden, I = intermediate:
     * word/position/token-type embeddings {@code [V, H]}, {@code [P, H]}, {@code [T, H]}; query, key, value and
     * attention-output weights {@code [H, H]}; intermediate weight {@code [I, H]}; output weight {@code [H, I]}
     * (linear weights are {@code [out, in]}); intermediate bias {@code [I]}; every other bias and LayerNorm
     * tensor {@code [H]}.
     *
     * @return the parameters (unmodifiable)
     */
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    /**
     * @return the parameter with that Hugging Face name
     * @throws IllegalArgumentException when there is none
     */
    public WeightTensor get(String name) {
        WeightTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; known: embeddings.*, encoder.layer.0-"
                    + (config.layers() - 1) + ".*");
        }
        return t;
    }

    /** @return how each configuration value that is not a plain tensor shape was derived, one line each */
    public List<String> notes() {
        return notes;
    }

    /**
     * The Hugging Face names of a BERT encoder without pooler: 5 embedding tensors, then 16 per layer.
     *
     * @param layers number of encoder layers
     * @return {@code 5 + 16 * layers} names in canonical order
     */
    public static List<String> parameterNames(int layers) {
        List<String> names = new ArrayList<>(List.of(WORD, "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"));
        for (int l = 0; l < layers; l++) {
            String p = "encoder.layer." + l + ".";
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                names.add(p + m + ".weight");
                names.add(p + m + ".bias");
            }
            names.add(p + "attention.output.LayerNorm.weight");
            names.add(p + "attention.output.LayerNorm.bias");
            names.add(p + "intermediate.dense.weight");
            names.add(p + "intermediate.dense.bias");
            names.add(p + "output.dense.weight");
            names.add(p + "output.dense.bias");
            names.add(p + "output.LayerNorm.weight");
            names.add(p + "output.LayerNorm.bias");
        }
        return names;
    }

    /**
     * Maps the graph.
     *
     * @param graph an ONNX BERT encoder with inline FLOAT weights
     * @return the parameters and configuration
     * @throws OnnxFormatException (field path {@code graph}) listing every missing or misshapen parameter, or
     *                             a configuration value that cannot be derived
     */
    public static BertOnnxWeights fromGraph(OnnxGraph graph) {
        return new Mapping(graph).run();
    }

    /** One mapping attempt: collects problems instead of stopping at the first. */
    private static final class Mapping {
        private final OnnxGraph g;
        private final List<String> problems = new ArrayList<>();
        private final Map<String, WeightTensor> out = new LinkedHashMap<>();
        private String prefix;
        private String nodePrefix;

        Mapping(OnnxGraph g) {
            this.g = g;
        }

        BertOnnxWeights run() {
            OnnxTensor word = findWordEmbeddings();
            if (word == null) {
                throw refuse(List.of(WORD + " (no FLOAT initializer of rank 2 has a name ending in it)"));
            }
            int hidden = (int) word.dims()[1];
            int layers = countLayers();
            if (layers == 0) {
                throw refuse(List.of("encoder layers (no node named " + nodePrefix + "encoder/layer.N/... and no"
                        + " initializer named " + prefix + "encoder.layer.N.*)"));
            }
            int intermediate = intermediateSize(hidden);

            named(WORD, -1, hidden);
            named("embeddings.position_embeddings.weight", -1, hidden);
            named("embeddings.token_type_embeddings.weight", -1, hidden);
            named("embeddings.LayerNorm.weight", hidden);
            named("embeddings.LayerNorm.bias", hidden);
            for (int l = 0; l < layers; l++) {
                String p = "encoder.layer." + l + ".";
                for (String m : LINEARS) {
                    int in = m.equals("output.dense") ? intermediate : hidden;
                    int outDim = m.equals("intermediate.dense") ? intermediate : hidden;
                    linear(l, m, in, outDim);
                }
                named(p + "attention.output.LayerNorm.weight", hidden);
                named(p + "attention.output.LayerNorm.bias", hidden);
                named(p + "output.LayerNorm.weight", hidden);
                named(p + "output.LayerNorm.bias", hidden);
            }
            if (!problems.isEmpty()) {
                throw refuse(problems);
            }
            Map<String, WeightTensor> ordered = new LinkedHashMap<>();
            for (String name : parameterNames(layers)) {
                ordered.put(name, out.get(name));
            }
            BertConfigDerivation d = new BertConfigDerivation(g, nodePrefix, ordered, layers);
            return new BertOnnxWeights(d.config(), ordered, d.notes());
        }

        private OnnxFormatException refuse(List<String> what) {
            return new OnnxFormatException(g.source(), "graph", "not a mappable BERT encoder; missing or invalid: "
                    + String.join("; ", what));
        }

        private OnnxTensor findWordEmbeddings() {
            for (OnnxTensor t : g.initializers().values()) {
                if (t.name().endsWith(WORD) && t.hasFloats() && t.rank() == 2 && t.elementCount() > 0) {
                    prefix = t.name().substring(0, t.name().length() - WORD.length());
                    nodePrefix = "/" + prefix.replace('.', '/');
                    return t;
                }
            }
            prefix = "";
            nodePrefix = "/";
            return null;
        }

        /** Layers = 1 + the largest N in node names {@code /encoder/layer.N/} or initializers {@code encoder.layer.N.}. */
        private int countLayers() {
            Pattern node = Pattern.compile("^" + Pattern.quote(nodePrefix + "encoder/layer.") + "(\\d{1,4})/");
            Pattern init = Pattern.compile("^" + Pattern.quote(prefix + "encoder.layer.") + "(\\d{1,4})\\.");
            TreeSet<Integer> seen = new TreeSet<>();
            for (OnnxNode n : g.nodes()) {
                Matcher m = node.matcher(n.name());
                if (m.find()) {
                    seen.add(Integer.parseInt(m.group(1)));
                }
            }
            for (String name : g.initializers().keySet()) {
                Matcher m = init.matcher(name);
                if (m.find()) {
                    seen.add(Integer.parseInt(m.group(1)));
                }
            }
            return seen.isEmpty() ? 0 : seen.last() + 1; // gaps show up as missing parameters
        }

        /** The FFN width: length of layer 0's intermediate bias, else -1 (reported as missing later). */
        private int intermediateSize(int hidden) {
            OnnxTensor b = g.initializer(prefix + "encoder.layer.0.intermediate.dense.bias");
            return b != null && b.rank() == 1 && b.elementCount() > 0 ? (int) b.elementCount() : -1;
        }

        /** A tensor that keeps its PyTorch name; a negative expected dimension accepts any positive size. */
        private void named(String name, int... expected) {
            OnnxTensor t = g.initializer(prefix + name);
            if (t == null) {
                problems.add(prefix + name + " (no initializer)");
                return;
            }
            if (!t.hasFloats()) {
                problems.add(prefix + name + " (data_type " + t.dataType() + ", expected FLOAT)");
                return;
            }
            int[] shape = t.shape();
            if (!shapeMatches(shape, expected)) {
                problems.add(prefix + name + " (shape " + Arrays.toString(shape) + ", expected " + describe(expected) + ")");
                return;
            }
            out.put(name, new WeightTensor(shape, t.floats()));
        }

        private void linear(int layer, String module, int in, int outDim) {
            String name = "encoder.layer." + layer + "." + module;
            named(name + ".bias", outDim);
            String nodeName = nodePrefix + "encoder/layer." + layer + "/" + module.replace('.', '/') + "/MatMul";
            OnnxTensor w = weightOf(g.node(nodeName));
            if (w == null) {
                w = weightViaBias(prefix + name + ".bias");
            }
            if (w == null) {
                problems.add(name + ".weight (no MatMul node " + nodeName + " with an initializer input, and no MatMul"
                        + " feeding the Add of " + prefix + name + ".bias)");
                return;
            }
            int[] shape = w.shape();
            if (!w.hasFloats() || !shapeMatches(shape, new int[] {in, outDim})) {
                problems.add(name + ".weight (initializer " + w.name() + ": " + w.dataType() + " "
                        + Arrays.toString(shape) + ", expected FLOAT " + describe(new int[] {in, outDim}) + " [in, out])");
                return;
            }
            out.put(name + ".weight", new WeightTensor(new int[] {shape[1], shape[0]},
                    transpose(w.floats(), shape[0], shape[1])));
        }

        /** The initializer operand of a MatMul node, or {@code null}. */
        private OnnxTensor weightOf(OnnxNode matMul) {
            if (matMul == null || !matMul.opType().equals("MatMul") || matMul.inputs().size() != 2) {
                return null;
            }
            OnnxTensor b = g.initializer(matMul.inputs().get(1));
            return b != null ? b : g.initializer(matMul.inputs().get(0));
        }

        /** Fallback for unnamed nodes: bias → the Add using it → the MatMul producing the Add's other input. */
        private OnnxTensor weightViaBias(String biasName) {
            for (OnnxNode add : g.consumersOf(biasName)) {
                if (!add.opType().equals("Add")) {
                    continue;
                }
                for (String operand : add.inputs()) {
                    OnnxTensor w = weightOf(operand.equals(biasName) ? null : g.producerOf(operand));
                    if (w != null) {
                        return w;
                    }
                }
            }
            return null;
        }

        private static boolean shapeMatches(int[] shape, int[] expected) {
            if (shape.length != expected.length) {
                return false;
            }
            for (int i = 0; i < shape.length; i++) {
                if (expected[i] >= 0 ? shape[i] != expected[i] : shape[i] <= 0) {
                    return false;
                }
            }
            return true;
        }

        private static String describe(int[] expected) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < expected.length; i++) {
                sb.append(i > 0 ? ", " : "").append(expected[i] >= 0 ? Integer.toString(expected[i]) : "*");
            }
            return sb.append(']').toString();
        }
    }

    /**
     * Transposes a row-major {@code [rows, cols]} matrix into a new row-major {@code [cols, rows]} one.
     * Blocked so that both the reads and the writes stay within a few cache lines.
     */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        final int block = 32;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int r1 = Math.min(rows, r0 + block);
            for (int c0 = 0; c0 < cols; c0 += block) {
                int c1 = Math.min(cols, c0 + block);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        t[c * rows + r] = a[r * cols + c];
                    }
                }
            }
        }
        return t;
    }
}
