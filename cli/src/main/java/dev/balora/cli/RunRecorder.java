package dev.balora.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.train.EvalRecord;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-step losses and per-evaluation accuracies of one run, and its last step's BA-LoRA terms, for plots and
 * tables: recorded live as a listener, or read back from a finished run's {@code metrics.jsonl} (which also holds the
 * steps a resumed run did before it stopped).
 */
final class RunRecorder implements TrainingListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final List<Double> steps = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();
    final List<Double> evalSteps = new ArrayList<>();
    final List<Double> evalAccuracy = new ArrayList<>();
    /** The last step's regularizer terms and their weights (empty for plain LoRA / PiSSA). */
    Map<String, Double> lastTerms = Map.of();
    Map<String, Double> lastLambdas = Map.of();

    RunRecorder(String name) {
        this.name = name;
    }

    /** @return the run logged in {@code metricsFile}, one train or eval line after another */
    static RunRecorder fromLog(String name, Path metricsFile) throws IOException {
        RunRecorder r = new RunRecorder(name);
        for (String line : Files.readAllLines(metricsFile)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            double step = n.path("step").asDouble();
            if ("train".equals(n.path("type").asText())) {
                r.addStep(step, n.path("loss").asDouble(Double.NaN), doubles(n.path("terms")), doubles(n.path("lambdas")));
            } else if ("eval".equals(n.path("type").asText()) && n.has("accuracy")) {
                r.addEval(step, n.get("accuracy").asDouble());
            }
        }
        return r;
    }

    private static Map<String, Double> doubles(JsonNode obj) {
        Map<String, Double> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble(Double.NaN)));
        return m;
    }

    @Override
    public void onStep(StepRecord r) {
        addStep(r.step(), r.loss(), r.terms(), r.lambdas());
    }

    @Override
    public void onEval(EvalRecord r) {
        Double acc = r.metrics().get("accuracy");
        if (acc != null) {
            addEval(r.step(), acc);
        }
    }

    private void addStep(double step, double loss, Map<String, Double> terms, Map<String, Double> lambdas) {
        steps.add(step);
        losses.add(loss);
        lastTerms = terms;
        lastLambdas = lambdas;
    }

    private void addEval(double step, double accuracy) {
        evalSteps.add(step);
        evalAccuracy.add(accuracy);
    }
}
