package dev.balora.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dropout generator: SplitMix64 by counter, its threshold, its drop rate, and the reference kernel. */
class CounterRandomTest {
    @Test
    void bitsAreSplittableRandomsSequenceByIndex() {
        for (long key : new long[] {0, 1, -7, 0x123456789ABCDEFL, Long.MIN_VALUE}) {
            SplittableRandom r = new SplittableRandom(key);
            for (long i = 0; i < 1000; i++) {
                assertEquals(r.nextLong(), CounterRandom.bits(key, i), "key " + key + ", element " + i);
            }
        }
    }

    @Test
    void thresholdsAreProbabilityTimesTwoToThe32() {
        assertEquals(0, CounterRandom.dropThreshold(0));
        assertEquals(1L << 31, CounterRandom.dropThreshold(0.5));
        assertEquals(429496730L, CounterRandom.dropThreshold(0.1));
        assertEquals(0xFFFF_FFFFL, CounterRandom.dropThreshold(Math.nextDown(1.0)));
        assertThrows(IllegalArgumentException.class, () -> CounterRandom.dropThreshold(1.0));
        assertThrows(IllegalArgumentException.class, () -> CounterRandom.dropThreshold(-0.1));
        assertThrows(IllegalArgumentException.class, () -> CounterRandom.dropThreshold(Double.NaN));
    }

    @Test
    void theDropRateIsPWithinBinomialNoise() {
        int n = 1_000_000;
        for (double p : new double[] {0.1, 0.5, 0.9}) {
            long t = CounterRandom.dropThreshold(p);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                dropped += CounterRandom.keep(42, i, t) ? 0 : 1;
            }
            double sd = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(dropped - n * p) < 6 * sd, "p " + p + ": dropped " + dropped + " of " + n);
        }
    }

    @Test
    void neighbouringKeysGiveUnrelatedMasks() {
        long t = CounterRandom.dropThreshold(0.5);
        int agree = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            agree += CounterRandom.keep(1000, i, t) == CounterRandom.keep(1001, i, t) ? 1 : 0;
        }
        assertTrue(Math.abs(agree - n / 2.0) < 6 * Math.sqrt(n / 4.0), "agreement " + agree + " of " + n);
    }

    @Test
    void referenceKernelKeepsScalesAndZeroes() {
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 500.25f;
        }
        HostStorage in = HostStorage.of(x);
        HostStorage out = HostStorage.allocate(DType.F32, x.length);
        double p = 0.3;
        ReferenceBackend.INSTANCE.dropout(in, out, x.length, p, 99);
        long t = CounterRandom.dropThreshold(p);
        float scale = CounterRandom.keepScaleF32(p);
        for (int i = 0; i < x.length; i++) {
            float expected = CounterRandom.keep(99, i, t) ? x[i] * scale : 0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out.f32()[i]), "element " + i);
        }
    }
}
