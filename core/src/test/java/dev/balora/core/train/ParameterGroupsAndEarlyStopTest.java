package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-parameter learning-rate scales (a head with its own lr) and the trainer's early-stopping hook. */
class ParameterGroupsAndEarlyStopTest {
    /** The toy task with learning-rate scales for some of its parameters. */
    private static final class Scaled implements TrainingTask {
        final ToyTask toy;
        final Map<String, Double> scales;

        Scaled(ToyTask toy, Map<String, Double> scales) {
            this.toy = toy;
            this.scales = scales;
        }

        @Override public int size() { return toy.size(); }
        @Override public Map<String, Tensor> trainableParameters() { return toy.trainableParameters(); }
        @Override public Map<String, Double> learningRateScales() { return scales; }
        @Override public MicroBatchLoss loss(int[] ids, StepContext c) { return toy.loss(ids, c); }
        @Override public Evaluation evaluate() { return toy.evaluate(); }
    }

    private static TrainerConfig.Builder config(Path out) {
        return TrainerConfig.builder(out).microBatchSize(9).learningRate(0.01).weightDecay(0.01).maxGradNorm(0)
                .seed(5);
    }

    private static Map<String, float[]> values(TrainingTask t) {
        Map<String, float[]> m = new LinkedHashMap<>();
        t.trainableParameters().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    private static Map<String, Double> headScale(TrainingTask t, double s) {
        Map<String, Double> m = new LinkedHashMap<>();
        t.trainableParameters().keySet().stream().filter(k -> k.startsWith("classifier.")).forEach(k -> m.put(k, s));
        assertEquals(2, m.size(), "the toy head has a weight and a bias: " + t.trainableParameters().keySet());
        return m;
    }

    @Test
    void aScaleOfOneChangesNoBit(@TempDir Path tmp) throws IOException {
        ToyTask plain = new ToyTask(45, 20, true, 0.1);
        new Trainer(plain, config(tmp.resolve("a")).maxSteps(6).build()).run();
        ToyTask toy = new ToyTask(45, 20, true, 0.1);
        Scaled ones = new Scaled(toy, headScale(toy, 1.0));
        new Trainer(ones, config(tmp.resolve("b")).maxSteps(6).build()).run();
        Map<String, float[]> a = values(plain);
        Map<String, float[]> b = values(ones);
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    @Test
    void theFirstStepMovesTheHeadByItsScaleAndTheRestAsBefore(@TempDir Path tmp) throws IOException {
        // AdamW's first update is lr·(m̂/(√v̂+ε) + wd·p) per element: with the same gradient, scale 3 moves the head 3×.
        ToyTask initial = new ToyTask(45, 20, false, 0);
        Map<String, float[]> p0 = values(initial);
        ToyTask one = new ToyTask(45, 20, false, 0);
        new Trainer(one, config(tmp.resolve("a")).maxSteps(1).build()).run();
        ToyTask toy = new ToyTask(45, 20, false, 0);
        Scaled three = new Scaled(toy, headScale(toy, 3.0));
        new Trainer(three, config(tmp.resolve("b")).maxSteps(1).build()).run();
        Map<String, float[]> a = values(one);
        Map<String, float[]> b = values(three);
        for (String k : p0.keySet()) {
            for (int i = 0; i < p0.get(k).length; i++) {
                double da = a.get(k)[i] - p0.get(k)[i];
                double db = b.get(k)[i] - p0.get(k)[i];
                if (k.startsWith("classifier.")) {
                    assertEquals(3 * da, db, 1e-6 * Math.max(1, Math.abs(db)), k + "[" + i + "]");
                    assertNotEquals(0.0, da, k + "[" + i + "] moved");
                } else {
                    assertEquals(Float.floatToRawIntBits(a.get(k)[i]), Float.floatToRawIntBits(b.get(k)[i]),
                            k + "[" + i + "] is not in the head: unchanged");
                }
            }
        }
    }

    @Test
    void scalesMustNameTrainableParametersAndBePositive(@TempDir Path tmp) {
        ToyTask toy = new ToyTask(45, 20, false, 0);
        Trainer bad = new Trainer(new Scaled(toy, Map.of("nope.weight", 2.0)), config(tmp).maxSteps(1).build());
        assertTrue(assertThrows(IllegalArgumentException.class, bad::run).getMessage().contains("nope.weight"));
        Trainer negative = new Trainer(new Scaled(toy, headScale(toy, -1.0)), config(tmp.resolve("n")).maxSteps(1).build());
        assertThrows(IllegalArgumentException.class, negative::run);
    }

    @Test
    void theStopConditionEndsTheRunAtThatEvaluation(@TempDir Path tmp) throws IOException {
        ToyTask toy = new ToyTask(45, 20, true, 0.1);
        AtomicInteger evals = new AtomicInteger();
        Trainer t = new Trainer(toy, config(tmp).maxSteps(20).evalEvery(3).build())
                .addListener(new TrainingListener() {
                    @Override
                    public void onEval(EvalRecord r) {
                        evals.incrementAndGet();
                    }
                })
                .stopAfterEvaluationWhen(() -> evals.get() >= 2);
        TrainingSummary s = t.run();
        assertEquals(6, s.steps(), "the second evaluation (step 6) stops it");
        assertEquals(20, s.totalSteps());
        assertTrue(s.stoppedEarly());
        assertEquals(2, evals.get(), "no extra final evaluation: the stopping one is the final one");
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve(Trainer.SUMMARY_FILE).toFile());
        assertTrue(summary.get("stopped_early").asBoolean());
        assertEquals(6, summary.get("steps").asLong());
        long trainLines = Files.readAllLines(tmp.resolve(Trainer.METRICS_FILE)).stream()
                .filter(l -> l.contains("\"type\":\"train\"")).count();
        assertEquals(6, trainLines);
    }

    @Test
    void aResumedRunThatHadStoppedDoesNotTrainOn(@TempDir Path tmp) throws IOException {
        AtomicInteger evals = new AtomicInteger();
        ToyTask toy = new ToyTask(45, 20, true, 0.1);
        TrainerConfig cfg = config(tmp).maxSteps(20).evalEvery(3).checkpointEvery(3).build();
        TrainingSummary first = new Trainer(toy, cfg).addListener(new TrainingListener() {
            @Override
            public void onEval(EvalRecord r) {
                evals.incrementAndGet();
            }
        }).stopAfterEvaluationWhen(() -> evals.get() >= 2).run();
        assertEquals(6, first.steps());
        Map<String, float[]> stopped = values(toy);
        // the process died after the last checkpoint and before anything else: resume with the same rule
        ToyTask again = new ToyTask(45, 20, true, 0.1);
        TrainingSummary resumed = new Trainer(again, cfg).stopAfterEvaluationWhen(() -> true)
                .resume(tmp.resolve(Trainer.CHECKPOINT_DIR));
        assertEquals(6, resumed.steps());
        assertTrue(resumed.stoppedEarly());
        Map<String, float[]> b = values(again);
        stopped.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }
}
