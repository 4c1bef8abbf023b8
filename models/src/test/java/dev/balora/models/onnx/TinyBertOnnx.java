package dev.balora.models.onnx;

import static dev.balora.models.onnx.OnnxModels.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Writes a small BERT encoder as an ONNX file in the layout the PyTorch exporter produces (named biases and
 * LayerNorms, anonymous {@code [in, out]} MatMul weights, decomposed LayerNorm, erf GELU, split-heads Reshape
 * fed by a Concat of constants), with random weights kept in Hugging Face layout for comparison.
 * Switches remove the pieces the mapper can fall back from.
 */
final class TinyBertOnnx {
    int vocab = 17, hidden = 6, layers = 2, heads = 3, intermediate = 10, positions = 7, types = 2;
    float eps = 1e-5f;
    String prefix = "";
    boolean reshapeConstants = true, scaleDiv = true, namedMatMuls = true, epsAdd = true;
    String activationOp = "Erf";
    Set<String> omit = Set.of();

    /** The weights written, by Hugging Face name, in Hugging Face layout ({@code [out, in]} for linears). */
    final Map<String, float[]> expected = new LinkedHashMap<>();
    final Map<String, int[]> expectedShapes = new LinkedHashMap<>();

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private int anonymous = 700;
    private Random random;

    byte[] build(long seed) {
        random = new Random(seed);
        String np = "/" + prefix.replace('.', '/');
        named("embeddings.word_embeddings.weight", vocab, hidden);
        named("embeddings.position_embeddings.weight", positions, hidden);
        named("embeddings.token_type_embeddings.weight", types, hidden);
        layerNorm(np + "embeddings/LayerNorm/", "embeddings.LayerNorm", "emb_sum");
        for (int l = 0; l < layers; l++) {
            String hp = "encoder.layer." + l + ".";
            String scope = np + "encoder/layer." + l + "/";
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value")) {
                linear(scope, hp, m, hidden, hidden);
            }
            if (reshapeConstants) {
                String a = scope + "attention/self/";
                nodes.add(constant(a + "Constant_2", a + "heads", int64Data("", new long[] {1}, new long[] {heads})));
                nodes.add(constant(a + "Constant_3", a + "hd", int64Data("", new long[] {1}, new long[] {hidden / heads})));
                nodes.add(node(a + "Concat", "Concat", List.of(a + "u0", a + "u1", a + "heads", a + "hd"), List.of(a + "shape")));
                nodes.add(node(a + "Reshape", "Reshape", List.of(a + "key_out", a + "shape"), List.of(a + "split")));
            }
            if (scaleDiv) {
                String a = scope + "attention/self/";
                float s = (float) Math.sqrt(hidden / heads);
                nodes.add(constant(a + "Constant_12", a + "scale", floatRaw("", new long[] {}, new float[] {s})));
                nodes.add(node(a + "Div", "Div", List.of(a + "scores", a + "scale"), List.of(a + "scaled")));
            }
            linear(scope, hp, "attention.output.dense", hidden, hidden);
            layerNorm(scope + "attention/output/LayerNorm/", hp + "attention.output.LayerNorm", scope + "attn_sum");
            linear(scope, hp, "intermediate.dense", hidden, intermediate);
            String act = scope + "intermediate/intermediate_act_fn/";
            nodes.add(node(act + activationOp, activationOp, List.of(act + "in"), List.of(act + "out")));
            linear(scope, hp, "output.dense", intermediate, hidden);
            layerNorm(scope + "output/LayerNorm/", hp + "output.LayerNorm", scope + "ffn_sum");
        }
        ProtoWriter g = new ProtoWriter().string(2, "tiny_bert");
        nodes.forEach(n -> g.message(1, n));
        initializers.forEach(t -> g.message(5, t));
        g.message(11, valueInfo("input_ids")).message(12, valueInfo("last_hidden_state"));
        return model(g);
    }

    private float[] randomFloats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** A parameter stored under its own (prefixed) name. */
    private void named(String hfName, int... shape) {
        int n = 1;
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            n *= shape[i];
            dims[i] = shape[i];
        }
        float[] data = randomFloats(n);
        expected.put(hfName, data);
        expectedShapes.put(hfName, shape);
        if (!omit.contains(hfName)) {
            initializers.add(floatRaw(prefix + hfName, dims, data));
        }
    }

    /** A linear module: anonymous [in, out] weight, MatMul node, named bias, Add node. */
    private void linear(String scope, String hp, String module, int in, int out) {
        String hfWeight = hp + module + ".weight";
        float[] w = randomFloats(out * in); // Hugging Face layout [out, in]
        expected.put(hfWeight, w);
        expectedShapes.put(hfWeight, new int[] {out, in});
        float[] onnx = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                onnx[i * out + o] = w[o * in + i];
            }
        }
        String weightName = "onnx::MatMul_" + anonymous++;
        if (!omit.contains(hfWeight)) {
            initializers.add(floatRaw(weightName, new long[] {in, out}, onnx));
        }
        String path = scope + module.replace('.', '/') + "/";
        String mmName = namedMatMuls ? path + "MatMul" : "";
        nodes.add(node(mmName, "MatMul", List.of(path + "x", weightName), List.of(path + "mm")));
        named(hp + module + ".bias", out);
        nodes.add(node(namedMatMuls ? path + "Add" : "", "Add", List.of(prefix + hp + module + ".bias", path + "mm"),
                List.of(module.equals("attention.self.key") ? scope + "attention/self/key_out" : path + "y")));
    }

    /** A decomposed LayerNorm: ReduceMean, ..., ReduceMean_1, Add(eps), ..., Mul(weight), Add(bias). */
    private void layerNorm(String scope, String hfModule, String input) {
        named(hfModule + ".weight", hidden);
        named(hfModule + ".bias", hidden);
        nodes.add(node(scope + "ReduceMean_1", "ReduceMean", List.of(scope + "sq"), List.of(scope + "var"),
                intsAttribute("axes", -1)));
        if (epsAdd) {
            nodes.add(constant(scope + "Constant_1", scope + "eps", floatRaw("", new long[] {}, new float[] {eps})));
            nodes.add(node(scope + "Add", "Add", List.of(scope + "var", scope + "eps"), List.of(scope + "var_eps")));
        }
        nodes.add(node(scope + "Mul", "Mul", List.of(scope + "norm", prefix + hfModule + ".weight"), List.of(scope + "scaled")));
        nodes.add(node(scope + "Add_1", "Add", List.of(scope + "scaled", prefix + hfModule + ".bias"), List.of(scope + "out")));
    }
}
