package dev.balora.models.onnx;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.models.bert.BertConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BertOnnxWeightsTest {

    private static BertOnnxWeights map(TinyBertOnnx tiny) {
        return BertOnnxWeights.fromGraph(OnnxModelReader.read(tiny.build(42), "tiny-bert.onnx"));
    }

    private static void assertAllWeightsMatch(TinyBertOnnx tiny, BertOnnxWeights w) {
        assertEquals(BertOnnxWeights.parameterNames(tiny.layers), List.copyOf(w.tensors().keySet()));
        for (Map.Entry<String, float[]> e : tiny.expected.entrySet()) {
            WeightTensor t = w.get(e.getKey());
            assertArrayEquals(tiny.expectedShapes.get(e.getKey()), t.shape(), e.getKey());
            assertArrayEquals(e.getValue(), t.data(), e.getKey());
        }
    }

    @Test
    void mapsEveryParameterTransposesLinearsAndDerivesTheConfig() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        BertOnnxWeights w = map(tiny);
        assertEquals(5 + 16 * 2, w.tensors().size());
        assertAllWeightsMatch(tiny, w);
        assertEquals(new BertConfig(17, 6, 2, 3, 10, 7, 2, 1e-5, "gelu"), w.config());
        assertTrue(w.notes().stream().anyMatch(n -> n.startsWith("num_attention_heads 3: from the [.., heads, headDim]")),
                w.notes().toString());
        assertTrue(w.notes().stream().anyMatch(n -> n.startsWith("layer_norm_eps 1.0E-5: from the constant")),
                w.notes().toString());
    }

    @Test
    void stripsAModelPrefixAndFindsWeightsThroughTheBiasWhenNodesAreUnnamed() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.prefix = "bert.";
        tiny.namedMatMuls = false;
        tiny.layers = 3;
        BertOnnxWeights w = map(tiny);
        assertEquals(5 + 16 * 3, w.tensors().size());
        assertAllWeightsMatch(tiny, w);
        assertEquals(3, w.config().layers());
    }

    @Test
    void headsFallBackToTheAttentionScaleAndEpsAndActivationToDefaults() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.heads = 2;
        tiny.reshapeConstants = false;
        tiny.epsAdd = false;
        tiny.activationOp = "Tanh";
        BertOnnxWeights w = map(tiny);
        assertEquals(2, w.config().heads());
        assertEquals(1e-12, w.config().layerNormEps());
        assertEquals("gelu_new", w.config().hiddenAct());
        assertTrue(w.notes().stream().anyMatch(n -> n.contains("sqrt(headDim) attention-score scale")), w.notes().toString());
        assertTrue(w.notes().stream().anyMatch(n -> n.contains("not found in the graph; the BERT default")));
    }

    @Test
    void headsComeFromTheKnownCheckpointTableWhenTheGraphIsSilent() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.hidden = 128;
        tiny.intermediate = 512;
        tiny.heads = 2;
        tiny.reshapeConstants = false;
        tiny.scaleDiv = false;
        BertOnnxWeights w = map(tiny);
        assertEquals(2, w.config().heads());
        assertTrue(w.notes().stream().anyMatch(n -> n.contains("table of published checkpoints")), w.notes().toString());
    }

    @Test
    void headsThatCannotBeDerivedAreRefused() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.reshapeConstants = false;
        tiny.scaleDiv = false;
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> map(tiny));
        assertEquals("graph", e.fieldPath());
        assertTrue(e.problem().contains("num_attention_heads") && e.problem().contains("6/10/2"), e.problem());
    }

    @Test
    void aGraphWithMissingParametersIsRefusedListingAllOfThem() {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.omit = Set.of("encoder.layer.1.output.LayerNorm.bias", "encoder.layer.0.attention.self.value.weight",
                "embeddings.token_type_embeddings.weight");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> map(tiny));
        assertEquals("tiny-bert.onnx", e.source());
        for (String missing : tiny.omit) {
            assertTrue(e.problem().contains(missing), "lists " + missing + ": " + e.problem());
        }
    }

    @Test
    void aGraphWithoutWordEmbeddingsIsNotBert() {
        byte[] m = OnnxModels.model(new ProtoWriter().message(5,
                OnnxModels.floatRaw("w", new long[] {3, 7}, new float[21])));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> BertOnnxWeights.fromGraph(OnnxModelReader.read(m, "plain.onnx")));
        assertTrue(e.problem().contains("embeddings.word_embeddings.weight"), e.problem());
    }

    @Test
    void transposeIsBlockedCorrectlyForOddShapes() {
        int rows = 33, cols = 71; // not multiples of the 32-wide block
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f - 7;
        }
        float[] t = BertOnnxWeights.transpose(a, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(a[r * cols + c], t[c * rows + r]);
            }
        }
    }
}
