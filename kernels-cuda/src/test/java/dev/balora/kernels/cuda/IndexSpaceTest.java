package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Coalescing keeps every (offset0, offset1) pair in row-major order; checked by walking both spaces. */
class IndexSpaceTest {
    /** The kernels' index8_offsets, in Java. */
    private static long[][] walk(long[] shape, long[] s0, long[] s1) {
        long n = 1;
        for (long e : shape) {
            n *= e;
        }
        long[][] out = new long[2][(int) n];
        for (long lin = 0; lin < n; lin++) {
            long rest = lin;
            long o0 = 0;
            long o1 = 0;
            for (int d = shape.length - 1; d >= 0; d--) {
                long i = rest % shape[d];
                rest /= shape[d];
                o0 += i * s0[d];
                o1 += i * s1[d];
            }
            out[0][(int) lin] = o0;
            out[1][(int) lin] = o1;
        }
        return out;
    }

    private static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    private static long[] contiguous(int[] shape) {
        long[] s = new long[shape.length];
        long st = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = st;
            st *= shape[i];
        }
        return s;
    }

    @Test
    void contiguousCopyBecomesOneDimension() {
        int[] shape = {3, 1, 5, 7};
        IndexSpace ix = IndexSpace.coalesce(shape, contiguous(shape), contiguous(shape));
        assertArrayEquals(new long[] {105}, ix.shape());
        assertEquals(105, ix.count());
    }

    @Test
    void randomSpacesWalkTheSameOffsets() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + rnd.nextInt(6);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(4);
            }
            long[] s0 = contiguous(shape);
            long[] s1 = new long[rank];
            for (int d = 0; d < rank; d++) {
                // mix broadcast (0), contiguous and permuted strides
                s1[d] = rnd.nextInt(3) == 0 ? 0 : s0[rnd.nextInt(rank)];
                if (rnd.nextBoolean()) {
                    s0[d] = rnd.nextInt(3) == 0 ? 0 : s0[d];
                }
            }
            IndexSpace ix = IndexSpace.coalesce(shape, s0, s1);
            assertTrue(ix.rank() <= rank);
            long[][] expected = walk(toLong(shape), s0, s1);
            long[][] actual = walk(ix.shape(), ix.s0(), ix.s1());
            assertArrayEquals(expected[0], actual[0], "operand 0, trial " + trial);
            assertArrayEquals(expected[1], actual[1], "operand 1, trial " + trial);
        }
    }

    @Test
    void scalarAndEmptySpaces() {
        assertEquals(1, IndexSpace.coalesce(new int[0], new long[0], new long[0]).count());
        assertEquals(0, IndexSpace.coalesce(new int[] {3, 0, 5}, new long[3], new long[3]).count());
        assertThrows(IllegalArgumentException.class, () -> IndexSpace.coalesce(new int[] {2}, new long[2], new long[1]));
    }
}
