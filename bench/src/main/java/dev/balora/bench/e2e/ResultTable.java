package dev.balora.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the end-to-end comparison as Markdown from the JSON lines of {@link StepBench} and the PyTorch peer.
 * Timed steps of every run of the same (side, method, cache, threads) are pooled; the table gives their median,
 * min–max, tokens/s (N·T padded tokens per median step) and the median peak RSS of the runs, then the ratios the
 * issue's targets are stated in: balora / PyTorch step time and peak memory, and BA-LoRA / LoRA step time.
 *
 * <p>Usage: {@code ResultTable results.jsonl [more.jsonl …]}.
 */
public final class ResultTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The pooled measurements of one configuration on one side. */
    record Group(String side, String config, int threads, List<Double> stepMs, List<Double> fwdMs, List<Double> bwdMs,
                 List<Double> optMs, List<Double> peakMib, List<Double> trainPeakMib, int batch, int seq) {
        double median() {
            return ResultTable.median(stepMs);
        }
    }

    private ResultTable() {}

    public static void main(String[] args) throws IOException {
        Map<String, Group> groups = new TreeMap<>();
        for (String file : args) {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (!line.isBlank()) {
                    add(groups, JSON.readTree(line));
                }
            }
        }
        System.out.print(format(groups));
    }

    static void add(Map<String, Group> groups, JsonNode r) {
        String method = r.get("method").asText();
        String config = method.equals("balora") ? "balora cache=" + (r.get("cache").asBoolean() ? "on" : "off") : method;
        String side = r.get("side").asText();
        int threads = r.get("threads").asInt();
        Group g = groups.computeIfAbsent(key(side, config, threads), k -> new Group(side, config, threads,
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), r.get("batch").asInt(), r.get("seq").asInt()));
        r.get("stepMs").forEach(x -> g.stepMs().add(x.asDouble()));
        r.get("forwardMs").forEach(x -> g.fwdMs().add(x.asDouble()));
        r.get("backwardMs").forEach(x -> g.bwdMs().add(x.asDouble()));
        r.get("optimizerMs").forEach(x -> g.optMs().add(x.asDouble()));
        g.peakMib().add(r.get("peakRssKib").asDouble() / 1024);
        g.trainPeakMib().add(r.get("trainPeakRssKib").asDouble() / 1024);
    }

    private static String key(String side, String config, int threads) {
        return config + "|" + threads + "|" + side;
    }

    static String format(Map<String, Group> groups) {
        StringBuilder sb = new StringBuilder();
        sb.append("| configuration | threads | side | runs / steps | step s median (min–max) | fwd / bwd / AdamW s | tokens/s |"
                + " peak RSS MiB (training phase) |\n|---|---|---|---|---|---|---|---|\n");
        for (Group g : groups.values()) {
            double med = g.median();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %d / %d | %.2f (%.2f–%.2f) | %.2f / %.2f / %.3f | %.0f | %.0f (%.0f) |%n",
                    g.config(), g.threads(), g.side(), g.peakMib().size(), g.stepMs().size(),
                    med / 1e3, min(g.stepMs()) / 1e3, max(g.stepMs()) / 1e3, median(g.fwdMs()) / 1e3,
                    median(g.bwdMs()) / 1e3, median(g.optMs()) / 1e3, g.batch() * (double) g.seq() / (med / 1e3),
                    median(g.peakMib()), median(g.trainPeakMib())));
        }
        sb.append("\n| configuration | threads | step time balora / PyTorch | peak RSS balora / PyTorch |\n|---|---|---|---|\n");
        for (Group g : groups.values()) {
            Group peer = groups.get(key("torch", g.config(), g.threads()));
            if (g.side().equals("balora") && peer != null) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.2f× | %.2f× |%n", g.config(), g.threads(),
                        g.median() / peer.median(), median(g.peakMib()) / median(peer.peakMib())));
            }
        }
        sb.append("\n| side | threads | BA-LoRA cache=on / LoRA | BA-LoRA cache=off / LoRA | PiSSA / LoRA |\n|---|---|---|---|---|\n");
        for (String side : List.of("balora", "torch")) {
            for (int threads = 1; threads <= 64; threads++) {
                Group lora = groups.get(key(side, "lora", threads));
                if (lora == null) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", side, threads,
                        ratio(groups.get(key(side, "balora cache=on", threads)), lora),
                        ratio(groups.get(key(side, "balora cache=off", threads)), lora),
                        ratio(groups.get(key(side, "pissa", threads)), lora)));
            }
        }
        return sb.toString();
    }

    private static String ratio(Group a, Group b) {
        return a == null ? "–" : String.format(Locale.ROOT, "%.2f×", a.median() / b.median());
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
