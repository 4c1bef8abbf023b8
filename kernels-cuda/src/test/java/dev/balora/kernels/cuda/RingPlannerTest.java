package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pinned upload ring's slice planning: no queued slice is ever overwritten, and retirement is oldest first. */
class RingPlannerTest {
    @Test
    void slicesAreAlignedAndSequentialUntilTheEnd() {
        RingPlanner<Integer> p = new RingPlanner<>(4096);
        List<Integer> retired = new ArrayList<>();
        long a = p.reserve(100, retired::add);
        p.queue(a, 100, 1);
        long b = p.reserve(10, retired::add);
        p.queue(b, 10, 2);
        assertEquals(0, a);
        assertEquals(256, b);
        assertTrue(retired.isEmpty());
    }

    @Test
    void wrappingRetiresTheSlicesPastTheOldHeadFirst() {
        RingPlanner<String> p = new RingPlanner<>(1024);
        List<String> retired = new ArrayList<>();
        p.queue(p.reserve(512, retired::add), 512, "X");   // [0, 512)
        p.queue(p.reserve(256, retired::add), 256, "Y");   // [512, 768)
        p.queue(p.reserve(200, retired::add), 200, "Z");   // [768, 968)
        // 300 bytes do not fit after 968: wrap to 0, overlapping X only.
        long at = p.reserve(300, retired::add);
        assertEquals(0, at);
        assertEquals(List.of("X"), retired);
    }

    @Test
    void aWrapSkippingAnOlderTailSliceRetiresItBeforeOverwritingNewerOnes() {
        RingPlanner<String> p = new RingPlanner<>(1024);
        List<String> retired = new ArrayList<>();
        p.queue(p.reserve(768, retired::add), 768, "W");  // [0, 768)
        p.queue(p.reserve(256, retired::add), 256, "X");  // [768, 1024)
        p.queue(p.reserve(256, retired::add), 256, "Y");  // wraps: [0, 256), retires W
        p.queue(p.reserve(256, retired::add), 256, "Z");  // [256, 512)
        assertEquals(List.of("W"), retired);
        // 600 bytes do not fit after 512: wrap. X lies past the old head and is the oldest: it goes first, although
        // the new slice [0, 600) does not overlap it; then Y and Z, which it does overlap.
        assertEquals(0, p.reserve(600, retired::add));
        assertEquals(List.of("W", "X", "Y", "Z"), retired);
    }

    @Test
    void randomSequencesNeverOverwriteAQueuedSliceAndRetireInOrder() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            long cap = 1024L * (1 + rnd.nextInt(16));
            RingPlanner<Integer> p = new RingPlanner<>(cap);
            List<Integer> retired = new ArrayList<>();
            int next = 0;
            for (int i = 0; i < 300; i++) {
                long bytes = 1 + rnd.nextLong(cap / 2);
                long at = p.reserve(bytes, retired::add);
                assertTrue(at >= 0 && at + bytes <= cap, "inside the ring");
                assertEquals(0, at % 256, "aligned");
                assertFalse(overlapsAny(p, at, at + bytes), "a queued slice would be overwritten");
                p.queue(at, bytes, next++);
            }
            for (int i = 1; i < retired.size(); i++) {
                assertEquals(retired.get(i - 1) + 1, retired.get(i), "retired oldest first, none skipped");
            }
        }
    }

    @Test
    void oversizedSlicesAreRefused() {
        RingPlanner<Integer> p = new RingPlanner<>(1024);
        assertThrows(IllegalArgumentException.class, () -> p.reserve(2048, x -> {}));
    }

    private static boolean overlapsAny(RingPlanner<?> p, long start, long end) {
        for (RingPlanner.Slice<?> s : p.queued()) {
            if (s.start() < end && start < s.end()) {
                return true;
            }
        }
        return false;
    }
}
