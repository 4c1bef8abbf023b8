package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.train.LrSchedule.Decay;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Exact values of the HF schedules (get_linear/cosine/constant_schedule_with_warmup). */
class LrScheduleTest {
    @Test
    void linearWarmupThenLinearDecayToZeroAtT() {
        LrSchedule s = new LrSchedule(1e-3, 2, 10, Decay.LINEAR);
        assertEquals(0.0, s.at(0), 0.0);          // HF: the first update uses lr 0 when W > 0
        assertEquals(0.5e-3, s.at(1), 0.0);
        assertEquals(1e-3, s.at(2), 0.0);         // (10 − 2)/8 = 1
        assertEquals(1e-3 * 7 / 8, s.at(3), 0.0);
        assertEquals(0.5e-3, s.at(6), 0.0);
        assertEquals(1e-3 / 8, s.at(9), 0.0);
        assertEquals(0.0, s.at(10), 0.0);
        assertEquals(0.0, s.at(12), 0.0);         // clamped at 0 past T
    }

    @Test
    void cosineHalfCycleAfterWarmup() {
        LrSchedule s = new LrSchedule(2.0, 3, 13, Decay.COSINE);
        assertEquals(2.0 / 3, s.at(1), 0.0);
        assertEquals(2.0, s.at(3), 0.0);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.2)) * 2.0, s.at(5), 1e-15); // 1.809016994...
        assertEquals(1.8090169943749475, s.at(5), 1e-15);
        assertEquals(1.0, s.at(8), 1e-15);        // half-way: ½(1 + cos π/2)
        assertEquals(0.0, s.at(13), 1e-15);
    }

    @Test
    void constantAfterWarmupAndNoWarmupStartsAtPeak() {
        LrSchedule c = new LrSchedule(0.1, 4, 7, Decay.CONSTANT);
        assertEquals(0.025, c.at(1), 1e-17);
        assertEquals(0.1, c.at(4), 0.0);
        assertEquals(0.1, c.at(7), 0.0);
        LrSchedule l = new LrSchedule(0.1, 0, 5, Decay.LINEAR);
        assertEquals(0.1, l.at(0), 0.0);          // (5 − 0)/5
        assertEquals(0.1 * 0.8, l.at(1), 0.0);        // peak · ((5 − 1)/5), as HF multiplies
        LrSchedule cos = new LrSchedule(0.1, 0, 5, Decay.COSINE);
        assertEquals(0.1, cos.at(0), 0.0);
    }

    @Test
    void warmupRatioRoundsUpLikeHf() {
        TrainerConfig c = TrainerConfig.builder(Path.of("out")).maxSteps(25).warmupRatio(0.1).build();
        assertEquals(3, c.resolvedWarmupSteps(25));       // ceil(2.5)
        // 0.07 · 100 = 7.000000000000001 in binary floating point: HF's math.ceil gives 8, and so do we.
        TrainerConfig r = TrainerConfig.builder(Path.of("out")).maxSteps(100).warmupRatio(0.07).build();
        assertEquals(8, r.resolvedWarmupSteps(100));
        assertEquals(0, TrainerConfig.builder(Path.of("out")).build().resolvedWarmupSteps(30));
        assertEquals(7, TrainerConfig.builder(Path.of("out")).warmupSteps(7).build().resolvedWarmupSteps(30));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0, 0, 5, Decay.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, -1, 5, Decay.LINEAR));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1, 0, 0, Decay.LINEAR));
        assertEquals(Decay.COSINE, Decay.parse(" Cosine "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Decay.parse("poly"));
        assertTrue(e.getMessage().contains("poly"), e.getMessage());
    }
}
