package dev.balora.kernels.cpu;


import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link dev.balora.core.backend.Backend#sumInto}: a contiguous x of {@code shape} summed into {@code out} through
 * {@code outStrides} (0 on reduced dimensions). After {@link Dims#coalesce}:
 * <ul>
 *   <li>[rows, cols] with out strides (0, 1): column sums, the bias gradient. Rows are split over threads with a
 *       {@link ColumnAccumulator} each, vector adds within a row.</li>
 *   <li>innermost stride 0: each innermost run is reduced with vector lanes (row sums, full sums), runs in
 *       parallel, then added into the outputs in run order in double.</li>
 *   <li>anything else: one scalar pass accumulating in double, like the reference.</li>
 * </ul>
 * The zeroed output span is the reference's: up to {@code max(outStrides[i]·shape[i])} elements.
 */
final class SumKernels {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    private SumKernels() {}

    static void sumInto(float[] x, int[] shape, float[] out, long[] outStrides) {
        if (outStrides.length != shape.length) {
            throw new KernelArgumentException("sumInto: shape " + Arrays.toString(shape) + " has " + shape.length
                    + " dimensions but outStrides has " + outStrides.length);
        }
        long total = 1;
        long outSize = 1;
        for (int i = 0; i < shape.length; i++) {
            Check.nonNegative("sumInto", "shape dimension", shape[i]);
            Check.nonNegative("sumInto", "outStrides[" + i + "]", outStrides[i]);
            total *= shape[i];
            if (outStrides[i] != 0) {
                outSize = Math.max(outSize, outStrides[i] * shape[i]);
            }
        }
        Check.fits("sumInto", "x", x, total, "product of shape");
        Check.fits("sumInto", "out", out, outSize, "max(outStrides[i]·shape[i])");
        int outN = (int) outSize;
        Arrays.fill(out, 0, outN, 0f);
        if (total == 0) {
            return;
        }
        long[] xStrides = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            xStrides[i] = acc;
            acc *= shape[i];
        }
        Dims dims = Dims.coalesce(shape, xStrides, outStrides);
        long[] os = dims.strides()[1];
        int r = dims.rank();
        if (r == 2 && os[0] == 0 && os[1] == 1) {
            columnSums(x, dims.shape()[0], dims.shape()[1], out);
        } else if (os[r - 1] == 0) {
            runSums(x, dims, out, outN);
        } else {
            general(x, dims, out, outN);
        }
    }

    /** out[c] = Σ_r x[r·cols + c]. */
    private static void columnSums(float[] x, int rows, int cols, float[] out) {
        int parts = Split.parts((long) rows * cols, rows);
        ColumnAccumulator[] partial = new ColumnAccumulator[parts];
        Parallel.forEach(parts, p -> {
            ColumnAccumulator a = new ColumnAccumulator(cols);
            float[] blk = a.block();
            for (int row = Split.start(rows, parts, p), end = Split.start(rows, parts, p + 1); row < end; row++) {
                int base = row * cols;
                int c = 0;
                for (int bound = S.loopBound(cols); c < bound; c += S.length()) {
                    FloatVector.fromArray(S, blk, c).add(FloatVector.fromArray(S, x, base + c)).intoArray(blk, c);
                }
                if (c < cols) {
                    VectorMask<Float> m = S.indexInRange(c, cols);
                    FloatVector.fromArray(S, blk, c, m).add(FloatVector.fromArray(S, x, base + c, m)).intoArray(blk, c, m);
                }
                a.rowDone();
            }
            partial[p] = a;
        });
        ColumnAccumulator.reduceInto(partial, out, 0, false);
    }

    /** Innermost dimension reduced: each run's vector sum goes to its output element. */
    private static void runSums(float[] x, Dims dims, float[] out, int outN) {
        int inner = dims.inner();
        int runs = (int) dims.outerCount();
        double[] sums = new double[runs];
        int parts = Split.parts((long) runs * inner, runs);
        Parallel.forEach(parts, p -> {
            int r0 = Split.start(runs, parts, p);
            int r1 = Split.start(runs, parts, p + 1);
            for (int run = r0; run < r1; run++) {
                sums[run] = sumRun(x, run * inner, inner);
            }
        });
        double[] acc = new double[outN];
        Dims.Runs cur = dims.runs(0);
        int touched = 0;
        for (int run = 0; run < runs; run++, cur.next()) {
            int o = (int) cur.offset(1);
            acc[o] += sums[run];
            touched = Math.max(touched, o + 1);
        }
        for (int i = 0; i < touched; i++) {
            out[i] = (float) acc[i];
        }
    }

    /** Σ x[from, from+len): float lanes within blocks, double across blocks. */
    static double sumRun(float[] x, int from, int len) {
        double s = 0;
        for (int b = 0; b < len; b += Level1Kernels.SUM_BLOCK) {
            int to = from + Math.min(len, b + Level1Kernels.SUM_BLOCK);
            FloatVector acc = FloatVector.zero(S);
            int i = from + b;
            for (int bound = i + S.loopBound(to - i); i < bound; i += S.length()) {
                acc = acc.add(FloatVector.fromArray(S, x, i));
            }
            if (i < to) {
                acc = acc.add(FloatVector.fromArray(S, x, i, S.indexInRange(i, to)));
            }
            s += Simd.sumLanes(acc);
        }
        return s;
    }

    /** Any other pattern: scalar, double accumulation, in x order. */
    private static void general(float[] x, Dims dims, float[] out, int outN) {
        int inner = dims.inner();
        int step = (int) dims.strides()[1][dims.rank() - 1];
        long runs = dims.outerCount();
        double[] acc = new double[outN];
        Dims.Runs cur = dims.runs(0);
        int xi = 0;
        for (long run = 0; run < runs; run++, cur.next()) {
            int o = (int) cur.offset(1);
            for (int j = 0; j < inner; j++) {
                acc[o + j * step] += x[xi++];
            }
        }
        for (int i = 0; i < outN; i++) {
            out[i] = (float) acc[i];
        }
    }
}
