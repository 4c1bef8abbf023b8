package dev.balora.models.bert;

import static dev.balora.models.bert.TinyBertFixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classification head, its loss and every parameter gradient against the float64 PyTorch reference. */
class BertForSequenceClassificationFixtureTest {
    private static BertForSequenceClassification loaded(DType dtype) {
        BertForSequenceClassification m = new BertForSequenceClassification(TinyBertFixture.config(),
                TinyBertFixture.numLabels(), PoolingMode.MEAN, BertOptions.defaults().withDtype(dtype).withPooler(true));
        m.loadStateDict(TinyBertFixture.params("", dtype), true);
        m.eval();
        return m;
    }

    private static BertForSequenceClassification.Output run(BertForSequenceClassification m) {
        return m.forward(TinyBertFixture.ints("input_ids"), TinyBertFixture.ints("attention_mask"),
                TinyBertFixture.ints("token_type_ids"), TinyBertFixture.n(), TinyBertFixture.t());
    }

    @Test
    void float64LogitsLossAndEveryGradientMatchTorch() {
        BertForSequenceClassification m = loaded(DType.F64);
        BertForSequenceClassification.Output out = run(m);
        assertClose("mean_pooled", out.pooled(), 1e-10);
        assertClose("logits", out.logits(), 1e-10);
        Tensor loss = Ops.crossEntropy(out.logits(), TinyBertFixture.ints("labels"));
        assertEquals(TinyBertFixture.scalar("loss"), loss.item(), 1e-12);
        loss.backward();
        Map<String, Tensor> params = m.namedParameters();
        int checked = 0;
        for (String name : TinyBertFixture.gradNames()) {
            Tensor p = params.get(name);
            assertNotNull(p.grad(), name + " got no gradient");
            assertClose("grad " + name, p.shape(), TinyBertFixture.grad(name), p.grad(), 1e-8);
            checked++;
        }
        assertEquals(params.size() - 2, checked, "every parameter but the unused pooler has a reference gradient");
        assertNull(params.get("bert.pooler.dense.weight").grad(), "the pooler is not on the head's path");
    }

    @Test
    void float32LogitsLossAndGradientsMatchTorchToSinglePrecision() {
        BertForSequenceClassification m = loaded(DType.F32);
        BertForSequenceClassification.Output out = run(m);
        assertClose("logits", out.logits(), 1e-4);
        Tensor loss = Ops.crossEntropy(out.logits(), TinyBertFixture.ints("labels"));
        assertEquals(TinyBertFixture.scalar("loss"), loss.item(), 1e-5);
        loss.backward();
        Map<String, Tensor> params = m.namedParameters();
        for (String name : new String[] {"bert.encoder.layer.1.attention.self.query.weight",
                "bert.embeddings.word_embeddings.weight", "classifier.weight"}) {
            Tensor p = params.get(name);
            assertClose("grad " + name, p.shape(), TinyBertFixture.grad(name), p.grad(), 1e-4);
        }
    }
}
