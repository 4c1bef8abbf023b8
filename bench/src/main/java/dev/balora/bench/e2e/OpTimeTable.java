package dev.balora.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the per-op wall times of {@link StepBench} runs made with {@code optimes=1} ({@link OpTimingBackend}) side by
 * side for each thread count, with the speed-up of every op from the lowest to each higher thread count, so an op
 * that does not scale stands out. "outside the backend" is the median step time minus the sum of the backend calls:
 * autograd bookkeeping and host-side work in the ops, which runs on one thread.
 *
 * <p>Usage: {@code OpTimeTable optimes.jsonl}; when a thread count has several runs, the last one is used.
 */
public final class OpTimeTable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String OUTSIDE = "(outside the backend)";

    private OpTimeTable() {}

    public static void main(String[] args) throws IOException {
        Map<Integer, JsonNode> byThreads = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank()) {
                JsonNode r = JSON.readTree(line);
                if (r.has("opMsPerStep")) {
                    byThreads.put(r.get("threads").asInt(), r);
                }
            }
        }
        System.out.print(format(byThreads));
    }

    /** ms per step of each op (and of the time outside the backend) of one run. */
    static Map<String, Double> opMs(JsonNode r) {
        Map<String, Double> ms = new LinkedHashMap<>();
        double sum = 0;
        for (var it = r.get("opMsPerStep").fields(); it.hasNext(); ) {
            var e = it.next();
            ms.put(e.getKey(), e.getValue().asDouble());
            sum += e.getValue().asDouble();
        }
        List<Double> steps = new ArrayList<>();
        r.get("stepMs").forEach(x -> steps.add(x.asDouble()));
        ms.put(OUTSIDE, Math.max(0, ResultTable.median(steps) - sum));
        return ms;
    }

    static String format(Map<Integer, JsonNode> byThreads) {
        if (byThreads.isEmpty()) {
            return "no per-op results (run StepBench with optimes=1)\n";
        }
        List<Integer> threads = new ArrayList<>(byThreads.keySet());
        Map<Integer, Map<String, Double>> ms = new TreeMap<>();
        byThreads.forEach((t, r) -> ms.put(t, opMs(r)));
        int base = threads.get(0);
        StringBuilder sb = new StringBuilder("| op (calls per step) |");
        for (int t : threads) {
            sb.append(" ms/step, ").append(t).append(t == 1 ? " thread |" : " threads |");
        }
        for (int t : threads.subList(1, threads.size())) {
            sb.append(" speed-up ").append(base).append("→").append(t).append(" |");
        }
        sb.append('\n').append("|---|").append("---|".repeat(2 * threads.size() - 1)).append('\n');
        JsonNode first = byThreads.get(base);
        List<Map.Entry<String, Double>> rows = new ArrayList<>(ms.get(base).entrySet());
        rows.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        for (Map.Entry<String, Double> row : rows) {
            if (row.getValue() < 0.5 && !row.getKey().equals(OUTSIDE)) {
                continue;
            }
            JsonNode calls = first.path("opCallsPerStep").get(row.getKey());
            sb.append("| ").append(row.getKey()).append(calls == null ? "" : String.format(Locale.ROOT, " (%.0f)",
                    calls.asDouble())).append(" |");
            for (int t : threads) {
                sb.append(String.format(Locale.ROOT, " %.1f |", ms.get(t).getOrDefault(row.getKey(), 0.0)));
            }
            for (int t : threads.subList(1, threads.size())) {
                double other = ms.get(t).getOrDefault(row.getKey(), 0.0);
                sb.append(other > 0 ? String.format(Locale.ROOT, " %.2f× |", row.getValue() / other) : " – |");
            }
            sb.append('\n');
        }
        sb.append("| **step (median)** |");
        for (int t : threads) {
            List<Double> steps = new ArrayList<>();
            byThreads.get(t).get("stepMs").forEach(x -> steps.add(x.asDouble()));
            sb.append(String.format(Locale.ROOT, " %.0f |", ResultTable.median(steps)));
        }
        for (int t : threads.subList(1, threads.size())) {
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            byThreads.get(base).get("stepMs").forEach(x -> a.add(x.asDouble()));
            byThreads.get(t).get("stepMs").forEach(x -> b.add(x.asDouble()));
            sb.append(String.format(Locale.ROOT, " %.2f× |", ResultTable.median(a) / ResultTable.median(b)));
        }
        sb.append('\n');
        for (int t : threads) {
            sb.append(String.format(Locale.ROOT, "%d thread(s): %.0f MiB allocated per step, load average %.2f, %s%n", t,
                    byThreads.get(t).path("allocatedMibPerStep").asDouble(), byThreads.get(t).path("loadAverage").asDouble(),
                    byThreads.get(t).path("host").asText("")));
        }
        return sb.toString();
    }
}
