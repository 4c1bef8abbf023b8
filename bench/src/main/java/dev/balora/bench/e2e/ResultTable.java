package dev.balora.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints the end-to-end comparison as Markdown from the JSON lines of {@link StepBench}, the PyTorch peers and the
 * whole-run timings of {@code scripts/bench-e2e.sh}.
 *
 * <p>Step lines: the timed steps of every run of the same (side, method, cache, dropout, threads) are pooled; the
 * table gives their median, min–max, tokens/s (N·T padded tokens per median step), the median peak RSS of the runs,
 * the host's 1-minute load average at the end of the runs (median, min–max), and the cold start (JVM or interpreter
 * start to the end of the first step; the first step alone). Then the ratios the targets are stated in:
 * balora / PyTorch step time and peak memory, BA-LoRA / LoRA step time, and the 2-thread speed-up.
 *
 * <p>Whole-run lines ({@code "kind": "run"}): wall time of the process start to exit and its peak RSS, median over
 * runs, and balora / PyTorch.
 *
 * <p>Usage: {@code ResultTable results.jsonl [more.jsonl …]}.
 */
public final class ResultTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The pooled measurements of one configuration on one side. */
    record Group(String side, String config, int threads, List<Double> stepMs, List<Double> fwdMs, List<Double> bwdMs,
                 List<Double> optMs, List<Double> peakMib, List<Double> trainPeakMib, List<Double> load,
                 List<Double> firstStepEndMs, List<Double> firstStepMs, int batch, int seq) {
        double median() {
            return ResultTable.median(stepMs);
        }
    }

    /** The whole-run measurements of one side and thread count. */
    record RunGroup(String side, String config, int threads, List<Double> wallSeconds, List<Double> peakMib,
                    List<Double> load, List<Double> firstStepEnd, List<Double> tenthStepEnd) {}

    /** Everything read from the result files. */
    record Results(Map<String, Group> steps, Map<String, RunGroup> runs, Set<String> hosts) {
        Results() {
            this(new TreeMap<>(), new TreeMap<>(), new LinkedHashSet<>());
        }
    }

    private ResultTable() {}

    public static void main(String[] args) throws IOException {
        Results results = new Results();
        for (String file : args) {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (!line.isBlank()) {
                    add(results, JSON.readTree(line));
                }
            }
        }
        System.out.print(format(results));
    }

    /** The configuration label of a line: method (BA-LoRA with its teacher cache) and dropout. */
    static String config(JsonNode r) {
        String method = r.get("method").asText();
        String base = method.equals("balora") ? "balora cache=" + (r.path("cache").asBoolean(true) ? "on" : "off") : method;
        // Lines written before dropout was recorded had it off on both sides.
        return base + ", dropout " + fmt(r.path("dropout").asDouble(0.0));
    }

    static void add(Results results, JsonNode r) {
        if (r.hasNonNull("host")) {
            results.hosts().add(r.get("host").asText());
        }
        String side = r.get("side").asText();
        int threads = r.get("threads").asInt();
        String config = config(r);
        if ("run".equals(r.path("kind").asText())) {
            String runConfig = config + ("aot-off".equals(r.path("variant").asText()) ? ", no AOT cache" : "");
            RunGroup g = results.runs().computeIfAbsent(key(side, runConfig, threads), k -> new RunGroup(side,
                    runConfig, threads, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    new ArrayList<>()));
            g.wallSeconds().add(r.get("wallSeconds").asDouble());
            g.peakMib().add(r.get("peakRssKib").asDouble() / 1024);
            addIfPresent(g.load(), r, "loadAverage", 1);
            addIfPresent(g.firstStepEnd(), r, "firstStepEndSeconds", 1);
            addIfPresent(g.tenthStepEnd(), r, "tenthStepEndSeconds", 1);
            return;
        }
        Group g = results.steps().computeIfAbsent(key(side, config, threads), k -> new Group(side, config, threads,
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), r.get("batch").asInt(),
                r.get("seq").asInt()));
        r.get("stepMs").forEach(x -> g.stepMs().add(x.asDouble()));
        r.get("forwardMs").forEach(x -> g.fwdMs().add(x.asDouble()));
        r.get("backwardMs").forEach(x -> g.bwdMs().add(x.asDouble()));
        r.get("optimizerMs").forEach(x -> g.optMs().add(x.asDouble()));
        g.peakMib().add(r.get("peakRssKib").asDouble() / 1024);
        g.trainPeakMib().add(r.get("trainPeakRssKib").asDouble() / 1024);
        addIfPresent(g.load(), r, "loadAverage", 1);
        addIfPresent(g.firstStepEndMs(), r, "firstStepEndMs", 1);
        if (r.has("warmupMs") && !r.get("warmupMs").isEmpty()) {
            g.firstStepMs().add(r.get("warmupMs").get(0).asDouble());
        }
    }

    private static void addIfPresent(List<Double> to, JsonNode r, String field, double scale) {
        if (r.hasNonNull(field) && r.get(field).asDouble() >= 0) {
            to.add(r.get(field).asDouble() * scale);
        }
    }

    private static String key(String side, String config, int threads) {
        return config + "|" + threads + "|" + side;
    }

    static String format(Results results) {
        StringBuilder sb = new StringBuilder();
        for (String h : results.hosts()) {
            sb.append("host: ").append(h).append('\n');
        }
        Map<String, Group> groups = results.steps();
        if (!groups.isEmpty()) {
            sb.append("\n| configuration | threads | side | runs / steps | step s median (min–max) | fwd / bwd / AdamW s |"
                    + " tokens/s | peak RSS MiB (training phase) | load avg median (min–max) | start → end of step 1 s"
                    + " (step 1 alone) |\n|---|---|---|---|---|---|---|---|---|---|\n");
            for (Group g : groups.values()) {
                double med = g.median();
                sb.append(String.format(Locale.ROOT,
                        "| %s | %d | %s | %d / %d | %.2f (%.2f–%.2f) | %.2f / %.2f / %.3f | %.0f | %.0f (%.0f) | %s | %s |%n",
                        g.config(), g.threads(), g.side(), g.peakMib().size(), g.stepMs().size(),
                        med / 1e3, min(g.stepMs()) / 1e3, max(g.stepMs()) / 1e3, median(g.fwdMs()) / 1e3,
                        median(g.bwdMs()) / 1e3, median(g.optMs()) / 1e3, g.batch() * (double) g.seq() / (med / 1e3),
                        median(g.peakMib()), median(g.trainPeakMib()), spread(g.load(), 1),
                        g.firstStepEndMs().isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f (%.1f)",
                                median(g.firstStepEndMs()) / 1e3, median(g.firstStepMs()) / 1e3)));
            }
            sb.append("\n| configuration | threads | step time balora / PyTorch | peak RSS balora / PyTorch |\n|---|---|---|---|\n");
            for (Group g : groups.values()) {
                Group peer = groups.get(key("torch", g.config(), g.threads()));
                if (g.side().equals("balora") && peer != null) {
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f× | %.2f× |%n", g.config(), g.threads(),
                            g.median() / peer.median(), median(g.peakMib()) / median(peer.peakMib())));
                }
            }
            sb.append("\n| side | dropout | threads | BA-LoRA cache=on / LoRA | BA-LoRA cache=off / LoRA | PiSSA / LoRA |"
                    + " 1-thread / 2-thread step (LoRA) |\n|---|---|---|---|---|---|---|\n");
            Set<String> dropouts = new LinkedHashSet<>();
            groups.values().forEach(g -> dropouts.add(g.config().substring(g.config().indexOf(", dropout ") + 10)));
            for (String side : List.of("balora", "torch")) {
                for (String d : dropouts) {
                    String suffix = ", dropout " + d;
                    for (int threads = 1; threads <= 64; threads++) {
                        Group lora = groups.get(key(side, "lora" + suffix, threads));
                        if (lora == null) {
                            continue;
                        }
                        Group one = groups.get(key(side, "lora" + suffix, 1));
                        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s |%n", side, d, threads,
                                ratio(groups.get(key(side, "balora cache=on" + suffix, threads)), lora),
                                ratio(groups.get(key(side, "balora cache=off" + suffix, threads)), lora),
                                ratio(groups.get(key(side, "pissa" + suffix, threads)), lora),
                                threads == 1 ? "–" : ratio(one, lora)));
                    }
                }
            }
        }
        Map<String, RunGroup> runs = results.runs();
        if (!runs.isEmpty()) {
            sb.append("\n| whole run | threads | side | runs | wall s median (min–max) | start → end of step 1 s |"
                    + " start → end of step 10 s | peak RSS MiB median (min–max) | load avg median (min–max) |"
                    + "\n|---|---|---|---|---|---|---|---|---|\n");
            for (RunGroup g : runs.values()) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %s | %s | %s | %s | %s |%n", g.config(),
                        g.threads(), g.side(), g.wallSeconds().size(), spread(g.wallSeconds(), 1),
                        spread(g.firstStepEnd(), 1), spread(g.tenthStepEnd(), 1), spread(g.peakMib(), 0),
                        spread(g.load(), 1)));
            }
            sb.append("\n| whole run | threads | wall balora / PyTorch | peak RSS balora / PyTorch |\n|---|---|---|---|\n");
            for (RunGroup g : runs.values()) {
                RunGroup peer = runs.get(key("torch", g.config(), g.threads()));
                if (g.side().equals("balora") && peer != null) {
                    sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f× | %.2f× |%n", g.config(), g.threads(),
                            median(g.wallSeconds()) / median(peer.wallSeconds()),
                            median(g.peakMib()) / median(peer.peakMib())));
                }
            }
        }
        return sb.toString();
    }

    private static String spread(List<Double> xs, int decimals) {
        if (xs.isEmpty()) {
            return "–";
        }
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median(xs), min(xs), max(xs));
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String ratio(Group a, Group b) {
        return a == null || b == null ? "–" : String.format(Locale.ROOT, "%.2f×", a.median() / b.median());
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] v = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
