package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real training process with SIGKILL at several points — checkpoints are written after every step, so some
 * kills land inside a checkpoint write — and resumes each time. After every kill the last checkpoint must load, and
 * the final loss curve must equal an uninterrupted run's, bit for bit.
 */
class KillAndResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Process start(Path out, String mode) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KillableTraining.class.getName(),
                out.toString(), mode).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    static List<Double> losses(Path out) throws IOException {
        List<Double> l = new ArrayList<>();
        Path f = out.resolve(Trainer.METRICS_FILE);
        if (!Files.exists(f)) {
            return l;
        }
        for (String line : Files.readAllLines(f)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (n.has("loss") && !"eval".equals(n.path("type").asText())) {
                l.add(n.get("loss").asDouble());
            }
        }
        return l;
    }

    @Test
    void sigkillAtSeveralPointsThenResumeContinuesTheSameCurve(@TempDir Path tmp) throws Exception {
        Path reference = tmp.resolve("reference");
        Process p = start(reference, "run");
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "the uninterrupted run finishes");
        List<Double> expected = losses(reference);
        assertEquals(KillableTraining.STEPS, expected.size());

        Path out = tmp.resolve("killed");
        int kills = 0;
        String mode = "run";
        for (int killAfter : new int[] {3, 9, 16, 24}) {
            Process c = start(out, mode);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.isAlive() && readableLines(out) < killAfter && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            // Land somewhere inside the next step or its checkpoint write.
            Thread.sleep(killAfter % 4 * 11);
            c.destroyForcibly(); // SIGKILL
            c.waitFor(30, TimeUnit.SECONDS);
            kills++;
            CheckpointStore store = new CheckpointStore(out.resolve(Trainer.CHECKPOINT_DIR));
            assertTrue(store.exists(), "a checkpoint exists after kill " + kills);
            assertDoesNotThrow(store::load, "the last checkpoint is complete and readable after kill " + kills);
            mode = "resume";
        }
        Process last = start(out, "resume");
        assertTrue(last.waitFor(120, TimeUnit.SECONDS) && last.exitValue() == 0, "the final resume finishes");
        assertEquals(4, kills);
        assertEquals(expected, losses(out), "resumed runs continue the same loss curve");
    }

    private static int readableLines(Path out) {
        try {
            return losses(out).size();
        } catch (IOException | RuntimeException e) {
            return 0; // a line being written: try again
        }
    }
}
