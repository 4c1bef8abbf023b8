package dev.balora.models.onnx;

import dev.balora.models.bert.BertConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Derives a {@link BertConfig} from a mapped ONNX BERT graph. Sizes come from tensor shapes; the three values
 * that no shape holds are read from the graph, each by the first rule that applies (recorded in
 * {@link #notes()}):
 * <ul>
 *   <li><b>heads</b>: (1) the split-heads Reshape nodes under {@code /encoder/layer.N/attention/self/}: their
 *       target shape is a constant, or a Concat of pieces, ending in {@code [heads, headDim]} with
 *       {@code heads * headDim == hidden}; all layers must agree. (2) The attention-score scale: a Div by
 *       the constant {@code sqrt(headDim)} (or a Mul by {@code 1/sqrt(headDim)}) in the same scope.
 *       (3) A table of published checkpoints keyed by (hidden, intermediate, layers), see
 *       {@link #KNOWN_HEADS}. Otherwise the graph is refused.</li>
 *   <li><b>layer_norm_eps</b>: (1) the {@code epsilon} attribute of LayerNormalization nodes (opset 17+);
 *       (2) the scalar constant added to the variance in the decomposed LayerNorm (opset &lt; 17: the Add
 *       under {@code .../LayerNorm/} fed by a ReduceMean); all occurrences must agree. The float32 constant is
 *       widened through its shortest decimal form, so 1e-12f reads back as 1e-12. (3) 1e-12, the BERT
 *       default.</li>
 *   <li><b>hidden_act</b>: the nodes under {@code /encoder/layer.0/intermediate/}: Erf means exact
 *       {@code gelu}, Tanh {@code gelu_new}, Relu {@code relu}; with none of these, {@code gelu} (the BERT
 *       default).</li>
 * </ul>
 */
final class BertConfigDerivation {
    /**
     * Head counts of published checkpoints, keyed by "hidden/intermediate/layers": used only when the graph
     * itself does not say. BERT base/large and the Google BERT miniatures use 64-wide heads; the MiniLM and
     * BGE-small family use 12 heads of 32.
     */
    static final Map<String, Integer> KNOWN_HEADS = Map.of(
            "384/1536/6", 12,   // sentence-transformers all-MiniLM-L6-v2, paraphrase-MiniLM-L6-v2
            "384/1536/12", 12,  // all-MiniLM-L12-v2, BAAI bge-small-en-v1.5
            "768/3072/12", 12,  // bert-base-*, bge-base-en-v1.5
            "1024/4096/24", 16, // bert-large-*
            "128/512/2", 2,     // google/bert_uncased_L-2_H-128_A-2 (BERT-tiny)
            "256/1024/4", 4,    // google/bert_uncased_L-4_H-256_A-4 (BERT-mini)
            "512/2048/4", 8,    // google/bert_uncased_L-4_H-512_A-8 (BERT-small)
            "512/2048/8", 8);   // google/bert_uncased_L-8_H-512_A-8 (BERT-medium)

    private static final double DEFAULT_EPS = 1e-12;

    private final OnnxGraph g;
    private final String nodePrefix;
    private final int layers;
    private final List<String> notes = new ArrayList<>();
    private final BertConfig config;

    /**
     * @param parameters the mapped parameters (Hugging Face names, shapes already checked)
     */
    BertConfigDerivation(OnnxGraph g, String nodePrefix, Map<String, WeightTensor> parameters, int layers) {
        this.g = g;
        this.nodePrefix = nodePrefix;
        this.layers = layers;
        WeightTensor word = parameters.get("embeddings.word_embeddings.weight");
        int hidden = word.dim(1);
        int intermediate = parameters.get("encoder.layer.0.intermediate.dense.weight").dim(0);
        int heads = heads(hidden, intermediate);
        this.config = new BertConfig(word.dim(0), hidden, layers, heads, intermediate,
                parameters.get("embeddings.position_embeddings.weight").dim(0),
                parameters.get("embeddings.token_type_embeddings.weight").dim(0), eps(), activation());
    }

    BertConfig config() {
        return config;
    }

    List<String> notes() {
        return notes;
    }

    private String attentionScope(int layer) {
        return nodePrefix + "encoder/layer." + layer + "/attention/self/";
    }

    private int heads(int hidden, int intermediate) {
        TreeSet<Long> fromReshape = new TreeSet<>();
        for (int l = 0; l < layers; l++) {
            for (OnnxNode n : g.nodes()) {
                if (n.opType().equals("Reshape") && n.name().startsWith(attentionScope(l)) && n.inputs().size() == 2) {
                    long h = headsFromShape(n.inputs().get(1), hidden);
                    if (h > 0) {
                        fromReshape.add(h);
                    }
                }
            }
        }
        if (fromReshape.size() == 1) {
            notes.add("num_attention_heads " + fromReshape.first() + ": from the [.., heads, headDim] target shapes of"
                    + " the Reshape nodes under " + nodePrefix + "encoder/layer.N/attention/self/");
            return fromReshape.first().intValue();
        }
        if (fromReshape.size() > 1) {
            throw refuse("num_attention_heads: the attention Reshape nodes disagree: " + fromReshape);
        }
        int fromScale = headsFromScale(hidden);
        if (fromScale > 0) {
            notes.add("num_attention_heads " + fromScale + ": from the sqrt(headDim) attention-score scale under "
                    + attentionScope(0));
            return fromScale;
        }
        Integer known = KNOWN_HEADS.get(hidden + "/" + intermediate + "/" + layers);
        if (known != null) {
            notes.add("num_attention_heads " + known + ": not derivable from the graph; taken from the table of"
                    + " published checkpoints for hidden/intermediate/layers " + hidden + "/" + intermediate + "/" + layers);
            return known;
        }
        throw refuse("num_attention_heads: no attention Reshape with a constant [heads, headDim] target, no"
                + " sqrt(headDim) scale under " + attentionScope(0) + ", and hidden/intermediate/layers " + hidden + "/"
                + intermediate + "/" + layers + " is not a known checkpoint");
    }

    /** @return heads when the shape value ends in constant {@code [heads, headDim]} with product hidden, else -1 */
    private long headsFromShape(String shapeValue, int hidden) {
        OnnxTensor whole = g.constant(shapeValue);
        long[] tail = null;
        if (whole != null && whole.hasLongs() && whole.elementCount() == 4) {
            long[] v = whole.longs();
            tail = new long[] {v[2], v[3]};
        } else {
            OnnxNode concat = g.producerOf(shapeValue);
            if (concat != null && concat.opType().equals("Concat") && concat.inputs().size() == 4) {
                OnnxTensor a = g.constant(concat.inputs().get(2));
                OnnxTensor b = g.constant(concat.inputs().get(3));
                if (isSingleLong(a) && isSingleLong(b)) {
                    tail = new long[] {a.longs()[0], b.longs()[0]};
                }
            }
        }
        if (tail != null && tail[0] > 0 && tail[1] > 0 && tail[0] * tail[1] == hidden) {
            return tail[0];
        }
        return -1;
    }

    private static boolean isSingleLong(OnnxTensor t) {
        return t != null && t.hasLongs() && t.elementCount() == 1;
    }

    /** @return hidden / headDim when a Div by sqrt(headDim) (or Mul by its inverse) scales the scores, else -1 */
    private int headsFromScale(int hidden) {
        for (OnnxNode n : g.nodes()) {
            boolean div = n.opType().equals("Div");
            if (!(div || n.opType().equals("Mul")) || !n.name().startsWith(attentionScope(0)) || n.inputs().size() != 2) {
                continue;
            }
            OnnxTensor c = g.constant(n.inputs().get(1));
            if (c == null || !c.hasFloats() || c.elementCount() != 1) {
                continue;
            }
            double s = c.floats()[0];
            double headDim = div ? s * s : 1.0 / (s * s);
            long d = Math.round(headDim);
            if (d > 0 && Math.abs(headDim - d) < 1e-3 * d && hidden % d == 0) {
                return (int) (hidden / d);
            }
        }
        return -1;
    }

    private double eps() {
        TreeSet<Double> found = new TreeSet<>();
        for (OnnxNode n : g.nodes()) {
            if (n.opType().equals("LayerNormalization") && n.attribute("epsilon") != null) {
                found.add(widen(n.attribute("epsilon").f()));
            }
        }
        String rule = "the epsilon attribute of the LayerNormalization nodes";
        if (found.isEmpty()) {
            rule = "the constant added to the variance in the decomposed LayerNorm (Add under .../LayerNorm/)";
            for (OnnxNode n : g.nodes()) {
                if (!n.opType().equals("Add") || !n.name().contains("/LayerNorm/") || n.inputs().size() != 2) {
                    continue;
                }
                OnnxNode first = g.producerOf(n.inputs().get(0));
                OnnxTensor c = g.constant(n.inputs().get(1));
                if (first != null && first.opType().equals("ReduceMean") && c != null && c.hasFloats()
                        && c.elementCount() == 1) {
                    found.add(widen(c.floats()[0]));
                }
            }
        }
        if (found.size() > 1) {
            throw refuse("layer_norm_eps: the LayerNorm epsilons disagree: " + found);
        }
        if (found.isEmpty()) {
            notes.add("layer_norm_eps 1e-12: not found in the graph; the BERT default");
            return DEFAULT_EPS;
        }
        double eps = found.first();
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw refuse("layer_norm_eps: the graph's epsilon " + eps + " is not a positive finite number");
        }
        notes.add("layer_norm_eps " + eps + ": from " + rule);
        return eps;
    }

    /** Widens a float32 constant through its shortest decimal form (1e-12f becomes 1e-12, not 9.99999996e-13). */
    private static double widen(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    private String activation() {
        String scope = nodePrefix + "encoder/layer.0/intermediate/";
        for (OnnxNode n : g.nodes()) {
            if (!n.name().startsWith(scope)) {
                continue;
            }
            String act = switch (n.opType()) {
                case "Erf" -> "gelu";
                case "Tanh" -> "gelu_new";
                case "Relu" -> "relu";
                default -> null;
            };
            if (act != null) {
                notes.add("hidden_act " + act + ": from the " + n.opType() + " node " + n.name());
                return act;
            }
        }
        notes.add("hidden_act gelu: no Erf, Tanh or Relu node under " + scope + "; the BERT default");
        return "gelu";
    }

    private OnnxFormatException refuse(String problem) {
        return new OnnxFormatException(g.source(), "graph", "cannot derive the BERT configuration: " + problem);
    }
}
