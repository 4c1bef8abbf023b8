package dev.balora.kernels.cpu;

/**
 * How the non-GEMM kernels cut their work for {@link Parallel#forEach}: one part when the work is small (a fork
 * and join costs a few microseconds, more than a kernel over a few thousand floats), otherwise one contiguous
 * range per thread. {@link Parallel#forEach} deals chunk indices to workers in contiguous shares, so more parts
 * than threads would not balance better; and with exactly {@code threads} parts a kernel can keep one partial
 * sum per part and reduce them in part order, which makes its result depend only on the thread count.
 */
final class Split {
    /**
     * Elements (or row·column products) below which a kernel runs on the calling thread. 2¹⁶ floats is
     * about 10 µs of memory-bound work here (Zen 4, one thread), several times a fork-join round trip.
     */
    static final long MIN_PARALLEL_WORK = 1L << 16;

    private Split() {}

    /** @return how many parts to cut {@code units} (rows, blocks) into when the whole job touches {@code work} elements. */
    static int parts(long work, int units) {
        if (work < MIN_PARALLEL_WORK || units < 2) {
            return 1;
        }
        return Math.min(Parallel.threads(), units);
    }

    /** @return the first unit of part {@code p} when {@code units} are cut into {@code parts} near-equal ranges. */
    static int start(int units, int parts, int p) {
        return (int) ((long) units * p / parts);
    }
}
