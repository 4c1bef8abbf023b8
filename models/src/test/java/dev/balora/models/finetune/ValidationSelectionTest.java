package dev.balora.models.finetune;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.train.EvalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Protocol v2's selection rule, patience and the rebuild of the state from metrics.jsonl on resume. */
class ValidationSelectionTest {
    static EvalRecord eval(long step, double acc, double loss) {
        return new EvalRecord(step, step / 10.0, Map.of("accuracy", acc, "loss", loss), 0.1);
    }

    @Test
    void accuracyFirstThenLossThenTheEarlierOne() {
        assertTrue(ValidationSelection.compare(Map.of("accuracy", 0.8, "loss", 0.9), Map.of("accuracy", 0.7, "loss", 0.1)) > 0);
        assertTrue(ValidationSelection.compare(Map.of("accuracy", 0.7, "loss", 0.4), Map.of("accuracy", 0.7, "loss", 0.5)) > 0);
        assertEquals(0, ValidationSelection.compare(Map.of("accuracy", 0.7, "loss", 0.4), Map.of("accuracy", 0.7, "loss", 0.4)));
        assertTrue(ValidationSelection.compare(Map.of("accuracy", 0.7), Map.of("accuracy", 0.7, "loss", 9.0)) < 0,
                "a missing loss counts as +infinity");
        ValidationSelection s = new ValidationSelection(0, null);
        s.onEval(eval(2, 0.6, 0.7));
        s.onEval(eval(4, 0.6, 0.7)); // a full tie: the earlier one stays best
        assertEquals(2, s.best().step());
        s.onEval(eval(6, 0.6, 0.69));
        assertEquals(6, s.best().step());
        assertFalse(s.shouldStop(), "patience 0 never stops");
    }

    @Test
    void patienceCountsEvaluationsWithoutImprovementAndTheHookSeesEachNewBest() {
        List<Long> saved = new ArrayList<>();
        ValidationSelection s = new ValidationSelection(2, r -> saved.add(r.step()));
        s.onEval(eval(1, 0.5, 1.0));
        s.onEval(eval(2, 0.6, 1.0));
        s.onEval(eval(3, 0.6, 1.1));
        assertFalse(s.shouldStop());
        s.onEval(eval(4, 0.55, 0.2));
        assertTrue(s.shouldStop());
        assertEquals(List.of(1L, 2L), saved);
        assertEquals(2, s.evaluationsSinceBest());
        assertEquals(4, s.evaluations());
        assertThrows(IllegalArgumentException.class, () -> new ValidationSelection(-1, null));
    }

    @Test
    void replayFromTheCheckpointedPrefixOfTheLogRebuildsTheState(@TempDir Path tmp) throws IOException {
        Path log = tmp.resolve("metrics.jsonl");
        String head = """
                {"type":"train","step":1,"loss":0.7}
                {"type":"eval","step":1,"epoch":0.1,"accuracy":0.5,"macro_f1":0.4,"mcc":0.0,"loss":0.69,"examples":20.0,"eval_s":0.2}
                {"type":"train","step":2,"loss":0.6}
                {"type":"eval","step":2,"epoch":0.2,"accuracy":0.75,"macro_f1":0.7,"mcc":0.5,"loss":0.6,"examples":20.0,"eval_s":0.2}
                """;
        String tail = """
                {"type":"train","step":3,"loss":0.5}
                {"type":"eval","step":3,"epoch":0.3,"accuracy":0.9,"loss":0.3,"eval_s":0.2}
                """;
        Files.writeString(log, head + tail);
        List<EvalRecord> seen = ValidationSelection.evaluationsIn(log, head.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(2, seen.size(), "only the evaluations before the checkpoint");
        assertEquals(Map.of("accuracy", 0.75, "macro_f1", 0.7, "mcc", 0.5, "loss", 0.6, "examples", 20.0), seen.get(1).metrics());
        List<Long> hook = new ArrayList<>();
        ValidationSelection s = new ValidationSelection(1, r -> hook.add(r.step()));
        s.replay(seen);
        assertEquals(2, s.best().step());
        assertTrue(hook.isEmpty(), "replay does not save again");
        Files.writeString(tmp.resolve("bad.jsonl"), "{\"type\":\"eval\"\n");
        assertThrows(IOException.class, () -> ValidationSelection.evaluationsIn(tmp.resolve("bad.jsonl"), 15));
    }
}
