package dev.balora.core.train;

import dev.balora.core.io.AtomicFiles;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.StorageScope;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Trains a {@link TrainingTask} with AdamW: seeded shuffles per epoch, micro-batches with gradient accumulation,
 * global-norm clipping, a warm-up + decay schedule, evaluations, checkpoints, and a {@code metrics.jsonl} line per
 * step.
 *
 * <p>One optimizer step: take up to {@code gradientAccumulationSteps} micro-batches from the epoch's order (never
 * across an epoch boundary), back-propagate each loss with weight {@code 1/k} (k = micro-batches in this step),
 * stop on a non-finite loss or gradient, clip, update with {@code lr(t)}, clear gradients. Then log; every
 * {@code evalEvery} steps evaluate; every {@code checkpointEvery} steps checkpoint. At the end: evaluate,
 * checkpoint (when checkpointing is on) and write {@code summary.json}.
 *
 * <p>Device memory: each optimizer step and each evaluation runs inside a {@link StorageScope}, so tensors the task
 * computes are released when it ends; a task that caches a tensor across steps must {@link StorageScope#keep} it.
 *
 * <p>Reproducibility: the data order depends only on (seed, epoch), per-micro-batch randomness only on
 * (seed, step, micro-batch), so a checkpoint's (step, epoch, index in epoch) plus parameters and AdamW moments
 * is the entire state; {@link #resume} continues the same loss curve bit for bit (same backend and thread count).
 *
 * <p>Early stopping: {@link #stopAfterEvaluationWhen} is asked after every periodic evaluation (after the listeners
 * have seen it); when it says yes, training ends at that step, that evaluation is the final one, and the summary
 * records {@code stopped_early}. A resumed run asks it once before the first step, so a run that had already
 * stopped does not train on.
 *
 * <p>Files in {@code outputDir}: {@code metrics.jsonl}, {@code summary.json}, {@code checkpoint/} (see
 * {@link CheckpointStore} for its commit point).
 */
public final class Trainer {
    /** Per-step and evaluation lines. */
    public static final String METRICS_FILE = "metrics.jsonl";
    /** Written at the end. */
    public static final String SUMMARY_FILE = "summary.json";
    /** The checkpoint directory inside the output directory. */
    public static final String CHECKPOINT_DIR = "checkpoint";

    private final TrainingTask task;
    private final TrainerConfig config;
    private final CheckpointStore store;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private BooleanSupplier stopCondition = () -> false;
    private StopSignal stop;

    /** A trainer writing to {@code config.outputDir()}. */
    public Trainer(TrainingTask task, TrainerConfig config) {
        this(task, config, new CheckpointStore(config.outputDir().resolve(CHECKPOINT_DIR)));
    }

    Trainer(TrainingTask task, TrainerConfig config, CheckpointStore store) {
        this.task = task;
        this.config = config;
        this.store = store;
    }

    /** Adds a progress listener; returns this. */
    public Trainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Early stopping: {@code condition} is asked after every periodic evaluation (the listeners have already seen
     * it); {@code true} ends the run there. It must be a function of the evaluations seen (e.g. patience on a
     * validation metric), so that a resumed run stops where an uninterrupted one does.
     */
    public Trainer stopAfterEvaluationWhen(BooleanSupplier condition) {
        stopCondition = java.util.Objects.requireNonNull(condition, "condition");
        return this;
    }

    /**
     * Watches {@code signal} between optimizer steps: once it is requested, the trainer finishes the step in progress
     * (and an evaluation due at that step), commits a checkpoint and throws {@link TrainingStoppedException}. A stop
     * requested during the last step lets the run finish normally. Returns this.
     */
    public Trainer stopOn(StopSignal signal) {
        this.stop = signal;
        return this;
    }

    /** @return the checkpoint store this trainer saves to ({@code outputDir/checkpoint}) */
    public CheckpointStore checkpoints() {
        return store;
    }

    /**
     * Trains from the start.
     *
     * @throws IllegalStateException    when the output directory already holds a metrics log
     * @throws NonFiniteValueException  when a loss or gradient becomes NaN/∞ (the last checkpoint is untouched)
     * @throws TrainingStoppedException when the {@link #stopOn stop signal} was requested (a checkpoint was saved)
     * @throws IOException              when writing the log, a checkpoint or the summary fails
     */
    public TrainingSummary run() throws IOException {
        Map<String, Tensor> params = parameters();
        AdamW optimizer = optimizer(params);
        try (MetricsLog log = MetricsLog.create(config.outputDir().resolve(METRICS_FILE))) {
            return new Session(params, optimizer, log, new Position(), 0, 0.0, false).train();
        }
    }

    /**
     * Continues the run in the output directory where it stopped, or starts it when there is nothing to continue:
     * with a committed checkpoint in {@code outputDir/checkpoint} this is {@link #resume}; without one, the steps
     * logged since the start were never saved, so the log is cleared and the run starts from step 0 (it computes
     * the same steps again). A run that already finished and kept its final checkpoint is evaluated once more and
     * its summary rewritten, without new log lines.
     *
     * @throws IllegalStateException when the directory holds a finished run ({@code summary.json}) without a
     *                               checkpoint: there is nothing to continue and its results would be overwritten
     * @see RunDirectory
     */
    public TrainingSummary resumeOrRun() throws IOException {
        if (store.exists()) {
            return resume(store.directory());
        }
        Path out = config.outputDir();
        if (Files.exists(out.resolve(SUMMARY_FILE))) {
            throw new IllegalStateException(out + ": this run finished (" + SUMMARY_FILE + ") and kept no checkpoint; "
                    + "there is nothing to resume");
        }
        Map<String, Tensor> params = parameters();
        AdamW optimizer = optimizer(params);
        Path metrics = out.resolve(METRICS_FILE);
        try (MetricsLog log = Files.exists(metrics) ? MetricsLog.reopen(metrics, 0) : MetricsLog.create(metrics)) {
            return new Session(params, optimizer, log, new Position(), 0, 0.0, false).train();
        }
    }

    /**
     * Continues the run saved in {@code checkpointDir} (normally {@code outputDir/checkpoint}): restores
     * parameters, AdamW moments and step count, the data position, and truncates {@code metrics.jsonl} to the
     * length it had at the checkpoint.
     *
     * @throws CheckpointException      when the checkpoint is missing or malformed, or was written by a run with a
     *                                  different seed, batching, data size, length or parameter set
     * @throws TrainingStoppedException when the {@link #stopOn stop signal} was requested (a checkpoint was saved)
     */
    public TrainingSummary resume(Path checkpointDir) throws IOException {
        Map<String, Tensor> params = parameters();
        AdamW optimizer = optimizer(params);
        CheckpointStore source = new CheckpointStore(checkpointDir);
        CheckpointStore.Loaded loaded = source.load();
        CheckpointState s = loaded.state();
        checkCompatible(s, source.stateFile());
        CheckpointTensors.restore(params, optimizer, s.parameters(), loaded.tensors(),
                checkpointDir.resolve(s.tensorsFile()));
        optimizer.setStepCount(s.step());
        Position p = new Position();
        p.step = s.step();
        p.epoch = s.epoch();
        p.index = s.indexInEpoch();
        p.examplesSeen = s.examplesSeen();
        p.tokensSeen = s.tokensSeen();
        p.lastLoss = s.lastLoss();
        p.lastTask = s.lastTaskLoss();
        p.committedStep = store.directory().toAbsolutePath().equals(checkpointDir.toAbsolutePath()) ? s.step() : -1;
        try (MetricsLog log = MetricsLog.reopen(config.outputDir().resolve(METRICS_FILE), s.metricsBytes())) {
            // A checkpoint of the last step is the final one, written after the final evaluation was logged.
            boolean finalEvalLogged = s.step() == s.totalSteps();
            return new Session(params, optimizer, log, p, s.step(), s.elapsedSeconds(), finalEvalLogged).train();
        }
    }

    private void checkCompatible(CheckpointState s, Path file) {
        long total = config.totalSteps(task.size());
        mismatch(file, "seed", config.seed(), s.seed());
        mismatch(file, "numExamples", task.size(), s.numExamples());
        mismatch(file, "microBatchSize", config.microBatchSize(), s.microBatchSize());
        mismatch(file, "gradientAccumulationSteps", config.gradientAccumulationSteps(), s.gradientAccumulationSteps());
        mismatch(file, "totalSteps", total, s.totalSteps());
        mismatch(file, "shuffleSeed", DataOrder.epochSeed(config.seed(), s.epoch()), s.shuffleSeed());
        if (s.step() > total || s.indexInEpoch() > task.size() || s.indexInEpoch() < 0) {
            throw new CheckpointException(file + ": position step " + s.step() + ", index " + s.indexInEpoch()
                    + " is outside a run of " + total + " steps over " + task.size() + " examples");
        }
    }

    private static void mismatch(Path file, String key, long expected, long actual) {
        if (expected != actual) {
            throw new CheckpointException(file + ": key " + key + ": this run has " + expected + " but the checkpoint has "
                    + actual);
        }
    }

    private Map<String, Tensor> parameters() {
        Map<String, Tensor> params = new LinkedHashMap<>(task.trainableParameters());
        if (params.isEmpty()) {
            throw new IllegalArgumentException("trainer: the task has no trainable parameters");
        }
        params.forEach((name, t) -> {
            if (!t.requiresGrad() || t.dtype() != DType.F32) {
                throw new IllegalArgumentException("trainer: parameter " + name + " must be float32 and require "
                        + "gradients, got " + t);
            }
        });
        return params;
    }

    private AdamW optimizer(Map<String, Tensor> params) {
        Map<String, Double> scales = task.learningRateScales();
        double[] lrScales = null;
        if (!scales.isEmpty()) {
            for (String name : scales.keySet()) {
                if (!params.containsKey(name)) {
                    throw new IllegalArgumentException("trainer: learning-rate scale for " + name
                            + ", which is not a trainable parameter");
                }
            }
            lrScales = new double[params.size()];
            int i = 0;
            for (String name : params.keySet()) {
                lrScales[i++] = scales.getOrDefault(name, 1.0);
            }
        }
        return new AdamW(List.copyOf(params.values()), config.beta1(), config.beta2(), config.eps(), config.weightDecay(),
                lrScales);
    }

    /** The mutable position of a run: what a checkpoint records. */
    private static final class Position {
        long step;
        int epoch;
        int index;
        long examplesSeen;
        long tokensSeen;
        double lastLoss = Double.NaN;
        double lastTask = Double.NaN;
        long committedStep = -1;
    }

    /** One call of run() or resume(): the loop and its bookkeeping. */
    private final class Session {
        private final Map<String, Tensor> params;
        private final AdamW optimizer;
        private final MetricsLog log;
        private final Position p;
        private final long resumedFrom;
        private final double elapsedBefore;
        private final boolean finalEvalLogged;
        private final long startNanos = System.nanoTime();
        private final int n = task.size();
        private final long total = config.totalSteps(n);
        private final LrSchedule schedule = config.schedule(total);
        private boolean stoppedEarly;

        Session(Map<String, Tensor> params, AdamW optimizer, MetricsLog log, Position p, long resumedFrom,
                double elapsedBefore, boolean finalEvalLogged) {
            this.params = params;
            this.optimizer = optimizer;
            this.log = log;
            this.p = p;
            this.resumedFrom = resumedFrom;
            this.elapsedBefore = elapsedBefore;
            this.finalEvalLogged = finalEvalLogged;
        }

        TrainingSummary train() throws IOException {
            listeners.forEach(l -> l.onStart(p.step, total));
            optimizer.zeroGrad();
            int[] order = DataOrder.permutation(n, DataOrder.epochSeed(config.seed(), p.epoch));
            if (resumedFrom > 0 && p.step < total && stopCondition.getAsBoolean()) {
                // A run that had stopped early and was interrupted before finishing: do not train on. Its stopping
                // evaluation was logged before the checkpoint it resumes from, so it is not logged again.
                stoppedEarly = true;
                Map<String, Double> finalEval = evaluateQuietly();
                if (config.checkpointEvery() > 0) {
                    checkpoint();
                }
                return finish(finalEval);
            }
            while (p.step < total) {
                if (stop != null && stop.isRequested()) {
                    stopHere();
                }
                if (p.index >= n) {
                    p.epoch++;
                    p.index = 0;
                    order = DataOrder.permutation(n, DataOrder.epochSeed(config.seed(), p.epoch));
                }
                step(order);
                if (config.evalEvery() > 0 && p.step % config.evalEvery() == 0 && p.step < total) {
                    Map<String, Double> metrics = evaluate();
                    if (stopCondition.getAsBoolean()) {
                        stoppedEarly = true;
                        if (config.checkpointEvery() > 0) {
                            checkpoint();
                        }
                        return finish(metrics);
                    }
                }
                if (config.checkpointEvery() > 0 && p.step % config.checkpointEvery() == 0 && p.step < total) {
                    checkpoint();
                }
            }
            Map<String, Double> finalEval = finalEvalLogged ? evaluateQuietly() : evaluate();
            if (config.checkpointEvery() > 0) {
                checkpoint();
            }
            return finish(finalEval);
        }

        private void step(int[] order) throws IOException {
            // Everything the step computes on a device is released when it ends (StorageScope): GPU memory is
            // recycled every step instead of whenever Java's garbage collector happens to run.
            try (StorageScope ignored = StorageScope.open()) {
                stepInScope(order);
            }
        }

        private void stepInScope(int[] order) throws IOException {
            long began = System.nanoTime();
            long stepNo = p.step + 1;
            int micro = config.microBatchSize();
            int k = (int) Math.min(config.gradientAccumulationSteps(), ((long) n - p.index + micro - 1) / micro);
            StepTotals totals = new StepTotals();
            for (int j = 0; j < k; j++) {
                int to = Math.min(p.index + micro, n);
                int[] ids = Arrays.copyOfRange(order, p.index, to);
                StepContext ctx = new StepContext(p.step, total, p.epoch, j,
                        DataOrder.microBatchSeed(config.seed(), p.step, j));
                MicroBatchLoss loss = task.loss(ids, ctx);
                double value = loss.totalValue();
                LossCheck.requireFinite(loss, value, stepNo, "epoch " + p.epoch + ", micro-batch " + j);
                Tensor t = loss.total();
                // Weight 1/k: the accumulated gradient is that of the mean of the k micro-batch losses.
                t.backward(Tensor.full(t.dtype(), 1.0 / k, t.shape()));
                totals.add(loss, value, ids.length);
                p.index = to;
            }
            double norm = GradientClipping.clip(params, config.maxGradNorm(), stepNo);
            double lr = schedule.at(p.step);
            optimizer.step(lr);
            optimizer.zeroGrad();
            p.step = stepNo;
            p.examplesSeen += totals.examples();
            p.tokensSeen += totals.tokens();
            p.lastLoss = totals.meanLoss();
            p.lastTask = totals.meanTask();
            double seconds = Math.max((System.nanoTime() - began) / 1e9, 1e-9);
            StepRecord r = new StepRecord(p.step, total, epochProgress(), totals.meanLoss(), totals.meanTask(),
                    totals.meanTerms(), totals.lambdas(), lr, norm, totals.examples(), totals.tokens(),
                    totals.examples() / seconds, totals.tokens() > 0 ? totals.tokens() / seconds : Double.NaN, elapsed());
            log.appendStep(r);
            listeners.forEach(l -> l.onStep(r));
        }

        private Map<String, Double> evaluate() throws IOException {
            long began = System.nanoTime();
            Evaluation e;
            try (NoGrad ignored = NoGrad.enter(); StorageScope scope = StorageScope.open()) {
                e = task.evaluate();
            }
            EvalRecord r = new EvalRecord(p.step, epochProgress(), e.metrics(), (System.nanoTime() - began) / 1e9);
            log.appendEval(r);
            listeners.forEach(l -> l.onEval(r));
            return r.metrics();
        }

        /** The evaluation of a resumed, already finished run: its line is in the log already, so none is added. */
        private Map<String, Double> evaluateQuietly() {
            try (NoGrad ignored = NoGrad.enter()) {
                return task.evaluate().metrics();
            }
        }

        /** Saves the position reached (unless nothing was trained) and ends the session. */
        private void stopHere() throws IOException {
            if (p.step == 0) {
                throw new TrainingStoppedException(0, total, null);
            }
            checkpoint();
            throw new TrainingStoppedException(p.step, total, store.directory());
        }

        private void checkpoint() throws IOException {
            if (p.committedStep == p.step) {
                return; // this exact state is already committed (a resumed run that was already complete)
            }
            CheckpointState s = new CheckpointState(CheckpointState.FORMAT, p.step, total, p.epoch, p.index,
                    DataOrder.epochSeed(config.seed(), p.epoch), config.seed(), n, config.microBatchSize(),
                    config.gradientAccumulationSteps(), log.sync(), elapsed(), p.examplesSeen, p.tokensSeen,
                    p.lastLoss, p.lastTask, null, 0, List.copyOf(params.keySet()));
            store.save(s, CheckpointTensors.capture(params, optimizer));
            p.committedStep = p.step;
            listeners.forEach(l -> l.onCheckpoint(p.step, store.stateFile()));
        }

        private TrainingSummary finish(Map<String, Double> finalEval) throws IOException {
            double elapsed = elapsed();
            TrainingSummary s = new TrainingSummary(p.step, total, epochProgress(), p.lastLoss, p.lastTask, finalEval,
                    p.examplesSeen, p.tokensSeen, elapsed, p.examplesSeen / Math.max(elapsed, 1e-9), resumedFrom, stoppedEarly);
            Files.createDirectories(config.outputDir());
            AtomicFiles.writeString(config.outputDir().resolve(SUMMARY_FILE), Json.summary(s, config));
            listeners.forEach(l -> l.onFinish(s));
            return s;
        }

        private double epochProgress() {
            return p.epoch + (double) p.index / n;
        }

        private double elapsed() {
            return elapsedBefore + (System.nanoTime() - startNanos) / 1e9;
        }
    }
}
