package dev.balora.models.bert;

import static dev.balora.models.bert.TinyBertFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The encoder against the float64 PyTorch reference (tools/make_bert_fixture.py). */
class BertModelFixtureTest {
    private static final double F64_TOL = 1e-10;
    private static final double F32_TOL = 1e-4;

    static BertModel loaded(DType dtype) {
        BertModel m = new BertModel(TinyBertFixture.config(), BertOptions.defaults().withDtype(dtype).withPooler(true));
        m.loadStateDict(TinyBertFixture.params("bert.", dtype), true);
        m.eval();
        return m;
    }

    private static Tensor run(BertModel m) {
        return m.forward(TinyBertFixture.ints("input_ids"), TinyBertFixture.ints("attention_mask"),
                TinyBertFixture.ints("token_type_ids"), TinyBertFixture.n(), TinyBertFixture.t());
    }

    @Test
    void parameterNamesAreExactlyHuggingFaces() {
        BertModel m = new BertModel(TinyBertFixture.config(), BertOptions.defaults().withPooler(true));
        Set<String> expected = new TreeSet<>(TinyBertFixture.params("bert.", DType.F32).keySet());
        assertEquals(expected, new TreeSet<>(m.namedParameters().keySet()));
    }

    @Test
    void float64HiddenStatesPoolerAndPoolingMatchTorch() {
        BertModel m = loaded(DType.F64);
        int[] mask = TinyBertFixture.ints("attention_mask");
        Tensor hidden = run(m);
        assertClose("last_hidden_state", hidden, F64_TOL);
        assertClose("pooler_output", m.pooler(hidden), F64_TOL);
        Tensor mean = Pooling.mean(hidden, mask);
        assertClose("mean_pooled", mean, F64_TOL);
        assertClose("mean_pooled_normalized", Pooling.l2Normalize(mean), F64_TOL);
        assertClose("cls_pooled", Pooling.cls(hidden), F64_TOL);
        assertClose("cls_pooled", PoolingMode.CLS.pool(hidden, mask), F64_TOL);
    }

    @Test
    void float32HiddenStatesMatchTorchToSinglePrecision() {
        BertModel m = loaded(DType.F32);
        Tensor hidden = run(m);
        assertEquals(DType.F32, hidden.dtype());
        assertClose("last_hidden_state", hidden, F32_TOL);
        Tensor mean = Pooling.mean(hidden, TinyBertFixture.ints("attention_mask"));
        assertClose("mean_pooled_normalized", Pooling.l2Normalize(mean), F32_TOL);
    }

    @Test
    void paddingDoesNotChangeTheRealTokens() {
        // Row 1 has 4 real tokens of 7: running it alone without padding must give the same 4 states.
        BertModel m = loaded(DType.F64);
        int t = TinyBertFixture.t();
        int[] ids = TinyBertFixture.ints("input_ids");
        int[] types = TinyBertFixture.ints("token_type_ids");
        int len = 4;
        int[] ids1 = new int[len];
        int[] types1 = new int[len];
        System.arraycopy(ids, t, ids1, 0, len);
        System.arraycopy(types, t, types1, 0, len);
        Tensor alone = m.forward(ids1, null, types1, 1, len);
        double[] full = TinyBertFixture.values("last_hidden_state");
        int d = TinyBertFixture.config().hidden();
        double[] expected = new double[len * d];
        System.arraycopy(full, t * d, expected, 0, len * d);
        assertClose("row 1 alone", new int[] {1, len, d}, expected, alone, F64_TOL);
    }
}
