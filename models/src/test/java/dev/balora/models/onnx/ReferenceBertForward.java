package dev.balora.models.onnx;

import dev.balora.models.bert.BertConfig;

/**
 * A plain, obviously-correct BERT encoder forward pass in double precision over Hugging Face-named weights
 * ({@code [out, in]} linears), written from the BERT paper's definitions. It shares no code with ONNX
 * Runtime, so agreement with ORT's {@code last_hidden_state} checks the names, the transposition, the head
 * count, the epsilon and the activation that {@link BertOnnxWeights} produced, all at once.
 */
final class ReferenceBertForward {
    private final BertOnnxWeights w;
    private final BertConfig c;

    ReferenceBertForward(BertOnnxWeights w) {
        this.w = w;
        this.c = w.config();
    }

    /**
     * @param ids   token ids, length T
     * @param types token type ids, length T
     * @return last hidden state [T, hidden], no padding (every token attends to every token)
     */
    double[][] lastHiddenState(int[] ids, int[] types) {
        int t = ids.length, h = c.hidden();
        double[][] x = new double[t][h];
        float[] word = w.get("embeddings.word_embeddings.weight").data();
        float[] pos = w.get("embeddings.position_embeddings.weight").data();
        float[] typ = w.get("embeddings.token_type_embeddings.weight").data();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < h; j++) {
                x[i][j] = word[ids[i] * h + j] + pos[i * h + j] + typ[types[i] * h + j];
            }
        }
        x = layerNorm(x, "embeddings.LayerNorm");
        for (int l = 0; l < c.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            double[][] q = linear(x, p + "attention.self.query");
            double[][] k = linear(x, p + "attention.self.key");
            double[][] v = linear(x, p + "attention.self.value");
            double[][] ctx = attention(q, k, v);
            x = layerNorm(add(x, linear(ctx, p + "attention.output.dense")), p + "attention.output.LayerNorm");
            double[][] inner = linear(x, p + "intermediate.dense");
            for (double[] row : inner) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = 0.5 * row[j] * (1 + erf(row[j] / Math.sqrt(2))); // exact GELU
                }
            }
            x = layerNorm(add(x, linear(inner, p + "output.dense")), p + "output.LayerNorm");
        }
        return x;
    }

    private double[][] attention(double[][] q, double[][] k, double[][] v) {
        int t = q.length, d = c.headDim();
        double[][] out = new double[t][c.hidden()];
        for (int head = 0; head < c.heads(); head++) {
            int o = head * d;
            for (int i = 0; i < t; i++) {
                double[] s = new double[t];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[i][o + e] * k[j][o + e];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < t; j++) {
                    for (int e = 0; e < d; e++) {
                        out[i][o + e] += s[j] / sum * v[j][o + e];
                    }
                }
            }
        }
        return out;
    }

    /** y = x W^T + b with W [out, in]. */
    private double[][] linear(double[][] x, String module) {
        WeightTensor weight = w.get(module + ".weight");
        float[] wd = weight.data();
        float[] b = w.get(module + ".bias").data();
        int out = weight.dim(0), in = weight.dim(1);
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double acc = b[o];
                for (int e = 0; e < in; e++) {
                    acc += wd[o * in + e] * x[i][e];
                }
                y[i][o] = acc;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String module) {
        float[] g = w.get(module + ".weight").data();
        float[] b = w.get(module + ".bias").data();
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0, var = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= x[i].length;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[i].length;
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + c.layerNormEps()) * g[j] + b[j];
            }
        }
        return y;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                y[i][j] = a[i][j] + b[i][j];
            }
        }
        return y;
    }

    /** erf to ~1e-13: Maclaurin series for |x| < 3, Lentz-free continued fraction for erfc beyond. */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax, sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double k = ax; // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
            for (int n = 80; n >= 1; n--) {
                k = ax + (n / 2.0) / k;
            }
            r = 1 - Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * k);
        }
        return x < 0 ? -r : r;
    }
}
