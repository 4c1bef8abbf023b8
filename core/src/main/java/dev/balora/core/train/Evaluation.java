package dev.balora.core.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@link TrainingTask#evaluate()} returns; each kind knows its metrics. */
public sealed interface Evaluation {
    /** @return metric name → value, in a stable order (the keys of the eval lines in {@code metrics.jsonl}) */
    Map<String, Double> metrics();

    /**
     * Classification over the evaluation set.
     *
     * @param predictions predicted class per example
     * @param labels      true class per example (same length)
     * @param loss        mean cross-entropy of the gold class in nats (a tie-breaker for model selection), or NaN when
     *                    not computed (then not reported)
     */
    record Classification(int[] predictions, int[] labels, double loss) implements Evaluation {
        /** Without a loss. */
        public Classification(int[] predictions, int[] labels) {
            this(predictions, labels, Double.NaN);
        }

        public Classification {
            if (predictions.length != labels.length) {
                throw new IllegalArgumentException("evaluation: " + predictions.length + " predictions for "
                        + labels.length + " labels");
            }
            predictions = predictions.clone();
            labels = labels.clone();
        }

        /** @return accuracy, macro_f1, mcc, loss (when computed) and examples */
        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy", Metrics.accuracy(predictions, labels));
            m.put("macro_f1", Metrics.macroF1(predictions, labels));
            m.put("mcc", Metrics.matthews(predictions, labels));
            if (!Double.isNaN(loss)) {
                m.put("loss", loss);
            }
            m.put("examples", (double) labels.length);
            return m;
        }
    }

    /**
     * Language modelling over the evaluation set.
     *
     * @param nllSum summed negative log-likelihood in nats over all predicted tokens
     * @param tokens number of predicted tokens (&gt; 0)
     */
    record LanguageModel(double nllSum, long tokens) implements Evaluation {
        public LanguageModel {
            if (tokens <= 0) {
                throw new IllegalArgumentException("evaluation: a language-model evaluation needs tokens > 0, got "
                        + tokens);
            }
        }

        /** @return nll (mean per token), perplexity and tokens */
        @Override
        public Map<String, Double> metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("nll", nllSum / tokens);
            m.put("perplexity", Metrics.perplexity(nllSum, tokens));
            m.put("tokens", (double) tokens);
            return m;
        }
    }
}
