package dev.balora.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Embedding rows: gather {@code out[i, :] = table[ids[i], :]} and its adjoint scatter-add
 * {@code dTable[ids[i], :] += dOut[i, :]}. Gather splits the ids over threads. Scatter-add splits the columns
 * instead: repeated ids then never race, and each table element still receives its additions in id order, so
 * the result does not depend on the thread count.
 */
final class RowGather {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private RowGather() {}

    /** table [rows, dim], ids [n], out [n, dim]. */
    static void gather(float[] table, int[] ids, float[] out, int dim) {
        Check.nonNegative("gatherRows", "dim", dim);
        int n = ids.length;
        Check.fits("gatherRows", "out", out, (long) n * dim, "ids.length·dim");
        long tableRows = dim == 0 ? 0 : table.length / dim;
        checkIds("gatherRows", ids, tableRows);
        int parts = Split.parts((long) n * dim, n);
        Parallel.forEach(parts, p -> {
            for (int i = Split.start(n, parts, p), end = Split.start(n, parts, p + 1); i < end; i++) {
                System.arraycopy(table, ids[i] * dim, out, i * dim, dim);
            }
        });
    }

    /** dOut [n, dim], ids [n], dTable [rows, dim] (accumulates; repeated ids add up). */
    static void scatterAdd(float[] dOut, int[] ids, float[] dTable, int dim) {
        Check.nonNegative("scatterAddRows", "dim", dim);
        int n = ids.length;
        Check.fits("scatterAddRows", "dOut", dOut, (long) n * dim, "ids.length·dim");
        long tableRows = dim == 0 ? 0 : dTable.length / dim;
        checkIds("scatterAddRows", ids, tableRows);
        // Strips at least four vectors wide, so neighbouring threads seldom write the same cache line.
        int strips = Math.max(1, dim / (4 * S.length()));
        int parts = Split.parts((long) n * dim, strips);
        Parallel.forEach(parts, p -> {
            int c0 = Split.start(dim, parts, p);
            int c1 = Split.start(dim, parts, p + 1);
            for (int i = 0; i < n; i++) {
                int src = i * dim;
                int dst = ids[i] * dim;
                int c = c0;
                for (int bound = c0 + S.loopBound(c1 - c0); c < bound; c += S.length()) {
                    FloatVector.fromArray(S, dTable, dst + c).add(FloatVector.fromArray(S, dOut, src + c)).intoArray(dTable, dst + c);
                }
                if (c < c1) {
                    VectorMask<Float> m = S.indexInRange(c, c1);
                    FloatVector.fromArray(S, dTable, dst + c, m).add(FloatVector.fromArray(S, dOut, src + c, m)).intoArray(dTable, dst + c, m);
                }
            }
        });
    }

    private static void checkIds(String kernel, int[] ids, long tableRows) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tableRows) {
                throw new IndexOutOfBoundsException(kernel + ": id " + ids[i] + " at position " + i
                        + " outside table of " + tableRows + " rows");
            }
        }
    }
}
