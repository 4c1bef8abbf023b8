package dev.balora.core.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataOrderTest {
    @Test
    void eachEpochIsASeededPermutation() {
        for (int n : new int[] {1, 3, 7, 33}) {
            int[] p = DataOrder.permutation(n, DataOrder.epochSeed(11, 0));
            assertArrayEquals(IntStream.range(0, n).toArray(), Arrays.stream(p).sorted().toArray());
            assertArrayEquals(p, DataOrder.permutation(n, DataOrder.epochSeed(11, 0)));
        }
        int[] e0 = DataOrder.permutation(33, DataOrder.epochSeed(11, 0));
        assertFalse(Arrays.equals(e0, DataOrder.permutation(33, DataOrder.epochSeed(11, 1))), "epochs differ");
        assertFalse(Arrays.equals(e0, DataOrder.permutation(33, DataOrder.epochSeed(12, 0))), "seeds differ");
        assertNotEquals(DataOrder.microBatchSeed(11, 4, 0), DataOrder.microBatchSeed(11, 4, 1));
        assertNotEquals(DataOrder.microBatchSeed(11, 4, 0), DataOrder.microBatchSeed(11, 5, 0));
    }
}
