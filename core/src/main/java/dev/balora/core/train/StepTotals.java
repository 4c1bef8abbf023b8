package dev.balora.core.train;

import java.util.LinkedHashMap;
import java.util.Map;

/** Averages the micro-batch losses of one optimizer step for its metrics line. */
final class StepTotals {
    private int microBatches;
    private int examples;
    private long tokens;
    private double loss;
    private double task;
    private final Map<String, Double> terms = new LinkedHashMap<>();
    private final Map<String, Double> lambdas = new LinkedHashMap<>();

    void add(MicroBatchLoss l, double total, int batchExamples) {
        microBatches++;
        examples += batchExamples;
        tokens += l.tokens();
        loss += total;
        task += l.task();
        l.terms().forEach((k, v) -> terms.merge(k, v, Double::sum));
        // λ depends on the step only, so every micro-batch of the step reports the same value.
        lambdas.putAll(l.lambdas());
    }

    int examples() {
        return examples;
    }

    long tokens() {
        return tokens;
    }

    double meanLoss() {
        return loss / microBatches;
    }

    double meanTask() {
        return task / microBatches;
    }

    Map<String, Double> meanTerms() {
        Map<String, Double> out = new LinkedHashMap<>();
        terms.forEach((k, v) -> out.put(k, v / microBatches));
        return out;
    }

    Map<String, Double> lambdas() {
        return new LinkedHashMap<>(lambdas);
    }
}
