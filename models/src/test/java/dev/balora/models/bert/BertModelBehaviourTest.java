package dev.balora.models.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.nn.Layer;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Structure, child replacement, dropout modes and error messages of the BERT family. */
class BertModelBehaviourTest {
    private static final BertConfig TINY = new BertConfig(13, 6, 2, 3, 7, 11, 2, 1e-12, "gelu");
    private static final int N = 3;
    private static final int T = 5;
    private static final int[] IDS = {1, 5, 12, 3, 7, 2, 2, 9, 0, 0, 11, 4, 0, 0, 0};
    private static final int[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0};

    private static BertModel tiny(BertOptions o) {
        return new BertModel(TINY, o.withDtype(DType.F64).withSeed(3));
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /** Wraps a layer and counts its calls: proves the model runs whatever is in the tree at forward time. */
    private static final class CountingLayer extends Module implements Layer {
        private final Layer inner;
        int calls;

        CountingLayer(Module inner) {
            this.inner = (Layer) inner;
            registerModule("inner", inner);
        }

        @Override
        public Tensor forward(Tensor x) {
            calls++;
            return inner.forward(x);
        }
    }

    @Test
    void replacingAChildChangesWhatRuns() {
        BertModel m = tiny(BertOptions.defaults());
        m.eval();
        Tensor before = m.forward(IDS, MASK, null, N, T);
        Module self = m.namedModules().get("encoder.layer.0.attention.self");
        Module query = self.child("query");

        CountingLayer counting = new CountingLayer(query);
        self.replaceChild("query", counting);
        Tensor wrapped = m.forward(IDS, MASK, null, N, T);
        assertEquals(1, counting.calls, "the wrapper is called once per forward pass");
        assertEquals(0.0, maxAbsDiff(before, wrapped), "a transparent wrapper leaves the output unchanged");
        assertTrue(m.namedParameters().containsKey("encoder.layer.0.attention.self.query.inner.weight"));

        self.replaceChild("query", new Linear(6, 6, true, DType.F64, 99));
        Tensor swapped = m.forward(IDS, MASK, null, N, T);
        assertTrue(maxAbsDiff(before, swapped) > 1e-3, "another query projection changes the hidden states");
    }

    @Test
    void dropoutActsInTrainingOnlyAndAttentionPathsAgree() {
        BertModel noDropout = tiny(BertOptions.defaults().withDropout(0, 0));
        noDropout.eval();
        Tensor reference = noDropout.forward(IDS, MASK, null, N, T);

        BertModel dropped = tiny(BertOptions.defaults());
        dropped.eval();
        assertEquals(0.0, maxAbsDiff(reference, dropped.forward(IDS, MASK, null, N, T)), "eval(): dropout off");
        dropped.train();
        Tensor a = dropped.forward(IDS, MASK, null, N, T);
        Tensor b = dropped.forward(IDS, MASK, null, N, T);
        assertTrue(maxAbsDiff(a, reference) > 1e-3 && maxAbsDiff(a, b) > 1e-3, "train(): fresh masks each pass");

        // A vanishing attention dropout forces the spelled-out attention path in training; it must agree with
        // the attention op used in evaluation.
        BertModel spelled = tiny(BertOptions.defaults().withDropout(0, 1e-15));
        spelled.train();
        assertTrue(maxAbsDiff(reference, spelled.forward(IDS, MASK, null, N, T)) < 1e-12);
    }

    @Test
    void nullTokenTypesEqualAllZeroTypesAndNullMaskEqualsAllOnes() {
        BertModel m = tiny(BertOptions.defaults());
        m.eval();
        int[] ones = new int[N * T];
        java.util.Arrays.fill(ones, 1);
        Tensor implicit = m.forward(IDS, null, null, N, T);
        Tensor explicit = m.forward(IDS, ones, new int[N * T], N, T);
        assertTrue(maxAbsDiff(implicit, explicit) < 1e-13);
        int[] types = new int[N * T];
        types[1] = 1;
        assertTrue(maxAbsDiff(implicit, m.forward(IDS, null, types, N, T)) > 1e-3, "segment ids are used");
    }

    @Test
    void activationNamesMapToHuggingFacesFunctions() {
        assertSame(HiddenActivation.GELU, HiddenActivation.of("gelu"));
        assertSame(HiddenActivation.GELU_TANH, HiddenActivation.of("gelu_new"));
        assertSame(HiddenActivation.GELU_TANH, HiddenActivation.of("gelu_pytorch_tanh"));
        assertSame(HiddenActivation.RELU, HiddenActivation.of("relu"));
        BertModelException e = assertThrows(BertModelException.class, () -> HiddenActivation.of("swish"));
        assertTrue(e.getMessage().contains("hiddenAct") && e.getMessage().contains("swish"), e.getMessage());

        Tensor x = Tensor.randn(DType.F64, 8, 2.0, 3, 7);
        assertEquals(0.0, maxAbsDiff(Ops.geluTanh(x), HiddenActivation.GELU_TANH.apply(x)));
        assertEquals(0.0, maxAbsDiff(Ops.relu(x), HiddenActivation.RELU.apply(x)));
        assertTrue(maxAbsDiff(HiddenActivation.GELU.apply(x), HiddenActivation.GELU_TANH.apply(x)) > 1e-6);
    }

    @Test
    void poolingRespectsTheMaskAndNormalises() {
        Tensor h = Tensor.randn(DType.F64, 21, 1.0, N, T, 4);
        int[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
        double[] pooled = Pooling.mean(h, mask).toDoubleArray();
        double[] hd = h.toDoubleArray();
        for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++) {
                s += hd[(T + k) * 4 + j];
            }
            assertEquals(s / 3, pooled[4 + j], 1e-14, "row 1 averages its 3 real tokens");
            assertEquals(0.0, pooled[8 + j], "a fully padded row pools to 0, not NaN");
        }
        assertArrayEquals(Ops.mean(h, 1, false).toDoubleArray(), Pooling.mean(h, null).toDoubleArray(), 1e-14);
        double[] unit = Pooling.l2Normalize(Pooling.mean(h, null)).toDoubleArray();
        for (int r = 0; r < N; r++) {
            double sq = 0;
            for (int j = 0; j < 4; j++) {
                sq += unit[r * 4 + j] * unit[r * 4 + j];
            }
            assertEquals(1.0, sq, 1e-12);
        }
    }

    @Test
    void miniLmL6HasTheKnownParameterCount() {
        // all-MiniLM-L6-v2: 22,713,216 parameters with the pooler (147,840 of them).
        BertModel m = new BertModel(BertConfig.miniLmL6(), BertOptions.defaults().withPooler(true));
        assertEquals(22_713_216L, m.parameterCount());
        assertEquals(6 * 16 + 5 + 2, m.namedParameters().size());
        assertFalse(m.namedParameters().containsKey("encoder.layer.6.output.dense.weight"));
    }

    @Test
    void inconsistentConfigurationsAndInputsAreNamed() {
        // The config itself refuses a hidden size that the heads do not divide, naming both fields and values.
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
                () -> new BertModel(new BertConfig(13, 10, 1, 3, 7, 11, 2, 1e-12, "gelu")));
        assertTrue(heads.getMessage().contains("hidden") && heads.getMessage().contains("heads")
                && heads.getMessage().contains("10") && heads.getMessage().contains("3"), heads.getMessage());

        BertModel m = tiny(BertOptions.defaults());
        BertModelException ids = assertThrows(BertModelException.class, () -> m.forward(new int[14], null, null, N, T));
        assertTrue(ids.getMessage().contains("inputIds") && ids.getMessage().contains("14")
                && ids.getMessage().contains("15"), ids.getMessage());
        BertModelException mask = assertThrows(BertModelException.class, () -> m.forward(IDS, new int[3], null, N, T));
        assertTrue(mask.getMessage().contains("attentionMask"), mask.getMessage());
        BertModelException longer = assertThrows(BertModelException.class,
                () -> m.forward(new int[12], null, null, 1, 12));
        assertTrue(longer.getMessage().contains("t=12") && longer.getMessage().contains("maxPositions=11"),
                longer.getMessage());
        BertModelException pooler = assertThrows(BertModelException.class,
                () -> m.pooler(Tensor.zeros(DType.F64, 1, 2, 6)));
        assertTrue(pooler.getMessage().contains("pooler"), pooler.getMessage());
        BertModelException labels = assertThrows(BertModelException.class,
                () -> new BertForSequenceClassification(TINY, 0));
        assertTrue(labels.getMessage().contains("numLabels") && labels.getMessage().contains("0"));
        BertModelException p = assertThrows(BertModelException.class,
                () -> BertOptions.defaults().withDropout(1.0, 0.1));
        assertTrue(p.getMessage().contains("hiddenDropout") && p.getMessage().contains("1.0"), p.getMessage());
    }
}
