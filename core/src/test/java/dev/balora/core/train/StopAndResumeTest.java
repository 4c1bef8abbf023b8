package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link StopSignal} stops a run after the step in progress with a checkpoint, and {@link Trainer#resumeOrRun()}
 * continues it: the metrics log (evaluation lines included) and the parameters end as an uninterrupted run's, bit
 * for bit. Also the cases around it: a stop before the first step, a log without a checkpoint, a finished run.
 */
class StopAndResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 45 examples, micro-batch 7, accumulation 2: 4 steps per epoch; 11 steps cross two epoch boundaries. */
    private static TrainerConfig config(Path out, long checkpointEvery) {
        return TrainerConfig.builder(out).microBatchSize(7).gradientAccumulationSteps(2).learningRate(0.02).warmupSteps(2)
                .decay(LrSchedule.Decay.COSINE).maxGradNorm(1.0).maxSteps(11).evalEvery(3).checkpointEvery(checkpointEvery)
                .seed(77).build();
    }

    private static ToyTask task() {
        return new ToyTask(45, 20, true, 0.2);
    }

    /** Requests the stop while step {@code at} runs (as a shutdown hook would, from outside the step). */
    private static TrainingListener stopDuring(StopSignal signal, long at) {
        return new TrainingListener() {
            @Override
            public void onStep(StepRecord r) {
                if (r.step() == at) {
                    signal.request();
                }
            }
        };
    }

    /** The log without its timing fields, which differ between any two runs. */
    static List<JsonNode> logWithoutTimes(Path out) throws IOException {
        List<JsonNode> out2 = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(Trainer.METRICS_FILE))) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            n.remove(List.of("elapsed_s", "examples_per_s", "tokens_per_s", "eval_s"));
            out2.add(n);
        }
        return out2;
    }

    private static Map<String, float[]> params(TrainingTask t) {
        Map<String, float[]> m = new java.util.LinkedHashMap<>();
        t.trainableParameters().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    private static void assertSameParams(Map<String, float[]> want, Map<String, float[]> got) {
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    }

    @Test
    void aStopSavesTheStepAndResumeOrRunContinuesBitForBit(@TempDir Path tmp) throws IOException {
        Path ref = tmp.resolve("ref");
        ToyTask full = task();
        new Trainer(full, config(ref, 4)).run();

        Path out = tmp.resolve("out");
        StopSignal signal = new StopSignal();
        // Step 6 is an evaluation step (evalEvery 3) and no periodic checkpoint (every 4): the stop must keep its
        // evaluation line and commit a checkpoint of its own.
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class,
                () -> new Trainer(task(), config(out, 4)).addListener(stopDuring(signal, 6)).stopOn(signal).run());
        assertEquals(6, e.step());
        assertEquals(11, e.totalSteps());
        assertEquals(out.resolve(Trainer.CHECKPOINT_DIR), e.checkpointDir());
        RunDirectory dir = new RunDirectory(out);
        assertEquals(RunDirectory.State.UNFINISHED, dir.state());
        assertEquals(6, dir.checkpoint().orElseThrow().step());
        assertEquals("step 6 of 11 is saved", dir.progress());

        ToyTask resumed = task();
        TrainingSummary s = new Trainer(resumed, config(out, 4)).stopOn(new StopSignal()).resumeOrRun();
        assertEquals(6, s.resumedFromStep());
        assertEquals(RunDirectory.State.FINISHED, dir.state());
        assertEquals(logWithoutTimes(ref), logWithoutTimes(out));
        assertSameParams(params(full), params(resumed));
    }

    @Test
    void aStopWithPeriodicCheckpointsOffStillSavesOne(@TempDir Path tmp) throws IOException {
        Path ref = tmp.resolve("ref");
        ToyTask full = task();
        new Trainer(full, config(ref, 0)).run();
        Path out = tmp.resolve("out");
        StopSignal signal = new StopSignal();
        assertThrows(TrainingStoppedException.class,
                () -> new Trainer(task(), config(out, 0)).addListener(stopDuring(signal, 2)).stopOn(signal).run());
        assertEquals(2, new RunDirectory(out).checkpoint().orElseThrow().step());
        ToyTask resumed = task();
        new Trainer(resumed, config(out, 0)).resumeOrRun();
        assertEquals(logWithoutTimes(ref), logWithoutTimes(out));
        assertSameParams(params(full), params(resumed));
    }

    @Test
    void aStopBeforeTheFirstStepSavesNothingAndTheRunStartsAgain(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        StopSignal signal = new StopSignal();
        signal.request();
        TrainingStoppedException e = assertThrows(TrainingStoppedException.class,
                () -> new Trainer(task(), config(out, 4)).stopOn(signal).run());
        assertEquals(0, e.step());
        assertNull(e.checkpointDir());
        assertEquals(RunDirectory.State.EMPTY, new RunDirectory(out).state());
        new Trainer(task(), config(out, 4)).resumeOrRun();
        Path ref = tmp.resolve("ref");
        new Trainer(task(), config(ref, 4)).run();
        assertEquals(logWithoutTimes(ref), logWithoutTimes(out));
    }

    @Test
    void aLogWithoutACheckpointIsClearedAndTheRunStartsAgain(@TempDir Path tmp) throws IOException {
        Path ref = tmp.resolve("ref");
        new Trainer(task(), config(ref, 4)).run();
        // A process killed before its first checkpoint leaves only log lines of unsaved steps.
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        List<String> head = Files.readAllLines(ref.resolve(Trainer.METRICS_FILE)).subList(0, 3);
        Files.write(out.resolve(Trainer.METRICS_FILE), head);
        RunDirectory dir = new RunDirectory(out);
        assertEquals(RunDirectory.State.UNFINISHED, dir.state());
        assertEquals("no step is saved yet (it starts again from step 0)", dir.progress());
        new Trainer(task(), config(out, 4)).resumeOrRun();
        assertEquals(logWithoutTimes(ref), logWithoutTimes(out), "no line appears twice");
    }

    @Test
    void resumingAFinishedRunAddsNoLineAndKeepsItsResults(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        TrainingSummary first = new Trainer(task(), config(out, 4)).run();
        List<JsonNode> log = logWithoutTimes(out);
        ToyTask again = task();
        TrainingSummary second = new Trainer(again, config(out, 4)).resumeOrRun();
        assertEquals(log, logWithoutTimes(out), "the final evaluation is not logged a second time");
        assertEquals(first.finalEval(), second.finalEval());
        assertEquals(first.finalLoss(), second.finalLoss());
        assertEquals(11, second.resumedFromStep());
    }

    @Test
    void aFinishedRunWithoutACheckpointIsNotRestarted(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        new Trainer(task(), config(out, 0)).run();
        assertEquals(RunDirectory.State.FINISHED, new RunDirectory(out).state());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Trainer(task(), config(out, 0)).resumeOrRun());
        assertTrue(e.getMessage().contains("nothing to resume"), e.getMessage());
    }
}
