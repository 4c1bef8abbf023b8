package dev.balora.core.balora;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SPEC §2.5, exactly (1e-5), in float32 and float64. */
class WorkedExampleTest {
    static final double[] ZF = {1, 2, 0, 0, 1, 3, 2, 0, 1, 1, 1, 1};
    static final double[] ZP = {2, 1, 0, 0, 0, 1, 1, 1, 1, 0, 2, 1};

    static Tensor t(double[] v, DType d) {
        if (d == DType.F64) {
            return Tensor.of(v, 4, 3);
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, 4, 3);
    }

    @Test
    void everyTermMatchesTheSpec() {
        for (DType d : DType.values()) {
            Tensor zf = t(ZF, d);
            Tensor zp = t(ZP, d);
            assertEquals(-0.496131, new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 1, 0).apply(zf, null).item(), 1e-5, d + " nuclear");
            assertEquals(-0.809578, new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 1, 0).apply(zf, null).item(), 1e-5, d + " frobenius");
            assertEquals(0.444444, new DiversityCovariance().apply(zf, null).item(), 1e-5, d + " covariance");
            assertEquals(0.340816, new ConsistencyKl(2.0).apply(zf, zp).item(), 1e-5, d + " kl");
            assertEquals(0.117021, new ConsistencyCosineMse().apply(zf, zp).item(), 1e-5, d + " cosine_mse");
            assertEquals(-0.555722, new DiversityTopKEntropy(2).apply(zf, null).item(), 1e-5, d + " top-2 entropy");
            assertEquals(-0.821918, new DiversityTopKEntropy(0).apply(zf, null).item(), 1e-5, d + " full entropy");
        }
    }

    @Test
    void singularValuesOfTheExample() {
        var svd = dev.balora.core.linalg.ThinSvd.viaGram(new dev.balora.core.linalg.Matrix64(4, 3, ZF.clone()));
        assertArrayEquals(new double[] {3.882602, 2.246506, 1.696647}, svd.sigma(), 1e-6);
    }

    @Test
    void degenerateTermsAreTrackedZerosWithAZeroGradient() {
        Tensor one = Tensor.of(new double[] {1, 2, 3}, 1, 3).requiresGrad(true);
        Tensor cov = new DiversityCovariance().apply(one, null);
        assertEquals(0.0, cov.item(), 0);
        assertTrue(cov.requiresGrad(), "a skipped term is recorded, so callers need no special case");
        cov.backward();
        assertArrayEquals(new double[3], one.grad().toDoubleArray(), 0);
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor nuclear = new SvdRegularizer(SvdRegularizer.Norm.NUCLEAR, 5, 0).apply(logits, null);
        assertEquals(0.0, nuclear.item(), 0);
        nuclear.backward();
        assertArrayEquals(new double[6], logits.grad().toDoubleArray(), 0);
        Tensor zeros = Tensor.zeros(DType.F64, 4, 3).requiresGrad(true);
        Tensor flat = new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 1, 0).apply(zeros, null);
        assertEquals(0.0, flat.item(), 0);
        flat.backward();
        assertArrayEquals(new double[12], zeros.grad().toDoubleArray(), 0);
    }

    /** With k ≥ min(M, w) the frobenius term is −‖Z‖_* / ‖Z‖_F (SPEC §2): computed, with a gradient. */
    @Test
    void frobeniusTermWithKAtLeastTheRankIsComputed() {
        double[] z = {1, 2, 3, 4, 5, 6};
        Tensor logits = Tensor.of(z.clone(), 3, 2).requiresGrad(true);
        Tensor loss = new SvdRegularizer(SvdRegularizer.Norm.FROBENIUS, 10, 0).apply(logits, null);
        double[] sigma = dev.balora.core.linalg.ThinSvd.viaGram(new dev.balora.core.linalg.Matrix64(3, 2, z.clone())).sigma();
        double f = 0;
        for (double v : z) {
            f += v * v;
        }
        assertEquals(-(sigma[0] + sigma[1]) / Math.sqrt(f), loss.item(), 1e-12);
        loss.backward();
        double norm = 0;
        for (double g : logits.grad().toDoubleArray()) {
            norm += g * g;
        }
        assertTrue(norm > 1e-6, "the term has a gradient: " + norm);
    }
}
