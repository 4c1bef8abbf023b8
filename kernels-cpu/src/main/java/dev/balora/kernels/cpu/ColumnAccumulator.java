package dev.balora.kernels.cpu;

/**
 * Per-thread column sums over many rows (bias gradient, layer-norm dγ/dβ): kernels add each row into a small
 * float array with vector ops, and every {@value #FLUSH_ROWS} rows the float sums move into a double array, so
 * float rounding error grows with 32 rows, not with the thousands of rows of a batch. Partials of the threads
 * are reduced in part order by {@link #reduceInto}, so a result depends on the thread count only through the
 * order of double additions.
 */
final class ColumnAccumulator {
    /** Rows summed in float before moving to double: a flush costs one scalar pass over the columns, 1/32 of the adds. */
    static final int FLUSH_ROWS = 32;

    private final float[] block;
    private final double[] total;
    private int pending;

    ColumnAccumulator(int cols) {
        block = new float[cols];
        total = new double[cols];
    }

    /** @return the float row-block sums that kernels add into (length = cols). */
    float[] block() {
        return block;
    }

    /** Marks one row as added; moves the block into the double totals every {@value #FLUSH_ROWS} rows. */
    void rowDone() {
        if (++pending == FLUSH_ROWS) {
            flush();
        }
    }

    private void flush() {
        for (int c = 0; c < block.length; c++) {
            total[c] += block[c];
            block[c] = 0f;
        }
        pending = 0;
    }

    /**
     * {@code dst[off + c] = (accumulate ? dst[off + c] : 0) + Σ_parts sum[c]}, adding the parts in index order in
     * double. Null entries (parts that saw no rows) are skipped.
     */
    static void reduceInto(ColumnAccumulator[] parts, float[] dst, int off, boolean accumulate) {
        int cols = -1;
        for (ColumnAccumulator p : parts) {
            if (p != null) {
                p.flush();
                cols = p.block.length;
            }
        }
        for (int c = 0; c < cols; c++) {
            double s = accumulate ? dst[off + c] : 0.0;
            for (ColumnAccumulator p : parts) {
                if (p != null) {
                    s += p.total[c];
                }
            }
            dst[off + c] = (float) s;
        }
    }
}
