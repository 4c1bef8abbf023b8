package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class SimdSumLanesTest {
    /** The rotate-and-add tree of {@link Simd#sumLanes} written out in scalar code. */
    private static float treeSum(float[] lanes) {
        float[] s = lanes.clone();
        for (int k = lanes.length / 2; k >= 1; k /= 2) {
            float[] next = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                next[i] = s[i] + s[(i + k) % s.length];
            }
            s = next;
        }
        return s[0];
    }

    @Test
    void addsInTheDocumentedTreeOrderBitForBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] lanes = new float[Simd.LANES];
        for (int trial = 0; trial < 2_000; trial++) {
            for (int i = 0; i < lanes.length; i++) {
                // mixed magnitudes so that a different addition order would round differently
                lanes[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-3, 6)));
            }
            FloatVector v = FloatVector.fromArray(Simd.SPECIES, lanes, 0);
            assertEquals(Float.floatToIntBits(treeSum(lanes)), Float.floatToIntBits(Simd.sumLanes(v)),
                    "trial " + trial);
        }
    }

    @Test
    void orderMattersOnSuchDataSoTheTestAboveCanFail() {
        // On the same kind of data a left-to-right sum (what the interpreted reduceLanes does) often differs from
        // the tree: that difference is what made kernel results depend on the JIT tier.
        SplittableRandom rnd = new SplittableRandom(5);
        float[] lanes = new float[Simd.LANES];
        int differ = 0;
        for (int trial = 0; trial < 2_000; trial++) {
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-3, 6)));
            }
            float leftToRight = 0;
            for (float x : lanes) {
                leftToRight += x;
            }
            if (leftToRight != Simd.sumLanes(FloatVector.fromArray(Simd.SPECIES, lanes, 0))) {
                differ++;
            }
        }
        assertTrue(differ > 100, "left-to-right and tree sums differed in only " + differ + " of 2000 trials");
    }
}
