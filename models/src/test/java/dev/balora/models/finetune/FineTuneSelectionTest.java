package dev.balora.models.finetune;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.Teacher;
import dev.balora.core.tensor.Tensor;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainingListener;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.data.LabelVocabulary;
import dev.balora.models.data.TextClassificationDataset;
import dev.balora.models.onnx.WeightTensor;
import dev.balora.models.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol v2 in {@link FineTuneRun} on a tiny random encoder: the head's own lr, early stopping, the best validation
 * checkpoint restored for the outputs, and a resume that finishes exactly as the uninterrupted run.
 */
class FineTuneSelectionTest {
    static final String[] WORDS = {"tea", "bitter", "sweet", "coffee", "stale", "fresh", "box", "great", "never", "again"};
    static final ObjectMapper JSON = new ObjectMapper();

    static PretrainedEncoder tinyEncoder() {
        BertConfig cfg = new BertConfig(30522, 16, 1, 2, 24, 32, 2, 1e-12, "gelu");
        BertModel m = new BertModel(cfg, BertOptions.defaults().withSeed(11));
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        m.namedParameters().forEach((k, t) -> w.put(k, new WeightTensor(t.shape(), t.toFloatArray())));
        return new PretrainedEncoder("tiny", cfg, w, Tokenizers.miniLm(), new byte[0]);
    }

    /** Label 1 iff the text contains "great" or "sweet": learnable, with noise words around. */
    static TextClassificationDataset data(int n, long seed) {
        Random rnd = new Random(seed);
        List<TextClassificationDataset.Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0, len = 2 + rnd.nextInt(6); k < len; k++) {
                sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
            }
            String t = sb.toString().trim();
            ex.add(new TextClassificationDataset.Example(t, t.contains("great") || t.contains("sweet") ? 1 : 0));
        }
        return new TextClassificationDataset("toy", ex, LabelVocabulary.of(List.of("no", "yes")));
    }

    /** BA-LoRA (the teacher and the terms take part), 6 epochs of 5 steps, evaluations every 2. */
    static FineTuneOptions options() {
        return new FineTuneOptions(Method.BALORA, 2, 2, 0, 2e-2, 6, 0, 8, 1, 12, 0.15, 0.03, 0.03, 1,
                RegularizationTarget.POOLED, Teacher.Kind.ORIGINAL, true, 0.06, 0.0, 1.0, 2, 3, 5e-2, 2, true);
    }

    /** Checkpoints every 4 steps. */
    static final dev.balora.core.train.RunControl EVERY_4 = dev.balora.core.train.RunControl.checkpointEvery(4);

    static Map<String, int[]> bits(Map<String, Tensor> params) {
        Map<String, int[]> out = new LinkedHashMap<>();
        params.forEach((k, t) -> {
            float[] f = t.toFloatArray();
            int[] b = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                b[i] = Float.floatToRawIntBits(f[i]);
            }
            out.put(k, b);
        });
        return out;
    }

    static List<String> linesWithoutTimes(Path metrics) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(metrics)) {
            JsonNode n = JSON.readTree(l);
            ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove(List.of("examples_per_s", "tokens_per_s", "elapsed_s", "eval_s"));
            out.add(n.toString());
        }
        return out;
    }

    @Test
    void keepsTheBestValidationCheckpointAndStopsOnPatience(@TempDir Path out) throws IOException {
        PretrainedEncoder enc = tinyEncoder();
        FineTuneOptions o = options();
        FineTuneRun.Result r = FineTuneRun.run(enc, data(40, 1), data(30, 2), data(25, 3), o, out, EVERY_4, List.of());
        FineTuneRun.Selection sel = r.selection();
        assertNotNull(sel);
        // the best evaluation by the rule, recomputed from the log
        Map<String, Double> best = null;
        long bestStep = -1;
        int evals = 0;
        for (String l : Files.readAllLines(out.resolve(Trainer.METRICS_FILE))) {
            JsonNode n = JSON.readTree(l);
            if (n.get("type").asText().equals("eval")) {
                evals++;
                Map<String, Double> m = Map.of("accuracy", n.get("accuracy").asDouble(), "loss", n.get("loss").asDouble());
                if (best == null || ValidationSelection.compare(m, best) > 0) {
                    best = m;
                    bestStep = n.get("step").asLong();
                }
            }
        }
        assertEquals(bestStep, sel.bestStep());
        assertEquals(evals, sel.evaluations());
        assertEquals(best.get("accuracy"), r.evaluation().get("accuracy"));
        assertEquals(best.get("loss"), r.evaluation().get("loss"));
        assertEquals(r.predictions().evaluation().metrics().get("accuracy"), r.evaluation().get("accuracy"),
                "predictions.tsv comes from the restored model");
        // the model holds the best checkpoint's parameters
        try (SafetensorsReader rd = SafetensorsReader.open(out.resolve(FineTuneRun.BEST_DIR).resolve(BestCheckpoint.FILE))) {
            assertEquals(Long.toString(bestStep), rd.metadata().get("step"));
            for (Map.Entry<String, Tensor> e : dev.balora.core.train.TrainingTask.trainableOf(r.model()).entrySet()) {
                assertArrayEquals(rd.readF32Tensor(e.getKey()).values(), e.getValue().toFloatArray(), e.getKey());
            }
        }
        if (sel.stoppedEarly()) {
            assertTrue(r.summary().steps() < r.summary().totalSteps());
            assertEquals(bestStep + 2L * o.patience(), r.summary().steps(), "stopped after `patience` evaluations");
        }
        assertEquals(30, r.summary().totalSteps());
        assertTrue(r.summary().steps() > bestStep || sel.lastIsBest());
    }

    @Test
    void theHeadGetsItsOwnLearningRate() {
        PretrainedEncoder enc = tinyEncoder();
        FineTuneOptions o = options();
        assertEquals(5e-2, o.effectiveHeadLr());
        assertEquals(2e-2, o.withSelection(0, 0, false).effectiveHeadLr(), "0 = the adapters' lr");
        FineTuneRun.AdaptedModel m = FineTuneRun.buildModel(enc, 2, o);
        SequenceClassificationTask task = new SequenceClassificationTask(m.model(),
                new EncodedDataset(data(8, 1), enc.tokenizer(), 12), new EncodedDataset(data(8, 2), enc.tokenizer(), 12),
                null, RegularizationTarget.POOLED, null, 8, o.effectiveHeadLr() / o.lr());
        assertEquals(Map.of("classifier.weight", 2.5, "classifier.bias", 2.5), task.learningRateScales());
        assertThrows(IllegalArgumentException.class, () -> o.withSelection(-1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> o.withEvalEvery(0),
                "early stopping without evaluations is refused");
    }

    @Test
    void anInterruptedRunResumesToTheSameBits(@TempDir Path tmp) throws IOException {
        PretrainedEncoder enc = tinyEncoder();
        FineTuneOptions o = options().withSelection(5e-2, 0, true); // no early stop: the whole 30 steps
        Path a = tmp.resolve("a");
        FineTuneRun.Result full = FineTuneRun.run(enc, data(40, 1), data(30, 2), data(25, 3), o, a, EVERY_4, List.of());

        Path b = tmp.resolve("b");
        // killed at step 11: the checkpoint is step 8, evaluations at 2..10 were seen (a best saved after it may exist)
        TrainingListener kill = new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                if (r.step() == 11) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThrows(IllegalStateException.class,
                () -> FineTuneRun.run(enc, data(40, 1), data(30, 2), data(25, 3), o, b, EVERY_4, List.of(kill)));
        FineTuneRun.Result resumed = FineTuneRun.run(enc, data(40, 1), data(30, 2), data(25, 3), o, b,
                EVERY_4.resuming(true), List.of());

        assertEquals(8, resumed.summary().resumedFromStep());
        assertEquals(linesWithoutTimes(a.resolve(Trainer.METRICS_FILE)), linesWithoutTimes(b.resolve(Trainer.METRICS_FILE)));
        assertEquals(full.selection().bestStep(), resumed.selection().bestStep());
        assertEquals(full.evaluation(), resumed.evaluation());
        assertEquals(full.predictions(), resumed.predictions(), "validation predictions of the kept model");
        assertEquals(full.test(), resumed.test(), "test predictions, bit for bit");
        Map<String, int[]> x = bits(dev.balora.core.train.TrainingTask.trainableOf(full.model()));
        Map<String, int[]> y = bits(dev.balora.core.train.TrainingTask.trainableOf(resumed.model()));
        x.forEach((k, v) -> assertArrayEquals(v, y.get(k), k));
    }
}
