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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * balora's BertModel on the real all-MiniLM-L6-v2 (and bge-small-en-v1.5, when its artifact is in the local Maven
 * repository) weights against ONNX Runtime running the original ONNX file: real food reviews of varied length, in
 * padded batches of 10 (T up to 128): 50 for MiniLM, 20 for the twice-as-deep bge-small. Hidden states at real
 * tokens: max abs error ≤ 1e-4; sentence embeddings: cosine ≥ 0.99999. Hidden states: max abs error ≤ 1e-4;
 * sentence embeddings (masked mean, L2-normalised): cosine ≥ 0.99999.
 */
class MiniLmOrtParityTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({"bge-small, BGE_SMALL_EN_V15, 20", "minilm, ALL_MINILM_L6_V2, 50"})
    void hiddenStatesAndEmbeddingsMatchOnnxRuntime(String name, ModelArtifacts.Model artifact, int sentences) throws Exception {
        if (artifact != ModelArtifacts.Model.ALL_MINILM_L6_V2) {
            try {
                ModelArtifacts.locate(artifact);
            } catch (java.io.FileNotFoundException e) {
                Assumptions.abort(name + " artifact not in the local Maven repository: " + e.getMessage());
            }
        }
        PretrainedEncoder enc = PretrainedEncoder.load(name);
        BertModel model = enc.newModel(BertOptions.defaults());
        model.eval();
        TextClassificationDataset train = FoodReviews.train();
        List<String> texts = new ArrayList<>();
        for (int i = 0; texts.size() < sentences; i += 37) {
            texts.add(train.get(i).text());
        }
        byte[] onnx;
        try (ModelArtifacts.SizedStream s = ModelArtifacts.locate(artifact).openOnnx()) {
            onnx = s.stream().readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double worstHidden = 0;
        double worstHiddenReal = 0;
        double maxAbs = 0;
        double worstCos = 1;
        int maxLenSeen = 0;
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            for (int b = 0; b < sentences; b += 10) {
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
                            double diff = Math.abs(ours[(i * t + p) * d + j] - o);
                            worstHidden = Math.max(worstHidden, diff);
                            maxAbs = Math.max(maxAbs, Math.abs(o));
                            if (real) {
                                worstHiddenReal = Math.max(worstHiddenReal, diff);
                            }
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
        System.out.printf(name + " vs ORT on " + sentences + " reviews (T up to %d): max |Δhidden| = %.3g (real tokens %.3g, max |h| %.3g), min cosine = %.9f%n",
                maxLenSeen, worstHidden, worstHiddenReal, maxAbs, worstCos);
        assertTrue(maxLenSeen >= 64, "the sample must include long reviews, longest batch was " + maxLenSeen);
        // The contract is on real tokens: rows at padding positions are never read downstream (pooling masks them),
        // and their values depend on the additive-mask constant each exporter chose (bge's export differs by 3e-4
        // there; MiniLM's matches everywhere).
        assertTrue(worstHiddenReal <= 1e-4, "max abs error on last_hidden_state at real tokens " + worstHiddenReal);
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
