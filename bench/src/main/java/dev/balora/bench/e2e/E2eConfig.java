package dev.balora.bench.e2e;

import dev.balora.models.finetune.Method;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark configuration, parsed from {@code key=value} arguments.
 *
 * @param method       lora | pissa | balora
 * @param teacherCache BA-LoRA only: whether teacher outputs are cached per example (steady state after the
 *                     first epoch) or recomputed by a no-grad forward every step
 * @param threads      kernel threads ({@code -Dbalora.threads} must match; checked by {@link StepBench})
 * @param batch        examples per step N
 * @param seqLen       tokens per example T (truncated or padded to exactly T)
 * @param batches      distinct batches cycled through (step i uses batch i mod batches)
 * @param warmup       steps run before timing (≥ batches, so a teacher cache is full when timing starts)
 * @param steps        timed steps
 * @param seed         adapter init, classifier head and review choice
 * @param dropout      dropout probability on the hidden states and attention probabilities: 0.1 is what
 *                     {@code balora finetune} trains with (the default here), 0 turns it off (needed to compare
 *                     the loss with the PyTorch peer's)
 */
public record E2eConfig(Method method, boolean teacherCache, int threads, int batch, int seqLen, int batches,
                        int warmup, int steps, long seed, double dropout) {
    /** The job's dropout probability ({@code BertOptions.defaults()}, Hugging Face's default). */
    public static final double JOB_DROPOUT = 0.1;

    public E2eConfig {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("e2e config: dropout must be in [0, 1), got " + dropout);
        }
        if (batch < 2 || seqLen < 2 || batches < 1 || steps < 1 || warmup < 0 || threads < 1) {
            throw new IllegalArgumentException("e2e config: batch, seqLen >= 2; batches, steps, threads >= 1; warmup >= 0;"
                    + " got batch=" + batch + " seqLen=" + seqLen + " batches=" + batches + " steps=" + steps
                    + " threads=" + threads + " warmup=" + warmup);
        }
    }

    /** The setting: N = 32, T = 128, 2 distinct batches, 3 warm-up and 5 timed steps, seed 42, dropout 0.1. */
    public static E2eConfig defaults(Method method) {
        return new E2eConfig(method, true, 1, 32, 128, 2, 3, 5, 42, JOB_DROPOUT);
    }

    /**
     * Parses {@code method=balora cache=off threads=2 batch=32 seq=128 batches=2 warmup=3 steps=5 seed=42 dropout=0.1}
     * (every key optional; unknown keys are refused).
     */
    public static E2eConfig parse(String... args) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("e2e argument '" + a + "': expected key=value");
            }
            kv.put(a.substring(0, eq).toLowerCase(Locale.ROOT), a.substring(eq + 1));
        }
        E2eConfig d = defaults(Method.parse(kv.getOrDefault("method", "lora")));
        E2eConfig c = new E2eConfig(d.method(), !"off".equalsIgnoreCase(kv.getOrDefault("cache", "on")),
                intOf(kv, "threads", d.threads()), intOf(kv, "batch", d.batch()), intOf(kv, "seq", d.seqLen()),
                intOf(kv, "batches", d.batches()), intOf(kv, "warmup", d.warmup()), intOf(kv, "steps", d.steps()),
                Long.parseLong(kv.getOrDefault("seed", Long.toString(d.seed()))),
                Double.parseDouble(kv.getOrDefault("dropout", Double.toString(d.dropout()))));
        kv.keySet().removeAll(java.util.List.of("method", "cache", "threads", "batch", "seq", "batches", "warmup", "steps",
                "seed", "dropout", "export", "out", "optimes"));
        if (!kv.isEmpty()) {
            throw new IllegalArgumentException("e2e arguments: unknown keys " + kv.keySet()
                    + " (known: method cache threads batch seq batches warmup steps seed dropout export out optimes)");
        }
        return c;
    }

    private static int intOf(Map<String, String> kv, String key, int fallback) {
        String v = kv.get(key);
        return v == null ? fallback : Integer.parseInt(v.trim());
    }

    /** @return e.g. "balora cache=on", "lora", "lora dropout=0" (the dropout is named only when not the job's) */
    public String label() {
        return method.cliName() + (method.regularized() ? (teacherCache ? " cache=on" : " cache=off") : "")
                + (dropout == JOB_DROPOUT ? "" : " dropout=" + dropout);
    }

    /** @return this configuration with another dropout probability */
    public E2eConfig withDropout(double p) {
        return new E2eConfig(method, teacherCache, threads, batch, seqLen, batches, warmup, steps, seed, p);
    }
}
