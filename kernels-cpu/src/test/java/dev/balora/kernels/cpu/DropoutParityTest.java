package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.backend.CounterRandom;
import dev.balora.core.tensor.HostStorage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API dropout draws the reference's mask bit for bit (the same float products, the same zeros) at odd
 * and even sizes, several p and keys, 1, 2 and 4 threads, and never writes past n; in place works.
 */
class DropoutParityTest {
    @Test
    void masksAndValuesEqualTheReferenceBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        int[] sizes = {1, 7, 8, 15, 16, 17, 63, 1000, 4099, 65537};
        for (int threads : new int[] {1, 2, 4}) {
            for (int n : sizes) {
                for (double p : new double[] {0.0, 0.1, 0.5, 0.9}) {
                    long key = r.nextLong();
                    float[] x = random(r, n, -3, 3);
                    HostStorage ref = s(poison(n + 3));
                    HostStorage cpu = s(poison(n + 3));
                    REF.dropout(s(x), ref, n, p, key);
                    Parallel.withThreads(threads, () -> CPU.dropout(s(x), cpu, n, p, key));
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToRawIntBits(data(ref)[i]), Float.floatToRawIntBits(data(cpu)[i]),
                                "n " + n + ", p " + p + ", threads " + threads + ", element " + i);
                    }
                    for (int i = n; i < n + 3; i++) {
                        assertTrue(Float.isNaN(data(cpu)[i]), "wrote past n at " + i);
                    }
                }
            }
        }
    }

    @Test
    void inPlaceEqualsOutOfPlace() {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = random(r, 1001, -1, 1);
        HostStorage out = s(new float[1001]);
        CPU.dropout(s(x), out, 1001, 0.25, 77);
        HostStorage inPlace = s(x.clone());
        CPU.dropout(inPlace, inPlace, 1001, 0.25, 77);
        for (int i = 0; i < 1001; i++) {
            assertEquals(data(out)[i], data(inPlace)[i]);
        }
    }

    @Test
    void keptElementsAreScaledAndTheRateIsP() {
        int n = 200_000;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        HostStorage y = s(new float[n]);
        CPU.dropout(s(ones), y, n, 0.1, 2024);
        float scale = CounterRandom.keepScaleF32(0.1);
        int dropped = 0;
        for (float v : data(y)) {
            assertTrue(v == 0f || v == scale, "value " + v);
            dropped += v == 0f ? 1 : 0;
        }
        assertTrue(Math.abs(dropped - 0.1 * n) < 6 * Math.sqrt(n * 0.09), "dropped " + dropped);
    }
}
