package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer on the toy LoRA task: learning, logging, exact resume, atomic checkpoints, NaN handling. */
class TrainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 45 examples, micro-batch 7, accumulation 2: 7 micro-batches → 4 steps per epoch, the last one partial. */
    private static TrainerConfig.Builder config(Path out) {
        return TrainerConfig.builder(out).microBatchSize(7).gradientAccumulationSteps(2).learningRate(0.02)
                .warmupSteps(2).decay(LrSchedule.Decay.COSINE).weightDecay(0.01).maxGradNorm(1.0).seed(1234);
    }

    /** Records every step's total loss and every checkpoint. */
    private static final class Recorder implements TrainingListener {
        final Map<Long, Double> losses = new LinkedHashMap<>();
        final List<Long> checkpoints = new ArrayList<>();
        long startStep = -1;

        @Override
        public void onStart(long startStep, long totalSteps) {
            this.startStep = startStep;
        }

        @Override
        public void onStep(StepRecord r) {
            losses.put(r.step(), r.loss());
        }

        @Override
        public void onCheckpoint(long step, Path stateFile) {
            checkpoints.add(step);
        }
    }

    /** A simulated kill: thrown by a listener after a given step. */
    private static final class Killed extends RuntimeException {}

    private static Map<String, int[]> bits(TrainingTask task) {
        Map<String, int[]> out = new LinkedHashMap<>();
        task.trainableParameters().forEach((k, t) -> {
            float[] f = t.toFloatArray();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = Float.floatToRawIntBits(f[i]);
            }
            out.put(k, b);
        });
        return out;
    }

    private static void assertSameBits(Map<String, int[]> expected, Map<String, int[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "parameter " + k + " differs bit-wise"));
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static List<Double> trainLosses(Path out) throws IOException {
        List<Double> l = new ArrayList<>();
        for (JsonNode n : lines(out.resolve(Trainer.METRICS_FILE))) {
            if (n.get("type").asText().equals("train")) {
                assertEquals(l.size() + 1, n.get("step").asLong(), "steps logged once each, in order");
                l.add(n.get("loss").asDouble());
            }
        }
        return l;
    }

    @Test
    void trainsToTargetAccuracyAndLogsEveryKey(@TempDir Path out) throws IOException {
        ToyTask task = new ToyTask(45, 60, true, 0.1);
        TrainerConfig cfg = config(out).epochs(10).learningRate(0.05).evalEvery(8).build();
        assertEquals(40, cfg.totalSteps(45));
        double before;
        try (NoGrad ignored = NoGrad.enter()) {
            before = task.evaluate().metrics().get("accuracy");
        }
        assertTrue(before < 0.7, "the untrained model should be far from the target, got " + before);
        Recorder rec = new Recorder();
        TrainingSummary s = new Trainer(task, cfg).addListener(rec).run();

        assertEquals(40, s.steps());
        assertEquals(10.0, s.epochs(), 0.0);
        assertEquals(10 * 45, s.examplesSeen());
        double acc = s.finalEval().get("accuracy");
        assertTrue(acc >= 0.95, "held-out accuracy " + acc + " (before training " + before + ")");
        assertTrue(rec.losses.get(40L) < 0.6 * rec.losses.get(1L), "loss falls: " + rec.losses);

        List<JsonNode> lines = lines(out.resolve(Trainer.METRICS_FILE));
        Set<String> termNames = Set.of("consistency_cosine_mse", "diversity_covariance", "svd_nuclear");
        int train = 0;
        int eval = 0;
        for (JsonNode n : lines) {
            if (n.get("type").asText().equals("train")) {
                train++;
                for (String key : List.of("step", "epoch", "loss", "task_loss", "terms", "lambdas", "lr", "grad_norm",
                        "examples", "examples_per_s", "elapsed_s")) {
                    assertTrue(n.has(key), "train line lacks " + key + ": " + n);
                }
                assertFalse(n.has("tokens_per_s"), "classification does not count tokens");
                assertEquals(termNames, names(n.get("terms")));
                assertEquals(termNames, names(n.get("lambdas")));
                assertEquals(0.15, n.get("lambdas").get("consistency_cosine_mse").asDouble(), 0.0);
                assertTrue(n.get("grad_norm").asDouble() > 0);
            } else {
                assertEquals("eval", n.get("type").asText());
                eval++;
                for (String key : List.of("step", "epoch", "accuracy", "macro_f1", "mcc", "eval_s")) {
                    assertTrue(n.has(key), "eval line lacks " + key + ": " + n);
                }
            }
        }
        assertEquals(40, train);
        assertEquals(5, eval, "evaluations at steps 8, 16, 24, 32 and the end (40)");
        // Step 1 is the first warm-up step: lr 0; step 3 reaches the peak; the last step decays towards 0.
        assertEquals(0.0, lines.get(0).get("lr").asDouble(), 0.0);
        JsonNode step3 = lines.stream().filter(n -> n.get("step").asLong() == 3 && n.get("type").asText().equals("train"))
                .findFirst().orElseThrow();
        assertEquals(0.05, step3.get("lr").asDouble(), 0.0);
        // two_phase svd weight: 0 before t₀ = ⌊0.2·40⌋ = 8 (steps 1..8), then ramping up.
        List<JsonNode> trainLines = lines.stream().filter(n -> n.get("type").asText().equals("train")).toList();
        assertEquals(0.0, trainLines.get(7).get("lambdas").get("svd_nuclear").asDouble(), 0.0);
        assertEquals(0.03 / 2, trainLines.get(8).get("lambdas").get("svd_nuclear").asDouble(), 0.0);
        assertEquals(0.03, trainLines.get(9).get("lambdas").get("svd_nuclear").asDouble(), 0.0);

        JsonNode summary = JSON.readTree(out.resolve(Trainer.SUMMARY_FILE).toFile());
        assertEquals(40, summary.get("steps").asLong());
        assertEquals(acc, summary.get("final_eval").get("accuracy").asDouble(), 0.0);
        assertEquals(1234, summary.get("config").get("seed").asLong());
    }

    private static Set<String> names(JsonNode obj) {
        Set<String> s = new TreeSet<>();
        obj.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void resumeContinuesTheSameLossCurveBitForBit(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        // 10 steps span three epochs; the checkpoint at step 5 sits mid-epoch (epoch 1, second step).
        ToyTask full = new ToyTask(45, 20, true, 0.2);
        Recorder ra = new Recorder();
        new Trainer(full, config(a).maxSteps(10).checkpointEvery(5).build()).addListener(ra).run();

        ToyTask first = new ToyTask(45, 20, true, 0.2);
        Recorder rb = new Recorder();
        Trainer interrupted = new Trainer(first, config(b).maxSteps(10).checkpointEvery(5).build()).addListener(rb)
                .addListener(new TrainingListener() {
                    @Override
                    public void onStep(StepRecord r) {
                        if (r.step() == 7) {
                            throw new Killed();
                        }
                    }
                });
        assertThrows(Killed.class, interrupted::run);
        assertEquals(List.of(5L), rb.checkpoints);

        ToyTask fresh = new ToyTask(45, 20, true, 0.2);
        Recorder rc = new Recorder();
        TrainerConfig cfgB = config(b).maxSteps(10).checkpointEvery(5).build();
        TrainingSummary s = new Trainer(fresh, cfgB).addListener(rc).resume(b.resolve(Trainer.CHECKPOINT_DIR));

        assertEquals(5, rc.startStep);
        assertEquals(5, s.resumedFromStep());
        for (long step = 1; step <= 7; step++) {
            assertEquals(ra.losses.get(step), rb.losses.get(step), "step " + step + " before the kill");
        }
        for (long step = 6; step <= 10; step++) {
            assertEquals(ra.losses.get(step), rc.losses.get(step), "step " + step + " after the resume");
        }
        assertSameBits(bits(full), bits(fresh));
        // The log was cut back to the checkpoint: steps 6 and 7 of the killed session appear once.
        assertEquals(trainLosses(a), trainLosses(b));
        assertEquals(10, trainLosses(b).size());
    }

    @Test
    void crashBetweenTensorWriteAndStateWriteKeepsThePreviousCheckpoint(@TempDir Path tmp) throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        ToyTask full = new ToyTask(45, 20, false, 0.0);
        new Trainer(full, config(a).maxSteps(9).checkpointEvery(3).build()).run();

        ToyTask first = new ToyTask(45, 20, false, 0.0);
        TrainerConfig cfg = config(b).maxSteps(9).checkpointEvery(3).build();
        int[] saves = {0};
        CheckpointStore crashing = new CheckpointStore(b.resolve(Trainer.CHECKPOINT_DIR), () -> {
            if (++saves[0] == 2) {
                throw new IllegalStateException("simulated crash after the tensor write");
            }
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Trainer(first, cfg, crashing).run());
        assertTrue(e.getMessage().contains("simulated crash"));

        CheckpointStore store = new CheckpointStore(b.resolve(Trainer.CHECKPOINT_DIR));
        assertEquals(3, store.read().step(), "the state file still names step 3");
        assertTrue(Files.exists(store.directory().resolve("tensors-000000006.safetensors")), "the step-6 tensors were written");
        CheckpointStore.Loaded loaded = store.load();
        assertEquals("tensors-000000003.safetensors", loaded.state().tensorsFile());
        assertEquals(3 * first.trainableParameters().size(), loaded.tensors().size());

        ToyTask fresh = new ToyTask(45, 20, false, 0.0);
        new Trainer(fresh, cfg).resume(store.directory());
        assertSameBits(bits(full), bits(fresh));
        assertEquals(trainLosses(a), trainLosses(b));
        try (var files = Files.list(store.directory())) {
            assertEquals(Set.of("checkpoint.json", "tensors-000000009.safetensors"),
                    new TreeSet<>(files.map(f -> f.getFileName().toString()).toList()), "stale tensor files removed");
        }
    }

    /** Delegates to the toy task and corrupts step {@code badStep} (1-based) in one of three ways. */
    private static final class Poisoned implements TrainingTask {
        enum Kind { TERM, TASK, GRADIENT }

        final ToyTask inner;
        final long badStep;
        final Kind kind;

        Poisoned(ToyTask inner, long badStep, Kind kind) {
            this.inner = inner;
            this.badStep = badStep;
            this.kind = kind;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Map<String, Tensor> trainableParameters() {
            return inner.trainableParameters();
        }

        @Override
        public Evaluation evaluate() {
            return inner.evaluate();
        }

        @Override
        public MicroBatchLoss loss(int[] ids, StepContext ctx) {
            MicroBatchLoss l = inner.loss(ids, ctx);
            if (ctx.step() + 1 != badStep) {
                return l;
            }
            return switch (kind) {
                case TERM -> {
                    Map<String, Double> terms = new HashMap<>(l.terms());
                    terms.put("diversity_covariance", Double.NaN);
                    yield new MicroBatchLoss(l.total(), l.task(), terms, l.lambdas(), 0);
                }
                case TASK -> new MicroBatchLoss(Ops.addScalar(l.total(), Double.POSITIVE_INFINITY),
                        Double.POSITIVE_INFINITY, l.terms(), l.lambdas(), 0);
                case GRADIENT -> {
                    // sqrt(0·Σw²): the value is 0, but d sqrt/dx = ∞ at 0 and ∞·0 = NaN reaches the weight's gradient.
                    Tensor w = inner.model.child("classifier").localParameters().get("weight");
                    Tensor zero = Ops.sqrt(Ops.scale(Ops.sumAll(Ops.square(w)), 0.0));
                    yield new MicroBatchLoss(Ops.add(l.total(), zero), l.task(), l.terms(), l.lambdas(), 0);
                }
            };
        }
    }

    @Test
    void nonFiniteLossOrGradientStopsNamingStepAndTermAndKeepsTheCheckpoint(@TempDir Path tmp) throws IOException {
        for (Poisoned.Kind kind : Poisoned.Kind.values()) {
            Path out = tmp.resolve(kind.name());
            Map<String, byte[]> committed = new HashMap<>();
            TrainingListener snapshot = new TrainingListener() {
                @Override
                public void onCheckpoint(long step, Path stateFile) {
                    try (var files = Files.list(stateFile.getParent())) {
                        committed.clear();
                        for (Path f : files.toList()) {
                            committed.put(f.getFileName().toString(), Files.readAllBytes(f));
                        }
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
            };
            TrainerConfig cfg = config(out).maxSteps(8).checkpointEvery(2).build();
            Trainer t = new Trainer(new Poisoned(new ToyTask(45, 20, true, 0.0), 5, kind), cfg).addListener(snapshot);
            NonFiniteValueException e = assertThrows(NonFiniteValueException.class, t::run);
            assertEquals(5, e.step(), kind + ": " + e.getMessage());
            String expectedTerm = switch (kind) {
                case TERM -> "BA-LoRA term diversity_covariance";
                case TASK -> "task";
                case GRADIENT -> "gradient of classifier.weight";
            };
            assertEquals(expectedTerm, e.term(), e.getMessage());
            assertTrue(e.getMessage().contains("training step 5") && e.getMessage().contains(expectedTerm), e.getMessage());

            Path dir = out.resolve(Trainer.CHECKPOINT_DIR);
            try (var files = Files.list(dir)) {
                List<Path> now = files.toList();
                assertEquals(committed.keySet(), new TreeSet<>(now.stream().map(f -> f.getFileName().toString()).toList()));
                for (Path f : now) {
                    assertArrayEquals(committed.get(f.getFileName().toString()), Files.readAllBytes(f),
                            kind + ": " + f + " changed after the failure");
                }
            }
            assertEquals(4, new CheckpointStore(dir).read().step());
            assertEquals(4, trainLosses(out).size(), "no line for the failed step");
        }
    }

    @Test
    void languageModelTasksLogTokensAndPerplexity(@TempDir Path out) throws IOException {
        ToyTask inner = new ToyTask(20, 4, false, 0.0);
        TrainingTask lm = new TrainingTask() {
            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public Map<String, Tensor> trainableParameters() {
                return inner.trainableParameters();
            }

            @Override
            public MicroBatchLoss loss(int[] ids, StepContext ctx) {
                return MicroBatchLoss.of(inner.loss(ids, ctx).total(), 5L * ids.length);
            }

            @Override
            public Evaluation evaluate() {
                return new Evaluation.LanguageModel(11 * Math.log(6), 11);
            }
        };
        TrainingSummary s = new Trainer(lm, config(out).maxSteps(3).build()).run();
        // 20 examples in micro-batches 7, 7, 6: step 1 = 7 + 7, step 2 = 6 (the epoch's partial last step, not
        // borrowing from the next epoch), step 3 = 7 + 7 of epoch 1; 5 tokens per example.
        assertEquals(5L * (14 + 6 + 14), s.tokensSeen());
        assertEquals(1.7, s.epochs(), 1e-15);
        assertEquals(6.0, s.finalEval().get("perplexity"), 1e-12);
        List<JsonNode> lines = lines(out.resolve(Trainer.METRICS_FILE));
        assertEquals(70, lines.get(0).get("tokens").asLong());
        assertTrue(lines.get(0).get("tokens_per_s").asDouble() > 0);
        JsonNode eval = lines.get(lines.size() - 1);
        assertEquals("eval", eval.get("type").asText());
        assertEquals(Math.log(6), eval.get("nll").asDouble(), 1e-15);
        assertEquals(11, eval.get("tokens").asLong());
    }

    @Test
    void accumulationMatchesOneLargeBatch(@TempDir Path tmp) throws IOException {
        // 16 examples: 4 micro-batches of 4 accumulated ≈ 2 micro-batches of 8 accumulated ≈ 1 batch of 16 (the mean
        // of equal-size micro-batch means is the full mean), up to float rounding.
        Map<String, int[]> ref = null;
        float[][] refValues = null;
        for (int[] shape : new int[][] {{16, 1}, {8, 2}, {4, 4}}) {
            ToyTask task = new ToyTask(16, 4, false, 0.0);
            TrainerConfig cfg = TrainerConfig.builder(tmp.resolve("m" + shape[0])).maxSteps(1).microBatchSize(shape[0])
                    .gradientAccumulationSteps(shape[1]).learningRate(0.05).maxGradNorm(0).seed(9).build();
            new Trainer(task, cfg).run();
            float[][] values = task.trainableParameters().values().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
            if (refValues == null) {
                refValues = values;
                continue;
            }
            for (int i = 0; i < values.length; i++) {
                assertArrayEquals(refValues[i], values[i], 2e-6f, "micro " + shape[0] + " × " + shape[1]);
            }
        }
    }

    @Test
    void resumeRefusesADifferentRunAndFreshRunRefusesAnOldLog(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("run");
        new Trainer(new ToyTask(45, 20, false, 0.0), config(out).maxSteps(4).checkpointEvery(2).build()).run();
        Path ckpt = out.resolve(Trainer.CHECKPOINT_DIR);
        CheckpointException e = assertThrows(CheckpointException.class, () -> new Trainer(new ToyTask(45, 20, false, 0.0),
                config(out).maxSteps(4).checkpointEvery(2).seed(99).build()).resume(ckpt));
        assertTrue(e.getMessage().contains("seed") && e.getMessage().contains("99") && e.getMessage().contains("1234"),
                e.getMessage());
        CheckpointException batch = assertThrows(CheckpointException.class, () -> new Trainer(new ToyTask(45, 20, false, 0.0),
                config(out).maxSteps(4).checkpointEvery(2).microBatchSize(5).build()).resume(ckpt));
        assertTrue(batch.getMessage().contains("microBatchSize"), batch.getMessage());
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> new Trainer(new ToyTask(45, 20, false, 0.0), config(out).maxSteps(4).build()).run());
        assertTrue(again.getMessage().contains(Trainer.METRICS_FILE), again.getMessage());
        CheckpointException missing = assertThrows(CheckpointException.class, () -> new Trainer(new ToyTask(45, 20, false, 0.0),
                config(out).maxSteps(4).build()).resume(tmp.resolve("nowhere")));
        assertTrue(missing.getMessage().contains("checkpoint.json"), missing.getMessage());
    }

    @Test
    void configValidation() {
        Path p = Path.of("o");
        assertThrows(IllegalArgumentException.class, () -> new TrainerConfig(2, 5, 8, 1, 1e-3, 0, 0,
                LrSchedule.Decay.LINEAR, 0, 0.9, 0.999, 1e-8, 1, 0, 0, 1, p));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainerConfig.builder(p).microBatchSize(0).build());
        assertTrue(e.getMessage().contains("microBatchSize"), e.getMessage());
        TrainerConfig c = TrainerConfig.builder(p).epochs(3).microBatchSize(7).gradientAccumulationSteps(2).build();
        assertEquals(7, c.microBatchesPerEpoch(45));
        assertEquals(4, c.stepsPerEpoch(45));
        assertEquals(12, c.totalSteps(45));
        assertEquals(1, TrainerConfig.builder(p).epochs(1).microBatchSize(64).build().totalSteps(1));
        assertEquals(17, TrainerConfig.builder(p).maxSteps(17).build().totalSteps(3));
    }
}
