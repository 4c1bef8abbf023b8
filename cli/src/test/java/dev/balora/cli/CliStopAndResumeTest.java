package dev.balora.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.train.CheckpointStore;
import dev.balora.core.train.Trainer;
import dev.balora.models.HfCheckpoint;
import dev.balora.models.ModelArtifacts;
import dev.balora.models.bert.BertConfig;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signals against the real command line: each run is a child JVM running {@code balora}, stopped with SIGINT
 * or SIGTERM (Ctrl-C, {@code kill}) and crashed with SIGKILL mid-training, then continued with {@code --resume}.
 * The continued run must end exactly as an uninterrupted one: the same metrics log (timings aside), line for line
 * and bit for bit, and the same adapter or model file, byte for byte.
 */
class CliStopAndResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_S = 240;

    /** A child JVM running {@code balora args...}; its output goes to {@code log}. */
    static Process balora(Path log, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static int finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS), "balora finishes: " + tail(log));
        return p.exitValue();
    }

    static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    /** Optimizer steps logged so far (0 while the log is missing or a line is half written). */
    static int stepsLogged(Path out) {
        try {
            return (int) Files.readAllLines(out.resolve(Trainer.METRICS_FILE)).stream()
                    .filter(l -> l.startsWith("{\"type\":\"train\"") && l.endsWith("}")).count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static void waitForSteps(Process p, Path out, int steps, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (stepsLogged(out) < steps) {
            assertTrue(p.isAlive(), "the run is still training when it is signalled: " + tail(log));
            assertTrue(System.nanoTime() < deadline, "no progress: " + tail(log));
            Thread.sleep(5);
        }
    }

    /** Whether {@code pid} ignores SIGINT (a child of a shell's background job does; the JVM then keeps ignoring it). */
    static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    /**
     * Sends SIGINT (or SIGTERM where this process inherited an ignored SIGINT) and checks the stop: exit 130 / 143,
     * the step it saved named with the way to continue.
     *
     * @return the step saved
     */
    static long interrupt(Process p, Path out, Path log, boolean sigterm) throws Exception {
        boolean term = sigterm || ignoresSigint(p.pid());
        Process kill = new ProcessBuilder("kill", term ? "-TERM" : "-INT", Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
        assertEquals(term ? 143 : 130, finish(p, log), tail(log));
        String text = tail(log);
        Matcher m = Pattern.compile("stopped after step (\\d+) of \\d+; checkpoint saved\\. Continue with: balora \\S+ "
                + "--resume " + Pattern.quote(out.toString())).matcher(text);
        assertTrue(m.find(), text);
        long step = Long.parseLong(m.group(1));
        assertEquals(step, new CheckpointStore(out.resolve(Trainer.CHECKPOINT_DIR)).read().step(), "the stop's checkpoint");
        assertEquals(step, stepsLogged(out), "the log holds exactly the saved steps");
        return step;
    }

    /** SIGKILL mid-training: nothing runs, the last committed checkpoint must still load. */
    static void crash(Process p, Path out, Path log) throws Exception {
        p.destroyForcibly();
        assertTrue(p.waitFor(TIMEOUT_S, TimeUnit.SECONDS));
        assertDoesNotThrow(() -> new CheckpointStore(out.resolve(Trainer.CHECKPOINT_DIR)).load(), tail(log));
    }

    /** The metrics log without timings (which differ between any two runs). */
    static List<JsonNode> log(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve(Trainer.METRICS_FILE))) {
            ObjectNode n = (ObjectNode) JSON.readTree(l);
            n.remove(List.of("elapsed_s", "examples_per_s", "tokens_per_s", "eval_s"));
            lines.add(n);
        }
        return lines;
    }

    static void assertSameRun(Path expected, Path actual, List<String> files) throws IOException {
        List<JsonNode> want = log(expected);
        List<JsonNode> got = log(actual);
        assertEquals(want.size(), got.size(), "lines in metrics.jsonl: no step logged twice, none missing");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), "metrics.jsonl line " + (i + 1));
        }
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)),
                    f + " byte for byte");
        }
        assertFalse(Files.exists(actual.resolve(Trainer.CHECKPOINT_DIR)), "the checkpoint is removed once the run is done");
    }

    /** A 2-layer, 32-wide BERT with random weights and MiniLM's tokenizer: training steps of milliseconds. */
    static Path tinyBert(Path dir) throws IOException {
        BertConfig cfg = new BertConfig(30522, 32, 2, 2, 64, 64, 2, 1e-12, "gelu");
        byte[] tokenizer;
        try (ModelArtifacts.SizedStream s = ModelArtifacts.locate(ModelArtifacts.Model.ALL_MINILM_L6_V2).openTokenizer();
             InputStream in = s.stream()) {
            tokenizer = in.readAllBytes();
        }
        HfCheckpoint.save(dir, cfg, new BertModel(cfg, BertOptions.defaults().withSeed(3)), tokenizer);
        return dir;
    }

    @Test
    void finetuneSurvivesCtrlCAndAKillAndResumesBitForBit(@TempDir Path tmp) throws Exception {
        List<String> rows = Files.readAllLines(CliEndToEndTest.repoData().resolve("food-reviews/food-reviews-train.tsv"));
        Path train = Files.write(tmp.resolve("train.tsv"), rows.subList(0, 41));
        Path eval = Files.write(tmp.resolve("eval.tsv"), CliEndToEndTest.concat(rows.get(0), rows.subList(41, 61)));
        Path test = Files.write(tmp.resolve("test.tsv"), CliEndToEndTest.concat(rows.get(0), rows.subList(61, 74)));
        Path model = tinyBert(tmp.resolve("tiny-bert"));
        String[] run = {"finetune", "--model", model.toString(), "--train", train.toString(), "--eval", eval.toString(),
                "--test", test.toString(), "--device", "cpu", "--method", "balora",
                "--max-length", "32", "--batch", "4", "--epochs", "5", "--eval-every", "7", "--lr", "1e-3",
                "--checkpoint-every", "5"};
        Path ref = tmp.resolve("ref");
        Path refLog = tmp.resolve("ref.log");
        assertEquals(0, finish(balora(refLog, concat(run, "--out", ref.toString())), refLog), tail(refLog));

        Path out = tmp.resolve("out");
        Path log1 = tmp.resolve("1.log");
        Process first = balora(log1, concat(run, "--out", out.toString()));
        waitForSteps(first, out, 8, log1);
        long stopped = interrupt(first, out, log1, false);
        assertEquals("cpu", RunArguments.read(out).device(), "the device is saved for the resume");

        // The same command again: one line naming --resume, exit 2, nothing touched.
        CliEndToEndTest.Result again = CliEndToEndTest.balora(concat(run, "--out", out.toString()));
        assertEquals(2, again.code(), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(again.err().contains("holds an unfinished run (step " + stopped + " of ")
                && again.err().contains("balora finetune --resume " + out), again.err());

        Path log2 = tmp.resolve("2.log");
        Process second = balora(log2, "finetune", "--resume", out.toString());
        waitForSteps(second, out, (int) stopped + 12, log2);
        crash(second, out, log2);

        Path log3 = tmp.resolve("3.log");
        assertEquals(0, finish(balora(log3, "finetune", "--resume", out.toString()), log3), tail(log3));
        assertSameRun(ref, out, List.of("adapter/adapter_model.safetensors", "predictions.tsv", "test_predictions.tsv"));

        CliEndToEndTest.Result done = CliEndToEndTest.balora("finetune", "--resume", out.toString());
        assertEquals(2, done.code());
        assertTrue(done.err().contains("nothing to resume"), done.err());
    }

    @Test
    void pretrainAndFinetuneLmSurviveSigtermAndCtrlCAndResumeBitForBit(@TempDir Path tmp) throws Exception {
        Path austen = CliEndToEndTest.repoData().resolve("austen");
        Path text = Files.writeString(tmp.resolve("base.txt"), Files.readString(austen.resolve("emma.txt")).substring(0, 60_000));
        Path target = Files.writeString(tmp.resolve("target.txt"),
                Files.readString(austen.resolve("persuasion.txt")).substring(0, 30_000));

        // pretrain: stopped by SIGTERM, resumed; the saved model equals an uninterrupted run's byte for byte.
        String[] pretrain = {"pretrain", "--smoke", "--text", text.toString(), "--max-steps", "30", "--checkpoint-every", "6"};
        Path ref = tmp.resolve("pre-ref");
        Path refLog = tmp.resolve("pre-ref.log");
        assertEquals(0, finish(balora(refLog, concat(pretrain, "--out", ref.toString())), refLog), tail(refLog));
        Path out = tmp.resolve("pre");
        Path log1 = tmp.resolve("pre-1.log");
        Process first = balora(log1, concat(pretrain, "--out", out.toString()));
        waitForSteps(first, out, 9, log1);
        interrupt(first, out, log1, true);
        Path log2 = tmp.resolve("pre-2.log");
        assertEquals(0, finish(balora(log2, "pretrain", "--resume", out.toString()), log2), tail(log2));
        assertSameRun(ref, out, List.of("model/model.safetensors", "model/tokenizer.json", "model/config.json"));

        // finetune-lm (BA-LoRA on that base): stopped by Ctrl-C, resumed; the same adapter.
        Path base = ref.resolve("model");
        String[] lm = {"finetune-lm", "--model", base.toString(), "--text", target.toString(),
                "--method", "balora", "--max-steps", "24", "--checkpoint-every", "4"};
        Path lmRef = tmp.resolve("lm-ref");
        Path lmRefLog = tmp.resolve("lm-ref.log");
        assertEquals(0, finish(balora(lmRefLog, concat(lm, "--out", lmRef.toString())), lmRefLog), tail(lmRefLog));
        Path lmOut = tmp.resolve("lm");
        Path log3 = tmp.resolve("lm-1.log");
        Process third = balora(log3, concat(lm, "--out", lmOut.toString()));
        waitForSteps(third, lmOut, 7, log3);
        interrupt(third, lmOut, log3, false);
        Path log4 = tmp.resolve("lm-2.log");
        assertEquals(0, finish(balora(log4, "finetune-lm", "--resume", lmOut.toString()), log4), tail(log4));
        assertSameRun(lmRef, lmOut, List.of("adapter/adapter_model.safetensors"));
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
