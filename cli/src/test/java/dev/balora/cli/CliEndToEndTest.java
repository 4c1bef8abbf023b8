package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end on a small slice of the real data with the real MiniLM: finetune (BA-LoRA) → files and
 * logged terms → eval reproduces the run's accuracy → export → merge → the merged model predicts the same.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
    @TempDir
    static Path tmp;
    static Path train;
    static Path eval;
    static Path test;
    static Path run;

    record Result(int code, String out, String err) {}

    static Result balora(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void data() throws Exception {
        List<String> lines = Files.readAllLines(repoData().resolve("food-reviews/food-reviews-train.tsv"));
        train = tmp.resolve("train.tsv");
        eval = tmp.resolve("eval.tsv");
        // Rows of both labels: the header, then a slice of the file (it interleaves great/other).
        Files.write(train, lines.subList(0, 41));
        Files.write(eval, concat(lines.get(0), lines.subList(41, 61)));
        test = tmp.resolve("test.tsv");
        Files.write(test, concat(lines.get(0), lines.subList(61, 74)));
        run = tmp.resolve("run");
    }

    static List<String> concat(String head, List<String> rest) {
        List<String> l = new java.util.ArrayList<>();
        l.add(head);
        l.addAll(rest);
        return l;
    }

    static Path repoData() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("data/food-reviews"))) {
                return d.resolve("data");
            }
        }
        throw new IllegalStateException("no data/ folder");
    }

    @Test
    @Order(1)
    void finetuneWritesAdapterMetricsAndPlots() throws Exception {
        Result r = balora("finetune", "--train", train.toString(), "--eval", eval.toString(), "--test", test.toString(),
                "--method", "balora", "--max-length", "32", "--batch", "8", "--max-steps", "4", "--lr", "1e-3",
                "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("metrics.jsonl", "summary.json", "results.md", "loss.png", "adapter/adapter_config.json",
                "predictions.tsv", "test_predictions.tsv", "test_metrics.json",
                "adapter/adapter_model.safetensors", "adapter/balora_config.json")) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonNode step = lines.stream().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).filter(n -> n.has("terms")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no step lines: " + lines));
        JsonNode terms = step.get("terms");
        for (String term : List.of("consistency_cosine_mse", "diversity_covariance", "svd_nuclear")) {
            assertTrue(terms.has(term), "term " + term + " logged: " + step);
            assertNotEquals(0.0, terms.get(term).asDouble(), "BA-LoRA term " + term + " must be real, not zero");
        }
        JsonNode cfg = json.readTree(run.resolve("adapter/adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(16, cfg.get("r").asInt(), "PiSSA-initialised adapters are saved converted to rank 2r");
        assertEquals("FEATURE_EXTRACTION", cfg.get("task_type").asText());
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", cfg.get("base_model_name_or_path").asText());
        try (SafetensorsReader sr = SafetensorsReader.open(run.resolve("adapter/adapter_model.safetensors"))) {
            assertTrue(sr.contains("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight"), sr.names().toString());
            assertTrue(sr.names().stream().noneMatch(n -> n.contains("classifier")), "the head is 2_Dense, not in PEFT");
        }
        for (String f : List.of("modules.json", "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/model.safetensors",
                "tokenizer.json", "tokenizer_config.json", "vocab.txt", "README.md")) {
            assertTrue(Files.size(run.resolve("adapter").resolve(f)) > 0, f);
        }
        assertEquals(32, json.readTree(run.resolve("adapter/tokenizer_config.json").toFile()).get("model_max_length").asInt(),
                "the run's --max-length");
        assertEquals(32, json.readTree(run.resolve("adapter/balora_config.json").toFile()).path("settings").path("max_length")
                .asInt());
    }

    /** Rows of a predictions TSV: [index, gold, predicted, p_great, p_other] after checking the header. */
    static List<String[]> predictionRows(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertEquals("index\tgold\tpredicted\tp_great\tp_other", lines.get(0), file.toString());
        return lines.subList(1, lines.size()).stream().map(l -> l.split("\t")).toList();
    }

    @Test
    @Order(2)
    void predictionsHoldOneRowPerExampleAndAgreeWithTheMetrics() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode summary = json.readTree(run.resolve("summary.json").toFile());
        JsonNode testMetrics = json.readTree(run.resolve("test_metrics.json").toFile());
        List<String> evalLines = Files.readAllLines(eval);
        for (Object[] c : new Object[][] {{"predictions.tsv", evalLines, summary.path("final_eval").path("accuracy").asDouble()},
                {"test_predictions.tsv", Files.readAllLines(test), testMetrics.path("accuracy").asDouble()}}) {
            @SuppressWarnings("unchecked")
            List<String> source = (List<String>) c[1];
            List<String[]> rows = predictionRows(run.resolve((String) c[0]));
            assertEquals(source.size() - 1, rows.size(), c[0] + ": one row per evaluated example");
            int correct = 0;
            for (int i = 0; i < rows.size(); i++) {
                String[] row = rows.get(i);
                assertEquals(String.valueOf(i), row[0]);
                assertEquals(source.get(i + 1).split("\t", 2)[0], row[1], c[0] + " row " + i + ": gold label of the file's row");
                double pGreat = Double.parseDouble(row[3]);
                double pOther = Double.parseDouble(row[4]);
                assertEquals(1.0, pGreat + pOther, 2e-6, "probabilities sum to 1");
                assertEquals(pGreat >= pOther ? "great" : "other", row[2], "predicted = argmax of the probabilities");
                correct += row[1].equals(row[2]) ? 1 : 0;
            }
            assertEquals((double) c[2], correct / (double) rows.size(), 1e-9, c[0] + " agrees with the logged accuracy");
        }
        assertEquals(13, testMetrics.path("examples").asInt());
        assertTrue(testMetrics.path("file").asText().endsWith("test.tsv"));
    }

    @Test
    @Order(3)
    void evalReproducesTheRunsAccuracy() throws Exception {
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        double runAcc = summary.path("final_eval").path("accuracy").asDouble(Double.NaN);
        Path preds = tmp.resolve("eval-predictions.tsv");
        Result r = balora("eval", "--adapter", run.resolve("adapter").toString(), "--eval", eval.toString(), "--max-length", "32",
                "--predictions", preds.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", runAcc)),
                "eval after reload must reproduce the run's accuracy " + runAcc + ": " + r.out());
        List<String[]> reloaded = predictionRows(preds);
        List<String[]> original = predictionRows(run.resolve("predictions.tsv"));
        assertEquals(original.size(), reloaded.size());
        for (int i = 0; i < original.size(); i++) {
            assertEquals(original.get(i)[2], reloaded.get(i)[2], "row " + i + ": the reloaded adapter predicts the same");
            // the adapter is saved converted (PiSSA -> rank-2r LoRA), so probabilities agree to float rounding only
            assertEquals(Double.parseDouble(original.get(i)[3]), Double.parseDouble(reloaded.get(i)[3]), 1e-3, "row " + i);
        }
    }

    @Test
    @Order(4)
    void exportAndMergeWriteLoadableFiles() throws Exception {
        Path exported = tmp.resolve("exported");
        Result e = balora("export", "--adapter", run.resolve("adapter").toString(), "--out", exported.toString());
        assertEquals(0, e.code(), e.err());
        Result again = balora("eval", "--adapter", exported.toString(), "--eval", eval.toString(), "--max-length", "32");
        Result orig = balora("eval", "--adapter", run.resolve("adapter").toString(), "--eval", eval.toString(), "--max-length", "32");
        assertEquals(orig.out().replace(run.resolve("adapter").toString(), "X"), again.out().replace(exported.toString(), "X"));
        JsonNode exportedCfg = new ObjectMapper().readTree(exported.resolve("tokenizer_config.json").toFile());
        assertEquals(32, exportedCfg.get("model_max_length").asInt(), "export keeps the run's recorded --max-length");
        Path merged = tmp.resolve("merged");
        Result m = balora("merge", "--adapter", run.resolve("adapter").toString(), "--out", merged.toString());
        assertEquals(0, m.code(), m.err());
        try (SafetensorsReader sr = SafetensorsReader.open(merged.resolve("model.safetensors"))) {
            assertTrue(sr.contains("encoder.layer.0.attention.self.query.weight"), sr.names().toString());
            assertTrue(sr.names().stream().noneMatch(n -> n.contains("lora_")), "merged weights carry no adapter tensors");
            assertTrue(sr.names().stream().noneMatch(n -> n.startsWith("classifier")), "the head is 2_Dense");
        }
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "modules.json", "2_Dense/model.safetensors",
                "labels.txt", "README.md")) {
            assertTrue(Files.exists(merged.resolve(f)), f);
        }
        JsonNode mergedCfg = new ObjectMapper().readTree(merged.resolve("config.json").toFile());
        assertEquals("great", mergedCfg.path("id2label").path("0").asText());
        assertEquals(1, mergedCfg.path("label2id").path("other").asInt());
        // The merged folder is a balora base too: fine-tuning reads its encoder weights.
        Result onMerged = balora("finetune", "--model", merged.toString(), "--train", train.toString(), "--eval", eval.toString(),
                "--method", "lora", "--max-length", "16", "--batch", "8", "--max-steps", "1", "--out", tmp.resolve("on-merged").toString());
        assertEquals(0, onMerged.code(), onMerged.err());
        JsonNode onMergedCfg = new ObjectMapper().readTree(tmp.resolve("on-merged/adapter/adapter_config.json").toFile());
        assertEquals(merged.toAbsolutePath().normalize().toString(), onMergedCfg.get("base_model_name_or_path").asText(),
                "a folder base without _name_or_path is named by its path");
    }

    @Test
    @Order(5)
    void exportBaseWritesTheHubModelsFiles() throws Exception {
        Path base = tmp.resolve("base-minilm");
        Result r = balora("export", "--base", "minilm", "--out", base.toString());
        assertEquals(0, r.code(), r.err());
        ObjectMapper json = new ObjectMapper();
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", json.readTree(base.resolve("config.json").toFile())
                .get("_name_or_path").asText());
        assertEquals(256, json.readTree(base.resolve("tokenizer_config.json").toFile()).get("model_max_length").asInt());
        assertTrue(Files.readString(base.resolve("modules.json")).contains("sentence_transformers.models.Normalize"));
        try (SafetensorsReader sr = SafetensorsReader.open(base.resolve("model.safetensors"))) {
            assertEquals(101, sr.names().size(), "embeddings (5) + 6 layers x 16, no pooler");
        }
        // Adapters fine-tuned on the exported folder name the Hub id: the folder is that model.
        Result ft = balora("finetune", "--model", base.toString(), "--train", train.toString(), "--eval", eval.toString(),
                "--method", "lora", "--max-length", "16", "--batch", "8", "--max-steps", "1", "--out", tmp.resolve("on-base").toString());
        assertEquals(0, ft.code(), ft.err());
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", json.readTree(tmp.resolve("on-base/adapter/adapter_config.json")
                .toFile()).get("base_model_name_or_path").asText());

        assertEquals(2, balora("export", "--out", tmp.resolve("x").toString()).code(), "--adapter or --base is required");
        assertEquals(2, balora("export", "--base", "minilm", "--adapter", run.resolve("adapter").toString(), "--out",
                tmp.resolve("x").toString()).code(), "not both");
        assertEquals(2, balora("export", "--base", "minilm", "--to-lora", "--out", tmp.resolve("x").toString()).code(),
                "--to-lora is for adapters");
        Result tooLong = balora("export", "--base", "minilm", "--max-length", "513", "--out", tmp.resolve("x").toString());
        assertEquals(2, tooLong.code());
        assertTrue(tooLong.err().contains("512"), tooLong.err());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written for refused options");
    }

    @Test
    @Order(6)
    void badInputIsOneClearLineAndExitCode2() throws Exception {
        Result missing = balora("finetune", "--train", tmp.resolve("nope.tsv").toString(), "--eval", eval.toString(),
                "--out", tmp.resolve("x1").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.tsv"), missing.err());
        assertFalse(Files.exists(tmp.resolve("x1")), "nothing written for a failed start");

        Path bad = tmp.resolve("bad.tsv");
        Files.writeString(bad, "label\tproduct\ttext\ngreat\tp1\t\"unterminated\n");
        Result malformed = balora("finetune", "--train", bad.toString(), "--eval", eval.toString(), "--out", tmp.resolve("x2").toString());
        assertEquals(2, malformed.code());
        assertTrue(malformed.err().contains("bad.tsv"), malformed.err());

        Path unknown = tmp.resolve("unknown.tsv");
        Files.writeString(unknown, "label\tproduct\ttext\nsuperb\tp\tnice\n");
        Result unk = balora("finetune", "--train", train.toString(), "--eval", unknown.toString(), "--out", tmp.resolve("x3").toString());
        assertEquals(2, unk.code());
        assertTrue(unk.err().contains("superb"), unk.err());

        Path empty = tmp.resolve("empty.tsv");
        Files.writeString(empty, "label\tproduct\ttext\n");
        assertEquals(2, balora("finetune", "--train", empty.toString(), "--eval", eval.toString(), "--out", tmp.resolve("x4").toString()).code());

        Path noWeights = Files.createDirectories(tmp.resolve("model-without-weights"));
        Files.writeString(noWeights.resolve("config.json"), "{}");
        Result nw = balora("finetune", "--model", noWeights.toString(), "--train", train.toString(), "--eval", eval.toString(),
                "--out", tmp.resolve("x5").toString());
        assertEquals(2, nw.code(), nw.err());
        assertTrue(nw.err().contains("model.safetensors"), nw.err());

        Result badAdapter = balora("eval", "--adapter", tmp.resolve("no-adapter").toString(), "--eval", eval.toString());
        assertEquals(2, badAdapter.code(), badAdapter.err());
        assertEquals(2, balora("finetune", "--bogus-flag").code());
    }
}
