package dev.balora.core.balora;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleAndObjectiveTest {
    @Test
    void cosineGoesFromLambdaToTenPercent() {
        assertEquals(0.025, Schedule.COSINE.weight(0.025, 0, 100), 1e-15);
        assertEquals(0.0025, Schedule.COSINE.weight(0.025, 100, 100), 1e-15);
        assertEquals(0.025 * (0.1 + 0.45), Schedule.COSINE.weight(0.025, 50, 100), 1e-15);
    }

    @Test
    void twoPhaseIsZeroThenRampsThenConstant() {
        // T = 100: t0 = 20, ramp 5 steps.
        assertEquals(0.0, Schedule.TWO_PHASE.weight(1.0, 19, 100));
        assertEquals(0.2, Schedule.TWO_PHASE.weight(1.0, 20, 100), 1e-15);
        assertEquals(0.6, Schedule.TWO_PHASE.weight(1.0, 22, 100), 1e-15);
        assertEquals(1.0, Schedule.TWO_PHASE.weight(1.0, 24, 100), 1e-15);
        assertEquals(1.0, Schedule.TWO_PHASE.weight(1.0, 99, 100), 1e-15);
        // Tiny runs: ramp of at least one step.
        assertEquals(0.0, Schedule.TWO_PHASE.weight(1.0, 0, 10));
        assertEquals(1.0, Schedule.TWO_PHASE.weight(1.0, 2, 10));
    }

    @Test
    void objectiveAddsWeightedTermsAndLogsThem() {
        Tensor z = Tensor.uniform(DType.F64, 1, -1, 1, 6, 8).requiresGrad(true);
        Tensor teacher = Tensor.uniform(DType.F64, 2, -1, 1, 6, 8);
        Tensor task = Ops.meanAll(Ops.square(z));
        BaLoraObjective obj = BaLoraObjective.nluDefaults(7);
        BaLoraObjective.Result r = obj.compute(task, z, teacher, 0, 10);
        double expected = r.task();
        for (String name : r.values().keySet()) {
            expected += r.values().get(name) * r.lambdas().get(name);
        }
        assertEquals(expected, r.total().item(), 1e-12);
        assertEquals(List.of("consistency_cosine_mse", "diversity_covariance", "svd_nuclear"), List.copyOf(r.values().keySet()));
        assertTrue(r.values().values().stream().allMatch(v -> v != 0.0), "every NLU term is active on a 6x8 target: " + r.values());
        r.total().backward();
        assertNotNull(z.grad());
    }

    @Test
    void nlgTermsAreOffDuringTheFirstPhase() {
        Tensor z = Tensor.uniform(DType.F64, 3, -1, 1, 30, 40).requiresGrad(true);
        BaLoraObjective.Result r = BaLoraObjective.nlgDefaults(1).compute(Ops.meanAll(z), z, z.detach(), 0, 100);
        assertEquals(0.0, r.lambdas().get("diversity_topk_entropy"));
        assertEquals(0.0, r.lambdas().get("svd_frobenius"));
        assertEquals(0.025, r.lambdas().get("consistency_kl"), 1e-15);
        assertEquals(0.0, r.values().get("consistency_kl"), 1e-12, "student equals teacher: KL is 0");
    }

    @Test
    void validPositionsGatherTheCrossEntropyRows() {
        Tensor logits = Tensor.uniform(DType.F64, 4, -1, 1, 2, 3, 5).requiresGrad(true);
        int[] labels = {-100, 1, 2, -100, -100, 4};
        Tensor z = BaLoraObjective.validPositions(logits, labels, -100);
        assertArrayEquals(new int[] {3, 5}, z.shape());
        double[] all = logits.toDoubleArray();
        double[] got = z.toDoubleArray();
        assertEquals(all[5], got[0]);
        assertEquals(all[2 * 5 + 4], got[2 * 5 + 4 - 5]);
        assertEquals(all[5 * 5], got[10]);
    }
}
