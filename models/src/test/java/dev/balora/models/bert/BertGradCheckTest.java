package dev.balora.models.bert;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.gradcheck.GradCheck;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Float64 central-difference checks of whole-model gradients on a tiny random BERT (2 layers, hidden 6, 2 heads,
 * a padded batch of 2×5), through the classification head and an L2-normalised pooling term.
 */
class BertGradCheckTest {
    private static final int N = 2;
    private static final int T = 5;
    private static final int[] IDS = {3, 9, 1, 7, 10, 4, 2, 8, 0, 0};
    private static final int[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
    private static final int[] TYPES = {0, 0, 1, 1, 1, 0, 1, 0, 0, 0};
    private static final int[] LABELS = {2, 0};

    @ParameterizedTest
    @CsvSource({"gelu, MEAN", "gelu_new, CLS", "relu, MEAN"})
    void autogradMatchesFiniteDifferences(String activation, PoolingMode pooling) {
        BertConfig config = new BertConfig(11, 6, 2, 2, 10, 9, 2, 1e-12, activation);
        BertForSequenceClassification model = new BertForSequenceClassification(config, 3, pooling,
                BertOptions.defaults().withDtype(DType.F64).withSeed(17));
        model.eval();
        Tensor probe = Tensor.randn(DType.F64, 5, 1.0, N, config.hidden());
        Map<String, Tensor> p = model.namedParameters();
        List<Tensor> checked = List.of(
                p.get("bert.encoder.layer.0.attention.self.query.weight"),
                p.get("bert.encoder.layer.1.attention.self.key.bias"),
                p.get("bert.encoder.layer.0.attention.output.LayerNorm.weight"),
                p.get("bert.encoder.layer.1.intermediate.dense.bias"),
                p.get("bert.embeddings.token_type_embeddings.weight"),
                p.get("bert.embeddings.position_embeddings.weight"),
                p.get("classifier.weight"));
        GradCheck.Result r = GradCheck.check(() -> {
            BertForSequenceClassification.Output out = model.forward(IDS, MASK, TYPES, N, T);
            Tensor task = Ops.crossEntropy(out.logits(), LABELS);
            Tensor embed = Ops.sumAll(Ops.mul(Pooling.l2Normalize(out.pooled()), probe));
            return Ops.add(task, embed);
        }, checked);
        assertTrue(r.passed(), () -> activation + "/" + pooling + ": " + r.worst());
    }
}
