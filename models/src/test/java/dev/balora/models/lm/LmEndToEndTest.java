package dev.balora.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.Teacher;
import dev.balora.core.lora.peft.PeftAdapter;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.TrainingListener;
import dev.balora.models.data.Austen;
import dev.balora.models.decoder.CausalLm;
import dev.balora.models.decoder.GenerationConfig;
import dev.balora.models.decoder.LmExample;
import dev.balora.models.finetune.Method;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NLG path end to end, tiny: pre-train ({@link PretrainOptions#smoke()}) on part of Northanger Abbey → save →
 * load → fine-tune on part of Persuasion with LoRA and BA-LoRA → perplexities finite, BA-LoRA's three terms logged
 * non-zero once their schedules switch them on → adapters saved and reloaded onto the original base reproduce the
 * trained model → generation returns tokens; and the teacher is the base model.
 */
class LmEndToEndTest {
    @TempDir
    static Path dir;
    static PretrainRun.Result pretrain;
    static List<String> fineTuneText;

    @BeforeAll
    static void pretrainTiny() throws IOException {
        String text = Austen.novel("northangerabbey").text().substring(0, 60_000);
        pretrain = PretrainRun.run(List.of(text), PretrainOptions.smoke(), dir.resolve("pretrain"), List.of());
        fineTuneText = List.of(Austen.novel("persuasion").text().substring(0, 24_000));
    }

    private static LmFineTuneOptions tinyFineTune(Method m) {
        return LmFineTuneOptions.defaults(m).withRank(4, 8).withSchedule(5e-3, 10, 1, 4, 32);
    }

    @Test
    void pretrainingLearnsSomethingAndSavesALoadableDirectory() throws IOException {
        double ppl = pretrain.perplexity();
        int vocab = pretrain.lm().tokenizer().vocabSize();
        System.out.printf("tiny pretrain: %d params, V = %d, validation perplexity %.2f%n", pretrain.parameters(), vocab, ppl);
        assertTrue(Double.isFinite(ppl) && ppl > 1, "perplexity " + ppl);
        assertTrue(ppl < 0.6 * vocab, "20 steps should beat the uniform model's perplexity V = " + vocab + ": " + ppl);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(pretrain.modelDir().resolve(f)), f);
        }
        assertTrue(Files.isRegularFile(dir.resolve("pretrain/metrics.jsonl")));
        PretrainedLm loaded = PretrainedLm.load(pretrain.modelDir());
        int[] ids = loaded.tokenizer().encode("It was a truth universally acknowledged");
        assertArrayEquals(pretrain.lm().tokenizer().encode("It was a truth universally acknowledged"), ids);
        assertArrayEquals(logits(pretrain.lm().model(), ids), logits(loaded.model(), ids), 1e-6f);
    }

    @Test
    void baloraLogsItsTermsAndItsConvertedAdapterReloadsOntoTheBase() throws IOException {
        List<StepRecord> steps = new ArrayList<>();
        TrainingListener rec = new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                steps.add(r);
            }
        };
        LmFineTuneRun.Result r = LmFineTuneRun.run(pretrain.modelDir(), fineTuneText, tinyFineTune(Method.BALORA),
                dir.resolve("balora"), List.of(rec));
        System.out.printf("tiny balora: perplexity %.3f -> %.3f%n", r.perplexityBefore(), r.perplexityAfter());
        assertTrue(Double.isFinite(r.perplexityBefore()) && Double.isFinite(r.perplexityAfter()));
        assertTrue(r.loraConfig().init() instanceof LoraInit.Pissa);
        // PiSSA starts at the base model: "before" equals the pre-trained model on the same text.
        assertEquals(7 * 2, r.adapters().adapted().size(), "q,k,v,o,gate,up,down in 2 layers");

        assertEquals(10, steps.size());
        List<String> names = List.of("consistency_kl", "diversity_topk_entropy", "svd_frobenius");
        StepRecord first = steps.get(0);
        assertEquals(names, List.copyOf(first.terms().keySet()));
        assertTrue(first.lambdas().get("consistency_kl") > 0, "cosine schedule starts at λ₁");
        assertEquals(0.0, first.lambdas().get("diversity_topk_entropy"), "two_phase is off at step 0");
        assertEquals(0.0, first.terms().get("consistency_kl"), 1e-9, "PiSSA's student starts as the teacher");
        boolean allOn = false;
        for (StepRecord s : steps) {
            for (String n : names) {
                // The student equals the teacher until its adapters move: step 1 is computed at the initial values
                // and step 1's update uses lr 0 (the one warm-up step), so the KL is exactly 0 until step 3.
                boolean studentMoved = s.step() >= 3;
                if (s.lambdas().get(n) > 0 && (studentMoved || !n.equals("consistency_kl"))) {
                    double v = s.terms().get(n);
                    assertTrue(Double.isFinite(v) && v != 0, n + " is " + v + " at step " + s.step());
                }
            }
            allOn |= names.stream().allMatch(n -> s.lambdas().get(n) > 0);
        }
        assertTrue(allOn, "some step has every term switched on");
        StepRecord last = steps.get(steps.size() - 1);
        assertTrue(last.loss() != last.taskLoss(), "the regularizers enter the total loss");

        Path adapter = dir.resolve("balora-adapter");
        LmFineTuneRun.saveAdapter(r, adapter);
        assertTrue(Files.isRegularFile(adapter.resolve(PeftAdapter.CONFIG_FILE)));
        assertTrue(Files.readString(adapter.resolve(PeftAdapter.CONFIG_FILE)).contains("CAUSAL_LM"));
        PretrainedLm reloaded = LmFineTuneRun.loadWithAdapter(pretrain.modelDir(), adapter);
        int[] ids = r.lm().tokenizer().encode("Anne Elliot had been forced into prudence");
        r.lm().model().eval();
        assertClose(logits(r.lm().model(), ids), logits(reloaded.model(), ids), 1e-4);

        int[] generated = r.lm().generateIds("Anne", GenerationConfig.sampled(12, 0.8, 20, 0.95, 3));
        assertTrue(generated.length > 0, "generation returns tokens");
        assertNotNull(r.lm().continueText("Anne", GenerationConfig.greedy(5)));
    }

    @Test
    void loraAdapterReloadsWithIdenticalOutputs() throws IOException {
        LmFineTuneRun.Result r = LmFineTuneRun.run(pretrain.modelDir(), fineTuneText, tinyFineTune(Method.LORA),
                dir.resolve("lora"), List.of());
        System.out.printf("tiny lora: perplexity %.3f -> %.3f%n", r.perplexityBefore(), r.perplexityAfter());
        assertTrue(r.perplexityAfter() < r.perplexityBefore(), r.before() + " -> " + r.after());
        assertTrue(r.summary().finalEval().isEmpty() || r.summary().finalEval().equals(r.after()));
        Path adapter = dir.resolve("lora-adapter");
        LmFineTuneRun.saveAdapter(r, adapter);
        PretrainedLm reloaded = LmFineTuneRun.loadWithAdapter(pretrain.modelDir(), adapter);
        int[] ids = r.lm().tokenizer().encode("Sir Walter Elliot, of Kellynch Hall");
        float[] base = logits(PretrainedLm.load(pretrain.modelDir()).model(), ids);
        float[] trained = logits(r.lm().model(), ids);
        assertClose(trained, logits(reloaded.model(), ids), 1e-6);
        assertTrue(maxRelDiff(base, trained) > 1e-4, "training changed the outputs");
    }

    @Test
    void theTeacherIsTheBaseModelEvenAfterTraining() throws IOException {
        LmFineTuneRun.Result r = LmFineTuneRun.run(pretrain.modelDir(), fineTuneText,
                tinyFineTune(Method.BALORA).withSchedule(5e-3, 3, 1, 4, 32), dir.resolve("teacher"), List.of());
        CausalLm student = r.lm().model();
        CausalLm base = PretrainedLm.load(pretrain.modelDir()).model();
        int[] ids = r.lm().tokenizer().encode("She had been too much in the habit of");
        int t = ids.length;
        int[] labels = new int[t];
        for (int i = 0; i < t; i++) {
            labels[i] = i + 1 < t ? ids[i + 1] : CausalLm.IGNORE_INDEX;
        }
        Teacher teacher = new Teacher(student, Teacher.Kind.ORIGINAL, false);
        student.train();
        float[] fromTeacher = teacher.outputs(() -> BaLoraObjective.validPositions(student.forward(ids, 1, t), labels,
                CausalLm.IGNORE_INDEX), null).toFloatArray();
        assertTrue(student.isTraining(), "the teacher restores the mode");
        float[] fromBase;
        try (NoGrad ignored = NoGrad.enter()) {
            fromBase = BaLoraObjective.validPositions(base.forward(ids, 1, t), labels, CausalLm.IGNORE_INDEX).toFloatArray();
        }
        assertEquals(fromBase.length, fromTeacher.length);
        assertClose(fromBase, fromTeacher, 1e-4);
        assertTrue(maxRelDiff(fromBase, logits(student, ids)) > 1e-4 || fromBase.length == 0,
                "the student has moved away from the base (otherwise this test proves nothing)");
    }

    @Test
    void evaluationSumsTheSameNllWhateverTheBatching() {
        PretrainedLm lm = pretrain.lm();
        LmCorpus corpus = LmCorpus.encode(lm.tokenizer(), TextSplit.of(fineTuneText, 0.3), lm.model().config().eosTokenId(), 17);
        List<LmExample> val = corpus.validation();
        var one = new LanguageModelTask(lm.model(), corpus.train(), val, null, null, 1).evaluate(val);
        var many = new LanguageModelTask(lm.model(), corpus.train(), val, null, null, 7).evaluate(val);
        assertEquals(17L * val.size(), one.tokens());
        assertEquals(one.tokens(), many.tokens());
        assertEquals(one.nllSum(), many.nllSum(), 1e-4 * one.nllSum());
        Map<String, Double> m = one.metrics();
        assertEquals(Math.exp(m.get("nll")), m.get("perplexity"), 1e-9 * m.get("perplexity"));
    }

    @Test
    void defaultObjectiveIsTheNlgSettingOfTheSpec() {
        List<BaLoraObjective.Term> ours = LmFineTuneRun.objective(LmFineTuneOptions.defaults(Method.BALORA)).terms();
        List<BaLoraObjective.Term> spec = BaLoraObjective.nlgDefaults(42).terms();
        assertEquals(spec.size(), ours.size());
        for (int i = 0; i < spec.size(); i++) {
            assertEquals(spec.get(i).regularizer().name(), ours.get(i).regularizer().name());
            assertEquals(spec.get(i).lambda(), ours.get(i).lambda());
            assertEquals(spec.get(i).schedule(), ours.get(i).schedule());
        }
    }

    private static float[] logits(CausalLm m, int[] ids) {
        try (NoGrad ignored = NoGrad.enter()) {
            boolean training = m.isTraining();
            m.eval();
            float[] out = m.forward(ids, 1, ids.length).toFloatArray();
            if (training) {
                m.train();
            }
            return out;
        }
    }

    private static double maxRelDiff(float[] a, float[] b) {
        double worst = 0;
        double scale = 1e-12;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return worst / scale;
    }

    private static void assertClose(float[] expected, float[] actual, double rel) {
        assertEquals(expected.length, actual.length);
        double d = maxRelDiff(expected, actual);
        assertTrue(d <= rel, "max relative difference " + d + " > " + rel);
    }
}
