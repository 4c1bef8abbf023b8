package dev.balora.models.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.backend.Backends;
import dev.balora.core.backend.ReferenceBackend;
import dev.balora.core.backend.TransferCountingBackend;
import dev.balora.core.backend.TransferCountingBackend.Transfer;
import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainerConfig;
import dev.balora.core.train.TrainingListener;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.bert.PoolingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What one training step moves between host and device, measured without a GPU on {@link TransferCountingBackend}
 * (a pretend device that counts every upload and read-back and refuses storages used after their step released
 * them): LoRA and BA-LoRA (teacher cache on and off), dropout 0.1, the real {@link Trainer} with clipping and AdamW.
 * A step may upload only its batch — token ids, the attention mask, the labels (and, with the teacher cache, the
 * batch's cache rows) — and read back only O(1) scalars: the loss, the gradient norm, the BA-LoRA terms.
 */
class DeviceStepTransfersTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, teacher cache {1}")
    @CsvSource({"lora, true", "balora, true", "balora, false"})
    void aStepUploadsOnlyItsBatchAndReadsBackScalars(String methodName, boolean cache) throws Exception {
        int batch = 4;
        EncodedDataset data = ClassifierEvaluationTest.data(12, 2, 3);
        TransferCountingBackend device = new TransferCountingBackend(ReferenceBackend.INSTANCE);
        List<List<Transfer>> perStep = new ArrayList<>();
        Backends.withBackend(device, () -> {
            try {
                Method method = Method.parse(methodName);
                FineTuneOptions o = FineTuneOptions.defaults(method).withSeed(5);
                BertForSequenceClassification model = new BertForSequenceClassification(
                        new BertConfig(30522, 12, 1, 3, 17, 32, 2, 1e-12, "gelu"), 2, PoolingMode.MEAN,
                        BertOptions.defaults().withSeed(5)); // HF dropout 0.1 / 0.1
                LoraInjector.inject(model, FineTuneRun.loraConfig(o));
                BaLoraObjective objective = method.regularized() ? FineTuneRun.objective(o) : null;
                Teacher teacher = objective == null ? null : new Teacher(model, o.teacherKind(), cache);
                SequenceClassificationTask task = new SequenceClassificationTask(model, data, data, objective, o.target(),
                        teacher, 8);
                // 3 epochs of 3 steps: with the cache on, epochs 2 and 3 are served from it.
                TrainerConfig cfg = TrainerConfig.builder(dir.resolve(methodName + cache)).microBatchSize(batch)
                        .maxSteps(9).learningRate(1e-3).maxGradNorm(1.0).seed(5).build();
                device.resetCounts();
                model.train();
                new Trainer(task, cfg).addListener(new TrainingListener() {
                    @Override
                    public void onStep(StepRecord r) {
                        if (System.getenv("BALORA_PRINT_CALLS") != null) {
                            System.out.println("CALLS " + methodName + " " + cache + " step " + r.step() + " " + device.callCounts());
                        }
                        perStep.add(device.transfers());
                        device.resetCounts();
                    }
                }).run();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(9, perStep.size());
        int tokens = batch * 16;
        for (int s = 1; s < perStep.size(); s++) {
            List<Transfer> t = perStep.get(s);
            boolean teacherForward = method(methodName).regularized() && (!cache || s < 3); // epoch 1 fills the cache
            String where = methodName + " step " + (s + 1) + ": " + describe(t);
            List<Transfer> up = t.stream().filter(Transfer::upload).toList();
            List<Transfer> down = t.stream().filter(x -> !x.upload()).toList();
            // Up: the batch only — its token ids (positions and token types are the same every step: uploaded once),
            // the attention mask (as the attention bias and as the pooling weights: twice per forward pass), the labels
            // once (forward and backward share the upload), and on a teacher-cache hit the batch's cache rows.
            assertTrue(up.stream().allMatch(x -> x.elements() <= tokens), "an upload larger than the batch: " + where);
            long ids = up.stream().filter(x -> x.call().startsWith("gatherRows")).count();
            long masks = up.stream().filter(x -> x.call().equals("fromHost")).count();
            long labels = up.stream().filter(x -> x.call().startsWith("crossEntropy")).count();
            int forwards = teacherForward ? 2 : 1;
            assertTrue(ids <= 1 + (method(methodName).regularized() && cache && !teacherForward ? 1 : 0),
                    "token ids uploaded more than once: " + where);
            assertTrue(masks <= 2 * forwards, "masks: " + where);
            assertTrue(labels <= 1, "labels uploaded more than once: " + where);
            assertEquals(up.size(), ids + masks + labels, "an upload that is not the batch: " + where);
            // Down: one loss value and one gradient norm for LoRA; BA-LoRA adds one scalar per term, the total, and the
            // SVD term's min(N, w) eigenvalues.
            long downElements = down.stream().mapToLong(Transfer::elements).sum();
            if (method(methodName).regularized()) {
                assertTrue(down.size() <= 8 && downElements <= 8 + batch, "read-backs beyond O(1) scalars: " + where);
            } else {
                assertEquals(2, down.size(), "LoRA reads back the loss and the gradient norm only: " + where);
                assertEquals(2, downElements, where);
            }
        }
    }

    private static Method method(String name) {
        return Method.parse(name);
    }

    private static String describe(List<Transfer> t) {
        return t.stream().map(x -> (x.upload() ? "up " : "down ") + x.call() + "[" + x.elements() + "]")
                .collect(Collectors.joining(", "));
    }
}
