package dev.balora.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String line(String side, String method, boolean cache, int threads, double[] ms, long peakKib) {
        StringBuilder steps = new StringBuilder();
        for (double m : ms) {
            steps.append(steps.isEmpty() ? "" : ",").append(m);
        }
        return "{\"side\":\"" + side + "\",\"method\":\"" + method + "\",\"cache\":" + cache + ",\"threads\":" + threads
                + ",\"batch\":32,\"seq\":128,\"stepMs\":[" + steps + "],\"forwardMs\":[1],\"backwardMs\":[2],"
                + "\"optimizerMs\":[0.5],\"peakRssKib\":" + peakKib + ",\"trainPeakRssKib\":" + peakKib + "}";
    }

    @Test
    void poolsRunsAndReportsMediansAndRatios() throws Exception {
        ResultTable.Results results = new ResultTable.Results();
        for (String l : List.of(
                line("balora", "lora", true, 1, new double[] {3000, 5000}, 2048 * 1024),
                line("balora", "lora", true, 1, new double[] {4000}, 4096 * 1024),
                line("torch", "lora", true, 1, new double[] {2000, 2000, 2000}, 1024 * 1024),
                line("balora", "balora", true, 1, new double[] {4400}, 4096 * 1024),
                line("balora", "balora", false, 1, new double[] {7000}, 4096 * 1024))) {
            ResultTable.add(results, JSON.readTree(l));
        }
        // Lines without a dropout field were written when both sides ran with dropout off.
        assertEquals(4000, results.steps().get("lora, dropout 0|1|balora").median(), 1e-9);
        String table = ResultTable.format(results);
        // 32·128 tokens / 4 s; two runs of balora lora; median of the run peaks (2048, 4096) = 3072 MiB.
        assertTrue(table.contains("| lora, dropout 0 | 1 | balora | 2 / 3 | 4.00 (3.00–5.00) |"), table);
        assertTrue(table.contains("| 1024 | 3072 (3072) |"), table);
        assertTrue(table.contains("| lora, dropout 0 | 1 | 2.00× | 3.00× |"), table);
        assertTrue(table.contains("| balora | 0 | 1 | 1.10× | 1.75× | – | – |"), table);
    }

    @Test
    void separatesDropoutSettingsAndReportsSpeedUpLoadAndWholeRuns() throws Exception {
        ResultTable.Results results = new ResultTable.Results();
        for (String l : List.of(
                line("balora", "lora", true, 1, new double[] {4000}, 2048 * 1024)
                        .replace("}", ",\"dropout\":0.1,\"loadAverage\":1.5,\"host\":\"h\",\"firstStepEndMs\":9000,"
                                + "\"warmupMs\":[6000,4100]}"),
                line("balora", "lora", true, 2, new double[] {2000}, 2048 * 1024).replace("}", ",\"dropout\":0.1}"),
                line("balora", "lora", true, 1, new double[] {3000}, 2048 * 1024).replace("}", ",\"dropout\":0}"),
                "{\"side\":\"balora\",\"kind\":\"run\",\"method\":\"lora\",\"threads\":1,\"dropout\":0.1,"
                        + "\"wallSeconds\":90,\"peakRssKib\":2097152,\"loadAverage\":1.0}",
                "{\"side\":\"torch\",\"kind\":\"run\",\"method\":\"lora\",\"threads\":1,\"dropout\":0.1,"
                        + "\"wallSeconds\":100,\"peakRssKib\":1048576,\"loadAverage\":1.0}")) {
            ResultTable.add(results, JSON.readTree(l));
        }
        String table = ResultTable.format(results);
        assertTrue(table.startsWith("host: h\n"), table);
        assertTrue(table.contains("| lora, dropout 0.1 | 1 | balora | 1 / 1 | 4.00 (4.00–4.00) |"), table);
        assertTrue(table.contains("| 1.5 (1.5–1.5) | 9.0 (6.0) |"), table);
        assertTrue(table.contains("| lora, dropout 0 | 1 | balora | 1 / 1 | 3.00 (3.00–3.00) |"), table);
        assertTrue(table.contains("| balora | 0.1 | 2 | – | – | – | 2.00× |"), table);
        assertTrue(table.contains("| lora, dropout 0.1 | 1 | balora | 1 | 90.0 (90.0–90.0) | – | – | 2048 (2048–2048) |"),
                table);
        assertTrue(table.contains("| lora, dropout 0.1 | 1 | 0.90× | 2.00× |"), table);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, ResultTable.median(List.of(5.0, 1.0, 3.0)), 0);
        assertEquals(2.5, ResultTable.median(List.of(4.0, 1.0, 3.0, 2.0)), 0);
        assertTrue(Double.isNaN(ResultTable.median(List.of())));
    }
}
