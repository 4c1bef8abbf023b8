package dev.balora.models.hf;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.ops.Constants;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.ModelArtifacts;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.onnx.WeightTensor;
import dev.balora.models.tokenizer.BatchEncoding;
import dev.balora.models.tokenizer.TokenizerJsonReader;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small random BERT (hidden 8, 2 layers) with MiniLM's real tokenizer, named like a built-in base so the Hub facts
 * apply: fast to write and reload, and every file a real base gets.
 */
final class TinyEncoder {
    static final List<String> TEXTS = List.of("The coffee was great.", "Stale crackers, would not buy again!",
            "ok", "Arrived quickly and tasted fresh; the price is fair for twelve bags.");
    static final List<String> LABELS = List.of("great", "other", "meh");

    private TinyEncoder() {}

    static PretrainedEncoder make(String name) throws IOException {
        BertConfig cfg = new BertConfig(30522, 8, 2, 2, 16, 512, 2, 1e-12, "gelu");
        BertModel random = new BertModel(cfg, BertOptions.defaults().withSeed(3));
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        random.namedParameters().forEach((k, t) -> weights.put(k, new WeightTensor(t.shape(), t.toFloatArray())));
        byte[] json;
        String source;
        try (ModelArtifacts.SizedStream s = ModelArtifacts.defaultModel().openTokenizer()) {
            json = s.stream().readAllBytes();
            source = s.source();
        }
        return new PretrainedEncoder(name, cfg, weights, TokenizerJsonReader.parse(json, source), json);
    }

    /** A fine-tuned-looking classifier: PiSSA adapters of rank 2 moved off their init, a random head. */
    static BertForSequenceClassification adapted(PretrainedEncoder enc, LoraConfig cfg) {
        BertForSequenceClassification m = enc.newClassifier(LABELS.size(), 5, BertOptions.defaults());
        LoraInjector.inject(m, cfg);
        long seed = 11;
        for (LoraLinear l : LoraInjector.adapters(m).values()) {
            Tensor a = l.loraA();
            Tensor b = l.loraB();
            l.setAdapter(plusNoise(a, seed++), plusNoise(b, seed++));
        }
        m.eval();
        return m;
    }

    static LoraConfig pissa() {
        return new LoraConfig(2, 4, 0.0, false, new LoraInit.Pissa(), LoraConfig.BERT_TARGETS, List.of("classifier"), 9);
    }

    static LoraConfig kaiming() {
        return new LoraConfig(2, 2, 0.0, false, new LoraInit.Kaiming(), LoraConfig.BERT_TARGETS, List.of("classifier"), 9);
    }

    private static Tensor plusNoise(Tensor t, long seed) {
        double[] v = t.toDoubleArray();
        double[] n = Tensor.randn(t.dtype(), seed, 0.3, t.shape()).toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] += n[i];
        }
        return Constants.like(t, v, t.shape());
    }

    /** @return the classifier's logits on {@link #TEXTS}, [N·labels] */
    static float[] logits(BertForSequenceClassification m, PretrainedEncoder enc, int maxLength) {
        BatchEncoding b = enc.tokenizer().encodeBatch(TEXTS, maxLength, true);
        try (NoGrad ignored = NoGrad.enter()) {
            return m.forward(b.ids(), b.attentionMask(), b.tokenTypeIds(), b.batchSize(), b.sequenceLength()).logits()
                    .toFloatArray();
        }
    }
}
