package dev.balora.models.bert;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.ModelArtifacts;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.FoodReviews;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.tokenizer.BatchEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * balora's BertModel on the real all-MiniLM-L6-v2 weights against ONNX Runtime running the original ONNX file:
 * 50 real food reviews of varied length, in padded batches of 10 (T up to 128). Hidden states: max abs error ≤ 1e-4;
 * sentence embeddings (masked mean, L2-normalised): cosine ≥ 0.99999.
 */
class MiniLmOrtParityTest {
    @Test
    void hiddenStatesAndEmbeddingsMatchOnnxRuntime() throws Exception {
        PretrainedEncoder enc = PretrainedEncoder.load("minilm");
        BertModel model = enc.newModel(BertOptions.defaults());
        model.eval();
        TextClassificationDataset train = FoodReviews.train();
        List<String> texts = new ArrayList<>();
        for (int i = 0; texts.size() < 50; i += 37) {
            texts.add(train.get(i).text());
        }
        byte[] onnx;
        try (ModelArtifacts.SizedStream s = ModelArtifacts.locate(ModelArtifacts.Model.ALL_MINILM_L6_V2).openOnnx()) {
            onnx = s.stream().readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double worstHidden = 0;
        double worstCos = 1;
        int maxLenSeen = 0;
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            for (int b = 0; b < 50; b += 10) {
                BatchEncoding be = enc.tokenizer().encodeBatch(texts.subList(b, b + 10), 128, true);
                int n = be.batchSize();
                int t = be.sequenceLength();
                maxLenSeen = Math.max(maxLenSeen, t);
                float[] ours;
                float[] ourEmb;
                try (NoGrad ignored = NoGrad.enter()) {
                    Tensor h = model.forward(be.ids(), be.attentionMask(), be.tokenTypeIds(), n, t);
                    ours = h.toFloatArray();
                    ourEmb = Pooling.l2Normalize(Pooling.mean(h, be.attentionMask())).toFloatArray();
                }
                float[][][] ort = runOrt(env, session, be);
                int d = 384;
                for (int i = 0; i < n; i++) {
                    double[] mean = new double[d];
                    int count = 0;
                    for (int p = 0; p < t; p++) {
                        boolean real = be.attentionMask()[i * t + p] == 1;
                        for (int j = 0; j < d; j++) {
                            float o = ort[i][p][j];
                            worstHidden = Math.max(worstHidden, Math.abs(ours[(i * t + p) * d + j] - o));
                            if (real) {
                                mean[j] += o;
                            }
                        }
                        count += real ? 1 : 0;
                    }
                    double dot = 0;
                    double nm = 0;
                    double no = 0;
                    for (int j = 0; j < d; j++) {
                        double m = mean[j] / count;
                        dot += m * ourEmb[i * d + j];
                        nm += m * m;
                        no += ourEmb[i * d + j] * ourEmb[i * d + j];
                    }
                    worstCos = Math.min(worstCos, dot / Math.sqrt(nm * no));
                }
            }
        }
        System.out.printf("MiniLM vs ORT on 50 reviews (T up to %d): max |Δhidden| = %.3g, min cosine = %.9f%n",
                maxLenSeen, worstHidden, worstCos);
        assertTrue(maxLenSeen >= 100, "the sample must include long reviews, longest batch was " + maxLenSeen);
        assertTrue(worstHidden <= 1e-4, "max abs error on last_hidden_state " + worstHidden);
        assertTrue(worstCos >= 0.99999, "min cosine of sentence embeddings " + worstCos);
    }

    private static float[][][] runOrt(OrtEnvironment env, OrtSession session, BatchEncoding be) throws Exception {
        int n = be.batchSize();
        int t = be.sequenceLength();
        long[][] ids = new long[n][t];
        long[][] mask = new long[n][t];
        long[][] types = new long[n][t];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < t; p++) {
                ids[i][p] = be.ids()[i * t + p];
                mask[i][p] = be.attentionMask()[i * t + p];
                types[i][p] = be.tokenTypeIds()[i * t + p];
            }
        }
        try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
             OnnxTensor m = OnnxTensor.createTensor(env, mask);
             OnnxTensor c = OnnxTensor.createTensor(env, types);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", m, "token_type_ids", c))) {
            return (float[][][]) r.get(0).getValue();
        }
    }
}
