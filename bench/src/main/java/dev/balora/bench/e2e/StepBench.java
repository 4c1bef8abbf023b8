package dev.balora.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.backend.Backends;
import dev.balora.core.io.F32Tensor;
import dev.balora.kernels.cpu.HostCpu;
import dev.balora.kernels.cpu.Parallel;
import dev.balora.models.PretrainedEncoder;
import dev.balora.models.data.FoodReviews;
import dev.balora.models.finetune.FineTuneOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one configuration of the end-to-end step benchmark in this JVM (start a fresh JVM per configuration so the
 * peak-memory reading belongs to it) and appends one JSON line to {@code out=FILE} (and prints it).
 *
 * <pre>
 * java $FLAGS -Dbalora.threads=1 -cp … dev.balora.bench.e2e.StepBench method=balora cache=on threads=1 out=results.jsonl
 * java $FLAGS -Dbalora.threads=1 -cp … dev.balora.bench.e2e.StepBench method=pissa export=pissa.safetensors
 * </pre>
 * With {@code export=FILE} it instead writes the PyTorch peer's input ({@link PeerExport}) after one untimed step.
 *
 * <p>The line holds the per-step wall times (and their forward / backward / optimizer parts), the losses, VmHWM at the
 * end (whole process, loading included) and the training-phase peak (VmHWM reset after set-up), host and JVM facts.
 */
public final class StepBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StepBench() {}

    public static void main(String[] args) throws IOException {
        E2eConfig cfg = E2eConfig.parse(args);
        Map<String, String> kv = keyValues(args);
        if (Parallel.DEFAULT_THREADS != cfg.threads()) {
            throw new IllegalArgumentException("threads=" + cfg.threads() + " but -Dbalora.threads gives a pool of "
                    + Parallel.DEFAULT_THREADS + ": start the JVM with -Dbalora.threads=" + cfg.threads());
        }
        Parallel.withThreads(cfg.threads(), () -> {
            try {
                if (kv.containsKey("export")) {
                    export(cfg, Path.of(kv.get("export")));
                } else {
                    OpTimingBackend timing = "1".equals(kv.get("optimes")) ? new OpTimingBackend(Backends.active()) : null;
                    ObjectNode[] result = new ObjectNode[1];
                    if (timing == null) {
                        result[0] = measure(cfg, null);
                    } else {
                        Backends.withBackend(timing, () -> {
                            try {
                                result[0] = measure(cfg, timing);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                    }
                    String line = result[0].toString();
                    System.out.println("RESULT " + line);
                    if (kv.containsKey("out")) {
                        Files.writeString(Path.of(kv.get("out")), line + "\n", StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static FineTuneOptions options(E2eConfig cfg) {
        return FineTuneOptions.defaults(cfg.method()).withSeed(cfg.seed());
    }

    /** Runs the configuration; with {@code timing} non-null, also adds the per-op times of the timed steps. */
    private static ObjectNode measure(E2eConfig cfg, OpTimingBackend timing) throws IOException {
        long t0 = System.nanoTime();
        PretrainedEncoder enc = PretrainedEncoder.load("minilm");
        List<ReviewBatches.Batch> batches = ReviewBatches.of(FoodReviews.train(), enc.tokenizer(), cfg.batches(),
                cfg.batch(), cfg.seqLen());
        long t1 = System.nanoTime();
        TrainingStep step = new TrainingStep(enc, options(cfg), cfg.teacherCache(), cfg.dropout());
        enc = null; // the encoder's weight map is garbage from here on, as in a real run after model construction
        long t2 = System.nanoTime();
        long setupPeak = ProcStatus.peakRssKib();
        boolean reset = ProcStatus.resetPeak();
        ObjectNode r = JSON.createObjectNode();
        r.put("side", "balora").put("method", cfg.method().cliName()).put("cache", cfg.teacherCache())
                .put("threads", cfg.threads()).put("batch", cfg.batch()).put("seq", cfg.seqLen())
                .put("dropout", cfg.dropout())
                .put("realTokens", batches.get(0).realTokens()).put("warmup", cfg.warmup())
                .put("trainableParams", step.adapters().trainableParams())
                .put("adaptedLayers", step.adapters().adapted().size())
                .put("loadSeconds", (t1 - t0) / 1e9).put("setupSeconds", (t2 - t1) / 1e9);
        ArrayNode total = r.putArray("stepMs");
        ArrayNode fwd = r.putArray("forwardMs");
        ArrayNode bwd = r.putArray("backwardMs");
        ArrayNode opt = r.putArray("optimizerMs");
        ArrayNode losses = r.putArray("loss");
        ArrayNode warm = r.putArray("warmupMs");
        for (int i = 0; i < cfg.warmup() + cfg.steps(); i++) {
            TrainingStep.Timing t = step.run(batches.get(i % batches.size()));
            losses.add(t.loss());
            if (i == 0) {
                // JVM start to the end of the first step: start-up, loading, set-up and the first (coldest) step.
                r.put("firstStepEndMs", ManagementFactory.getRuntimeMXBean().getUptime());
            }
            if (i < cfg.warmup()) {
                warm.add(t.totalNs() / 1e6);
                if (timing != null && i == cfg.warmup() - 1) {
                    timing.reset();
                }
            } else {
                total.add(t.totalNs() / 1e6);
                fwd.add(t.forwardNs() / 1e6);
                bwd.add(t.backwardNs() / 1e6);
                opt.add(t.optimizerNs() / 1e6);
            }
        }
        if (timing != null) {
            r.put("allocatedMibPerStep", timing.allocatedBytes() / 1048576.0 / cfg.steps());
            ObjectNode ops = r.putObject("opMsPerStep");
            ObjectNode calls = r.putObject("opCallsPerStep");
            timing.tallies().entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue().nanos(), a.getValue().nanos()))
                    .forEach(e -> {
                        ops.put(e.getKey(), e.getValue().nanos() / 1e6 / cfg.steps());
                        calls.put(e.getKey(), e.getValue().calls() / (double) cfg.steps());
                    });
        }
        r.put("peakRssKib", Math.max(setupPeak, ProcStatus.peakRssKib()));
        r.put("trainPeakRssKib", reset ? ProcStatus.peakRssKib() : -1);
        r.put("heapMaxMib", Runtime.getRuntime().maxMemory() >> 20);
        r.put("backend", Backends.active().name());
        r.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        r.put("jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        r.put("loadAverage", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        r.put("host", HostCpu.current().describe());
        return r;
    }

    private static void export(E2eConfig cfg, Path target) throws IOException {
        PretrainedEncoder enc = PretrainedEncoder.load("minilm");
        List<ReviewBatches.Batch> batches = ReviewBatches.of(FoodReviews.train(), enc.tokenizer(), cfg.batches(),
                cfg.batch(), cfg.seqLen());
        FineTuneOptions o = options(cfg);
        // Dropout off: the peer reproduces this first loss exactly only without random masks.
        TrainingStep step = new TrainingStep(enc, o, cfg.teacherCache(), 0.0);
        Map<String, F32Tensor> params = PeerExport.snapshot(step.model());
        TrainingStep.Timing first = step.run(batches.get(0));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("method", cfg.method().cliName());
        meta.put("rank", Integer.toString(o.rank()));
        meta.put("scaling", Double.toString(o.alpha() / o.rank()));
        meta.put("lambda1", Double.toString(o.lambda1()));
        meta.put("lambda2", Double.toString(o.lambda2()));
        meta.put("lambda3", Double.toString(o.lambda3()));
        meta.put("svd_k", Integer.toString(o.svdK()));
        meta.put("lr", Double.toString(TrainingStep.LR));
        meta.put("weight_decay", Double.toString(o.weightDecay()));
        meta.put("batches", Integer.toString(batches.size()));
        meta.put("layer_norm_eps", Double.toString(enc.config().layerNormEps()));
        meta.put("heads", Integer.toString(enc.config().heads()));
        meta.put("hidden_act", enc.config().hiddenAct());
        meta.put("balora_loss0", String.format(Locale.ROOT, "%.9g", first.loss()));
        PeerExport.write(target, params, batches, meta);
        System.out.printf(Locale.ROOT, "exported %s: %d parameters, %d batches, balora loss0 = %.9g (%s)%n", target,
                params.size(), batches.size(), first.loss(), step.adapters().format());
    }

    private static Map<String, String> keyValues(String[] args) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            kv.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
        }
        return kv;
    }
}
