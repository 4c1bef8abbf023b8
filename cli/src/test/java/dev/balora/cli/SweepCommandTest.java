package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.train.StepRecord;
import dev.balora.core.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code balora sweep} end to end with the real MiniLM on a small slice of the food reviews: a 5-point grid with
 * references to earlier groups' winners, the table, skipping finished points, a point rerun alone (by the sweep and by
 * the equivalent {@code balora finetune}) giving the same bits, an interrupted point resumed to the same bits, the
 * plan, adoption of an outside run, and one-line errors for bad grids.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepCommandTest {
    @TempDir
    static Path tmp;
    static Path grid;
    static Path sweep;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FINAL = "final+method=lora+seed=7";
    static final String LR_POINT = "lora-lr+lr=0.003";

    static Path train;
    static Path eval;
    static Path test;

    @BeforeAll
    static void gridAndData() throws Exception {
        List<String> lines = Files.readAllLines(CliEndToEndTest.repoData().resolve("food-reviews/food-reviews-train.tsv"));
        train = tmp.resolve("train.tsv");
        eval = tmp.resolve("eval.tsv");
        test = tmp.resolve("test.tsv");
        Files.write(train, lines.subList(0, 25)); // header + 24 rows of both labels: 3 steps per epoch, 6 in all
        Files.write(eval, CliEndToEndTest.concat(lines.get(0), lines.subList(25, 37)));
        Files.write(test, CliEndToEndTest.concat(lines.get(0), lines.subList(37, 45)));
        grid = tmp.resolve("grid.json");
        Files.writeString(grid, gridJson(train, eval, test));
        sweep = tmp.resolve("sweep");
    }

    static String gridJson(Path train, Path eval, Path test) {
        return """
                {"name": "tiny",
                 "defaults": {"model": "minilm", "train": "%s", "eval": "%s", "test": "%s", "rank": 2, "batch": 8,
                              "max-length": 16, "epochs": 2, "eval-every": 2, "patience": 2, "select": "best",
                              "checkpoint-every": 2, "head-lr": 1e-2, "seed": 3},
                 "groups": [
                   {"name": "lora-lr", "set": {"method": "lora"}, "axes": {"lr": [1e-4, 3e-3]}},
                   {"name": "balora-lambda", "set": {"method": "balora", "pissa-niter": 2, "lr": "$best(lora-lr).lr"},
                    "axes": {"lambda-scale": [1, 3.0]}},
                   {"name": "final", "points": [{"method": "lora", "lr": "$best(lora-lr).lr"}], "seeds": [7]}
                 ]}
                """.formatted(train, eval, test);
    }

    static CliEndToEndTest.Result balora(String... args) {
        return CliEndToEndTest.balora(args);
    }

    static JsonNode json(Path f) throws IOException {
        return JSON.readTree(f.toFile());
    }

    /** The files a point shares bit for bit with any rerun of it (times and paths excluded). */
    static void assertSameRun(Path a, Path b) throws IOException {
        for (String f : List.of("predictions.tsv", "test_predictions.tsv", "adapter/adapter_model.safetensors",
                "best/parameters.safetensors", "selection.json")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f + " of " + a + " vs " + b);
        }
        assertEquals(withoutTimes(a.resolve("metrics.jsonl")), withoutTimes(b.resolve("metrics.jsonl")), "metrics.jsonl");
        JsonNode ta = json(a.resolve("test_metrics.json"));
        JsonNode tb = json(b.resolve("test_metrics.json"));
        for (String k : List.of("accuracy", "macro_f1", "mcc", "loss")) {
            assertEquals(ta.get(k).asDouble(), tb.get(k).asDouble(), 0.0, "test " + k);
        }
    }

    static List<String> withoutTimes(Path metrics) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(metrics)) {
            ObjectNode n = (ObjectNode) JSON.readTree(l);
            n.remove(List.of("examples_per_s", "tokens_per_s", "elapsed_s", "eval_s"));
            out.add(n.toString());
        }
        return out;
    }

    @Test
    @Order(1)
    void runsEveryPointResolvesTheWinnersAndWritesTheTable() throws Exception {
        CliEndToEndTest.Result r = balora("sweep", grid.toString(), "--out", sweep.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        List<String> ids = List.of("lora-lr+lr=0.0001", LR_POINT, "balora-lambda+lambda-scale=1",
                "balora-lambda+lambda-scale=3", FINAL);
        for (String id : ids) {
            Path d = sweep.resolve("points").resolve(id);
            JsonNode p = json(d.resolve("point.json"));
            assertEquals("done", p.get("status").asText(), id);
            for (String f : List.of("settings.json", "metrics.jsonl", "summary.json", "selection.json", "predictions.tsv",
                    "test_predictions.tsv", "test_metrics.json", "adapter/adapter_config.json", "adapter/balora_config.json",
                    "results.md", "loss.png", "command.txt", "best/parameters.safetensors")) {
                assertTrue(Files.exists(d.resolve(f)), id + " lacks " + f);
            }
            assertFalse(Files.exists(d.resolve("checkpoint")), "a finished point's checkpoint is deleted");
            assertEquals(json(d.resolve("selection.json")).get("best_eval").get("accuracy").asDouble(),
                    p.get("validation").get("accuracy").asDouble(), 0.0);
        }
        // the winner of lora-lr by validation accuracy, then loss, is what the later groups used
        JsonNode a = json(sweep.resolve("points/lora-lr+lr=0.0001/point.json")).get("validation");
        JsonNode b = json(sweep.resolve("points/" + LR_POINT + "/point.json")).get("validation");
        int cmp = dev.balora.models.finetune.ValidationSelection.compare(
                Map.of("accuracy", a.get("accuracy").asDouble(), "loss", a.get("loss").asDouble()),
                Map.of("accuracy", b.get("accuracy").asDouble(), "loss", b.get("loss").asDouble()));
        String winnerLr = cmp >= 0 ? "0.0001" : "0.003";
        for (String id : List.of("balora-lambda+lambda-scale=1", "balora-lambda+lambda-scale=3", FINAL)) {
            assertEquals(winnerLr, json(sweep.resolve("points").resolve(id).resolve("point.json")).get("options").get("lr").asText(), id);
        }
        JsonNode settings = json(sweep.resolve("points/balora-lambda+lambda-scale=3/settings.json"));
        assertEquals(0.45, settings.get("lambda1").asDouble(), 1e-12, "lambda-scale 3 multiplies λ1 = 0.15");
        assertEquals(0.01, settings.get("head_lr").asDouble(), 0.0);
        JsonNode cfg = json(sweep.resolve("points/balora-lambda+lambda-scale=3/adapter/balora_config.json")).get("settings");
        assertEquals(0.01, cfg.get("head_lr").asDouble(), 0.0, "the head lr is recorded with the adapter");
        assertEquals(3.0, cfg.get("lambda_scale").asDouble(), 0.0);
        List<String> tsv = Files.readAllLines(sweep.resolve("sweep.tsv"));
        assertEquals(6, tsv.size(), "header + 5 points");
        assertTrue(Files.readString(sweep.resolve("sweep.md")).contains("★"), "winners are marked");
    }

    @Test
    @Order(2)
    void aSecondRunSkipsFinishedPointsAndChangesNothing() throws Exception {
        byte[] before = Files.readAllBytes(sweep.resolve("points").resolve(FINAL).resolve("adapter/adapter_model.safetensors"));
        CliEndToEndTest.Result r = balora("sweep", grid.toString(), "--out", sweep.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(5, r.out().lines().filter(l -> l.contains("done already")).count(), r.out());
        assertArrayEquals(before, Files.readAllBytes(sweep.resolve("points").resolve(FINAL).resolve("adapter/adapter_model.safetensors")));
    }

    @Test
    @Order(3)
    void aPointRerunAloneGivesTheSameBitsBySweepAndByFinetune() throws Exception {
        Path saved = tmp.resolve("saved-final");
        copy(sweep.resolve("points").resolve(FINAL), saved);
        // 1. the equivalent balora finetune command, in a fresh folder
        String cmd = Files.readString(saved.resolve("command.txt")).trim();
        List<String> args = new ArrayList<>(Arrays.asList(cmd.split(" ")));
        assertEquals(List.of("balora", "finetune"), args.subList(0, 2));
        args = new ArrayList<>(args.subList(1, args.size() - 2)); // drop "balora" and "--out DIR"
        Path alone = tmp.resolve("alone");
        args.addAll(List.of("--out", alone.toString()));
        CliEndToEndTest.Result r = balora(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertSameRun(saved, alone);
        // 2. the sweep again, only that point, after its folder was removed
        SweepRunner.deleteTree(sweep.resolve("points").resolve(FINAL));
        r = balora("sweep", grid.toString(), "--out", sweep.toString(), "--only", FINAL);
        assertEquals(0, r.code(), r.err());
        assertSameRun(saved, sweep.resolve("points").resolve(FINAL));
    }

    @Test
    @Order(4)
    void anInterruptedPointResumesFromItsCheckpointToTheSameBits() throws Exception {
        Path saved = tmp.resolve("saved-lr");
        copy(sweep.resolve("points").resolve(LR_POINT), saved);
        Path dir = sweep.resolve("points").resolve(LR_POINT);
        SweepRunner.deleteTree(dir);
        // what a killed sweep leaves: point.json "running", a checkpoint at step 4, metrics up to step 5
        SweepGrid g = SweepGrid.read(grid, SweepRunner::isFinetuneOption);
        SweepGrid.Point p = g.points().stream().filter(q -> q.id().equals(LR_POINT)).findFirst().orElseThrow();
        List<String> args = SweepRunner.arguments(p.options());
        SweepPointRecord.running(p, p.options(), args).write(dir);
        FinetuneCommand fc = SweepRunner.finetune("test", args);
        TrainingListener kill = new TrainingListener() {
            @Override
            public void onStep(StepRecord s) {
                if (s.step() == 5) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThrows(IllegalStateException.class,
                () -> fc.execute(dev.balora.models.PretrainedEncoder::load, dir, SweepRunner.control(fc, false), false,
                        List.of(kill)));
        assertTrue(Files.exists(dir.resolve("checkpoint/checkpoint.json")));
        CliEndToEndTest.Result r = balora("sweep", grid.toString(), "--out", sweep.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(LR_POINT + ": resuming from its checkpoint"), r.out());
        assertEquals(4, json(dir.resolve("summary.json")).get("resumed_from_step").asLong());
        assertSameRun(saved, dir);
    }

    @Test
    @Order(5)
    void thePlanListsResolvedArgumentsAndAdoptTakesAnOutsideRun() throws Exception {
        CliEndToEndTest.Result r = balora("sweep", grid.toString(), "--out", sweep.toString(), "--plan");
        assertEquals(0, r.code(), r.err());
        JsonNode plan = JSON.readTree(r.out());
        assertEquals(5, plan.get("points").size());
        JsonNode fin = plan.get("points").get(4);
        assertEquals(FINAL, fin.get("id").asText());
        assertEquals("done", fin.get("status").asText());
        assertTrue(fin.get("args").toString().contains("\"--lr\""), fin.toString());
        // a fresh sweep folder: only the first group is runnable; the others wait for it
        Path other = tmp.resolve("other");
        JsonNode fresh = JSON.readTree(balora("sweep", grid.toString(), "--out", other.toString(), "--plan").out());
        assertTrue(fresh.get("points").get(4).get("args").isNull());
        assertEquals("lora-lr", fresh.get("points").get(4).get("waiting_for").get(0).asText());
        // adopt the two lora-lr runs of the first sweep (as Ray Tune trials would hand them over)
        for (String id : List.of("lora-lr+lr=0.0001", LR_POINT)) {
            r = balora("sweep", grid.toString(), "--out", other.toString(), "--adopt", id, "--from",
                    sweep.resolve("points").resolve(id).toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(json(sweep.resolve("points").resolve(id).resolve("point.json")).get("validation"),
                    json(other.resolve("points").resolve(id).resolve("point.json")).get("validation"));
        }
        JsonNode now = JSON.readTree(balora("sweep", grid.toString(), "--out", other.toString(), "--plan").out());
        assertEquals(fin.get("args"), now.get("points").get(4).get("args"), "the same winner, the same arguments");
        r = balora("sweep", grid.toString(), "--out", other.toString(), "--adopt", FINAL,
                "--adopt-status", "stopped");
        assertEquals(0, r.code(), r.err());
        assertEquals("stopped", json(other.resolve("points").resolve(FINAL).resolve("point.json")).get("status").asText());
    }

    @Test
    @Order(6)
    void yamlAndJsonGridsExpandAlikeAndBadGridsGetOneLine() throws Exception {
        Path yaml = tmp.resolve("grid.yaml");
        Files.writeString(yaml, """
                name: tiny
                defaults: {model: minilm, train: %s, eval: %s, test: %s, rank: 2, batch: 8, max-length: 16, epochs: 2,
                           eval-every: 2, patience: 2, select: best, checkpoint-every: 2, head-lr: 0.01, seed: 3}
                groups:
                  - {name: lora-lr, set: {method: lora}, axes: {lr: [1.0e-4, 0.003]}}
                  - {name: balora-lambda, set: {method: balora, pissa-niter: 2, lr: "$best(lora-lr).lr"}, axes: {lambda-scale: [1, 3]}}
                  - name: final
                    points: [{method: lora, lr: "$best(lora-lr).lr"}]
                    seeds: [7]
                """.formatted(train, eval, test));
        SweepGrid a = SweepGrid.read(grid, SweepRunner::isFinetuneOption);
        SweepGrid b = SweepGrid.read(yaml, SweepRunner::isFinetuneOption);
        assertEquals(a.points(), b.points());

        Map<String, String> bad = Map.of(
                "{\"groups\": [{\"name\": \"g\", \"set\": {\"learning-rate\": 1}}]}", "'learning-rate' is not a balora finetune option",
                "{\"groups\": [{\"name\": \"g\", \"set\": {\"lr\": \"$best(nope).lr\"}}]}", "refers to no earlier group",
                "{\"groups\": [{\"name\": \"g\", \"set\": {\"out\": \"x\"}}]}", "'out' is set by balora sweep",
                "{\"groups\": [{\"name\": \"g\", \"points\": [{\"seed\": 1}, {\"seed\": 1}]}]}", "two points have the id",
                "{\"groups\": [{\"name\": \"g\", \"set\": {\"lr\": \"$best(g\"}}]}", "is not a reference",
                "{\"groups\": []}", "field groups: expected a non-empty list",
                "{\"groups\": [{\"name\": \"g\", \"set\": {\"lr\": -1, \"train\": \"a\", \"eval\": \"b\"}}]}", "--lr -1.0: expected a finite number > 0",
                "{\"groups\": [ ", "not valid JSON");
        int i = 0;
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path f = tmp.resolve("bad" + i++ + ".json");
            Files.writeString(f, e.getKey());
            CliEndToEndTest.Result r = balora("sweep", f.toString(), "--out", tmp.resolve("nope").toString());
            assertEquals(2, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.err().contains(e.getValue()), e.getKey() + " -> " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertTrue(r.err().contains(f.toString()) || e.getValue().contains("--lr"), "names the file: " + r.err());
        }
        assertFalse(Files.exists(tmp.resolve("nope/points")), "nothing ran");
    }

    @Test
    @Order(7)
    void lanesRunShardsInChildJvmsPinnedToCpus() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset"))
                || Files.isExecutable(Path.of("/bin/taskset")), "taskset is not installed");
        Path lanes = tmp.resolve("lanes");
        // the first group only: two points, one per lane (both on CPU 0, which every machine has)
        Path one = tmp.resolve("one-group.json");
        JsonNode g = JSON.readTree(Files.readString(grid));
        ((com.fasterxml.jackson.databind.node.ArrayNode) g.get("groups")).remove(2);
        ((com.fasterxml.jackson.databind.node.ArrayNode) g.get("groups")).remove(1);
        Files.writeString(one, g.toString());
        CliEndToEndTest.Result r = balora("sweep", one.toString(), "--out", lanes.toString(), "--lanes", "0,0");
        assertEquals(0, r.code(), r.out() + r.err() + Files.readString(lanes.resolve("lanes/lane-0.log")));
        for (String id : List.of("lora-lr+lr=0.0001", LR_POINT)) {
            assertSameRun(sweep.resolve("points").resolve(id), lanes.resolve("points").resolve(id));
        }
        assertTrue(Files.readString(lanes.resolve("lanes/lane-1.log")).contains("lane 1 of 2"));
        assertEquals(Set.of("lora-lr+lr=0.0001"), Set.copyOf(Files.readAllLines(lanes.resolve("lanes/lane-0.log")).stream()
                .filter(l -> l.contains(": done,")).map(l -> l.split(" ")[1].replace(":", "")).toList()));
    }

    static void copy(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}
