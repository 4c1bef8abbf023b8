package dev.balora.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The float64 PyTorch reference written by {@code tools/make_bert_fixture.py}: a tiny BERT (vocab 50, hidden 16,
 * 2 layers, 2 heads) on a padded batch N=3, T=7 with lengths 7/4/2, parameters named as in HF's
 * BertForSequenceClassification ({@code bert.…}, {@code classifier.…}).
 */
final class TinyBertFixture {
    static final String RESOURCE = "/bert/tiny_bert.json";
    private static final JsonNode ROOT = load();

    private TinyBertFixture() {}

    private static JsonNode load() {
        try (InputStream in = TinyBertFixture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE, e);
        }
    }

    static BertConfig config() {
        JsonNode c = ROOT.get("config");
        return new BertConfig(c.get("vocab_size").asInt(), c.get("hidden_size").asInt(),
                c.get("num_hidden_layers").asInt(), c.get("num_attention_heads").asInt(),
                c.get("intermediate_size").asInt(), c.get("max_position_embeddings").asInt(),
                c.get("type_vocab_size").asInt(), c.get("layer_norm_eps").asDouble(), c.get("hidden_act").asText());
    }

    static int n() {
        return ROOT.get("n").asInt();
    }

    static int t() {
        return ROOT.get("t").asInt();
    }

    static int numLabels() {
        return ROOT.get("num_labels").asInt();
    }

    static int[] ints(String key) {
        JsonNode a = ROOT.get(key);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    static double scalar(String key) {
        return ROOT.get(key).asDouble();
    }

    /** @return the expected values stored under {@code key} ({shape, data}) */
    static double[] values(String key) {
        return data(ROOT.get(key));
    }

    static int[] shape(String key) {
        return shape(ROOT.get(key));
    }

    /** @return the reference gradient of the loss for the parameter {@code name} (HF name with "bert."). */
    static double[] grad(String name) {
        JsonNode g = ROOT.get("grads").get(name);
        if (g == null) {
            throw new IllegalArgumentException("fixture has no gradient for " + name);
        }
        return data(g);
    }

    /** @return every gradient name in the fixture */
    static Iterable<String> gradNames() {
        return () -> ROOT.get("grads").fieldNames();
    }

    /**
     * @param prefix only parameters whose name starts with it, with the prefix removed ("" for all)
     * @return the parameters as tensors of {@code dtype}
     */
    static Map<String, Tensor> params(String prefix, DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ROOT.get("params").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), tensor(e.getValue(), dtype));
            }
        }
        return out;
    }

    private static Tensor tensor(JsonNode node, DType dtype) {
        double[] d = data(node);
        int[] s = shape(node);
        if (dtype == DType.F64) {
            return Tensor.of(d, s);
        }
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return Tensor.of(f, s);
    }

    private static double[] data(JsonNode node) {
        JsonNode a = node.get("data");
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static int[] shape(JsonNode node) {
        JsonNode a = node.get("shape");
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /** Asserts shape and every element within {@code tol} (absolute), naming the worst element on failure. */
    static void assertClose(String what, int[] expectedShape, double[] expected, Tensor actual, double tol) {
        assertArrayEquals(expectedShape, actual.shape(), what + ": shape");
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, what + ": element count");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            double diff = Math.abs(a[i] - expected[i]);
            if (!(diff <= worst)) {
                worst = diff;
                at = i;
            }
        }
        double w = worst;
        int i = at;
        assertTrue(w <= tol, () -> what + ": max |diff| " + w + " > " + tol + " at element " + i + " (balora "
                + a[i] + ", torch " + expected[i] + ")");
    }

    /** Same as {@link #assertClose(String, int[], double[], Tensor, double)} for a stored {shape, data} key. */
    static void assertClose(String key, Tensor actual, double tol) {
        assertClose(key, shape(key), values(key), actual, tol);
    }
}
