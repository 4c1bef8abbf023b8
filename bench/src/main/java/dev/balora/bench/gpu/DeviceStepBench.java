package dev.balora.bench.gpu;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.bench.e2e.ReviewBatches;
import dev.balora.core.backend.Backend;
import dev.balora.core.backend.Backends;
import dev.balora.core.backend.Device;
import dev.balora.core.balora.BaLoraObjective;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.Teacher;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.Tensor;
import dev.balora.core.train.Evaluation;
import dev.balora.core.train.MicroBatchLoss;
import dev.balora.core.train.StepContext;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.Trainer;
import dev.balora.core.train.TrainerConfig;
import dev.balora.core.train.TrainingListener;
import dev.balora.core.train.TrainingTask;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.bert.BertForSequenceClassification;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.data.FoodReviews;
import dev.balora.models.finetune.FineTuneOptions;
import dev.balora.models.finetune.FineTuneRun;
import dev.balora.models.finetune.Method;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training step of {@code balora finetune} on any backend, timed as users run it: the real {@link Trainer}
 * (loss read-back and finiteness check, gradient clipping at 1.0, AdamW, a {@code metrics.jsonl} line per step) on a
 * MiniLM-shaped classifier with rank-8 adapters on the 36 linear layers, HF dropout 0.1 (or off), fed fixed-shape
 * batches of real food reviews ({@link ReviewBatches}: exactly N × T tokens, so both sides of a comparison do the
 * same work). It differs from the job in one way only: the batches are fixed-shape and cycle through
 * {@code batches} distinct ones (the job pads each batch to its longest review and never repeats one in an epoch).
 *
 * <pre>
 * java … dev.balora.bench.gpu.DeviceStepBench model=DIR|minilm device=cuda method=lora dropout=0.1 steps=20 warmup=6 out=F
 * java … dev.balora.bench.gpu.DeviceStepBench model=DIR export-batches=FILE     (the peer's input)
 * </pre>
 * One JSON line per run (also printed): per-step wall times, examples/s (median of the timed steps), the losses of
 * every step (for parity between backends: with dropout off, and with dropout on since the counter-based masks are
 * the same on every backend), kernel launches per step and the device allocator's peak where the backend reports them.
 */
public final class DeviceStepBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceStepBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument '" + a + "': expected key=value");
            }
            kv.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
        }
        String model = kv.getOrDefault("model", "minilm");
        int batch = Integer.parseInt(kv.getOrDefault("batch", "32"));
        int seq = Integer.parseInt(kv.getOrDefault("seq", "128"));
        int distinct = Integer.parseInt(kv.getOrDefault("batches", "4"));
        if (kv.containsKey("export-batches")) {
            PretrainedEncoder enc = PretrainedEncoder.load(model);
            exportBatches(ReviewBatches.of(FoodReviews.train(), enc.tokenizer(), distinct, batch, seq),
                    Path.of(kv.get("export-batches")));
            return;
        }
        Backends.use(Device.parse(kv.getOrDefault("device", "auto")));
        Method method = Method.parse(kv.getOrDefault("method", "lora"));
        double dropout = Double.parseDouble(kv.getOrDefault("dropout", "0.1"));
        boolean cache = !"off".equalsIgnoreCase(kv.getOrDefault("cache", "on"));
        int warmup = Integer.parseInt(kv.getOrDefault("warmup", "6"));
        int steps = Integer.parseInt(kv.getOrDefault("steps", "20"));
        long seed = Long.parseLong(kv.getOrDefault("seed", "42"));
        ObjectNode r = run(model, method, dropout, cache, batch, seq, distinct, warmup, steps, seed);
        String line = r.toString();
        System.out.println("RESULT " + line);
        if (kv.containsKey("out")) {
            Files.writeString(Path.of(kv.get("out")), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static ObjectNode run(String modelName, Method method, double dropout, boolean cache, int batch, int seq, int distinct,
                          int warmup, int steps, long seed) throws IOException {
        long t0 = System.nanoTime();
        PretrainedEncoder enc = PretrainedEncoder.load(modelName);
        List<ReviewBatches.Batch> batches = ReviewBatches.of(FoodReviews.train(), enc.tokenizer(), distinct, batch, seq);
        FineTuneOptions options = FineTuneOptions.defaults(method).withSeed(seed);
        BertForSequenceClassification model = enc.newClassifier(2, seed, BertOptions.defaults().withDropout(dropout, dropout));
        LoraInjector.Summary adapters = LoraInjector.inject(model, FineTuneRun.loraConfig(options));
        BaLoraObjective objective = method.regularized() ? FineTuneRun.objective(options) : null;
        Teacher teacher = objective == null ? null : new Teacher(model, options.teacherKind(), cache);
        FixedBatchTask task = new FixedBatchTask(model, batches, objective, teacher);
        Backend backend = Backends.active();
        double setupSeconds = (System.nanoTime() - t0) / 1e9;

        Path dir = Files.createTempDirectory("balora-step-bench");
        TrainerConfig config = TrainerConfig.builder(dir).microBatchSize(batch).maxSteps(warmup + steps)
                .learningRate(options.lr()).warmupSteps(0).weightDecay(options.weightDecay())
                .maxGradNorm(options.maxGradNorm()).seed(seed).build();
        List<Double> stepMs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> gradNorms = new ArrayList<>();
        long[] launchesAtWarmupEnd = {-1};
        long[] last = {0};
        Trainer trainer = new Trainer(task, config).addListener(new TrainingListener() {
            @Override
            public void onStart(long startStep, long totalSteps) {
                last[0] = System.nanoTime();
            }

            @Override
            public void onStep(StepRecord s) {
                long now = System.nanoTime();
                stepMs.add((now - last[0]) / 1e6);
                last[0] = now;
                losses.add(s.loss());
                gradNorms.add(s.gradNorm());
                if (s.step() == warmup) {
                    launchesAtWarmupEnd[0] = launches(backend);
                    kernelProfile(backend); // discard the warm-up's
                }
            }
        });
        model.train();
        long t1 = System.nanoTime();
        trainer.run();
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        long launchesEnd = launches(backend);

        double[] timed = stepMs.subList(warmup, stepMs.size()).stream().mapToDouble(Double::doubleValue).toArray();
        double median = median(timed);
        ObjectNode r = JSON.createObjectNode();
        r.put("side", "balora");
        r.put("backend", backend.name());
        r.put("device", backend.describe().getOrDefault("device", System.getProperty("os.arch")));
        r.put("method", method.cliName());
        r.put("teacher_cache", cache);
        r.put("dropout", dropout);
        // The CUDA backend reads this flag for its GEMM math mode; the report pairs rows with PyTorch's by it.
        r.put("tf32", Boolean.getBoolean("balora.cuda.tf32"));
        r.put("batch", batch);
        r.put("seq", seq);
        r.put("warmup", warmup);
        r.put("steps", steps);
        r.put("adapters", adapters.adapted().size());
        r.put("trainable_params", adapters.trainableParams());
        r.put("setup_s", setupSeconds);
        r.put("train_s", trainSeconds);
        r.put("first_step_ms", stepMs.get(0));
        r.put("median_step_ms", median);
        r.put("examples_per_s", batch * 1000.0 / median);
        if (launchesAtWarmupEnd[0] >= 0 && launchesEnd >= 0) {
            r.put("launches_per_step", (launchesEnd - launchesAtWarmupEnd[0]) / (double) steps);
        }
        List<String> profile = kernelProfile(backend);
        if (!profile.isEmpty()) {
            ArrayNode kp = r.putArray("kernel_profile_ms_per_step");
            for (String line : profile) {
                String[] f = line.split("\t");
                ObjectNode k = kp.addObject();
                k.put("kernel", f[0]);
                k.put("ms", Double.parseDouble(f[1]) / steps);
                k.put("calls", Long.parseLong(f[2]) / (double) steps);
            }
        }
        r.put("allocator", backend.describe().getOrDefault("allocator", ""));
        r.put("allocator_peak", backend.describe().getOrDefault("allocator peak", ""));
        r.put("uploads", backend.describe().getOrDefault("uploads", ""));
        ArrayNode ms = r.putArray("step_ms");
        stepMs.forEach(ms::add);
        ArrayNode ls = r.putArray("loss");
        losses.forEach(ls::add);
        ArrayNode gn = r.putArray("grad_norm");
        gradNorms.forEach(gn::add);
        r.put("java", Runtime.version().toString());
        return r;
    }

    /** The CUDA backend's per-kernel device times ({@code -Dbalora.cuda.profile=true}), by reflection: bench has
     *  kernels-cuda at run time only. */
    @SuppressWarnings("unchecked")
    private static List<String> kernelProfile(Backend b) {
        try {
            return (List<String>) b.getClass().getMethod("drainKernelProfile").invoke(b);
        } catch (ReflectiveOperationException e) {
            return List.of();
        }
    }

    private static long launches(Backend b) {
        String v = b.describe().get("kernel launches");
        return v == null ? -1 : Long.parseLong(v.trim());
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The batches as little-endian int32 arrays for the PyTorch peer: header (count, n, t), then per batch ids[n·t],
     * mask[n·t], labels[n].
     */
    static void exportBatches(List<ReviewBatches.Batch> batches, Path file) throws IOException {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        ReviewBatches.Batch b0 = batches.get(0);
        header.putInt(batches.size()).putInt(b0.n()).putInt(b0.t());
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.write(header.array());
            for (ReviewBatches.Batch b : batches) {
                writeInts(out, b.ids());
                writeInts(out, b.mask());
                writeInts(out, b.labels());
            }
        }
    }

    private static void writeInts(DataOutputStream out, int[] v) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asIntBuffer().put(v);
        out.write(buf.array());
    }

    /**
     * {@code SequenceClassificationTask.loss} on fixed batches: step s trains on batch s mod count (the trainer's
     * shuffled example ids only say how many examples a micro-batch has).
     */
    static final class FixedBatchTask implements TrainingTask {
        private final BertForSequenceClassification model;
        private final List<ReviewBatches.Batch> batches;
        private final BaLoraObjective objective;
        private final Teacher teacher;

        FixedBatchTask(BertForSequenceClassification model, List<ReviewBatches.Batch> batches, BaLoraObjective objective,
                       Teacher teacher) {
            this.model = model;
            this.batches = batches;
            this.objective = objective;
            this.teacher = teacher;
        }

        @Override
        public int size() {
            return batches.size() * batches.get(0).n();
        }

        @Override
        public Map<String, Tensor> trainableParameters() {
            return TrainingTask.trainableOf(model);
        }

        @Override
        public MicroBatchLoss loss(int[] exampleIds, StepContext context) {
            ReviewBatches.Batch b = batches.get((int) (context.step() % batches.size()));
            model.reseed(context.seed());
            BertForSequenceClassification.Output out = model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t());
            Tensor ce = Ops.crossEntropy(out.logits(), b.labels());
            if (objective == null) {
                return MicroBatchLoss.of(ce, b.realTokens());
            }
            Tensor teacherZ = teacher.outputs(() -> model.forward(b.ids(), b.mask(), b.types(), b.n(), b.t()).pooled(),
                    b.exampleIds());
            return MicroBatchLoss.of(objective.compute(ce, out.pooled(), teacherZ, context.step(), context.totalSteps()),
                    b.realTokens());
        }

        @Override
        public Evaluation evaluate() {
            return new Evaluation.Classification(new int[0], new int[0]);
        }
    }
}
