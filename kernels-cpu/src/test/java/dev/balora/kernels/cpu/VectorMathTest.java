package dev.balora.kernels.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VectorMath}'s exp, log and tanh: within 2 ulp of the exact value over their whole float range, right at
 * the special values, and — what they exist for — the same bits whichever JIT tier runs them: a child JVM that only
 * interprets ({@code -Xint}: the Vector API's Java fallback) computes exactly what this JVM's compiled code does.
 */
class VectorMathTest {
    private static final VectorSpecies<Float> S = Simd.SPECIES;

    static float[] apply(UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) {
            var m = S.indexInRange(i, x.length);
            f.apply(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
        return y;
    }

    /** Every input of interest: a dense sweep of the finite range, random bit patterns, and the edges. */
    static float[] inputs(float lo, float hi) {
        List<Float> xs = new ArrayList<>();
        int n = 400_000;
        for (int i = 0; i <= n; i++) {
            xs.add((float) (lo + (hi - lo) * (double) i / n));
        }
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            float v = Float.intBitsToFloat(r.nextInt());
            if (v >= lo && v <= hi) {
                xs.add(v);
            }
        }
        for (float v : new float[] {0f, -0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 1f, -1f, 0.625f, -0.625f,
                0.62499994f, 88.72283f, 88.72284f, -87.33654f, -103.97207f, -103.97208f, 0.70710677f, 0.7071068f}) {
            if (v >= lo && v <= hi) {
                xs.add(v);
            }
        }
        float[] out = new float[xs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = xs.get(i);
        }
        return out;
    }

    /** @return the largest error in ulp of the float result against the double function */
    static double maxUlp(UnaryOperator<FloatVector> f, DoubleUnaryOperator exact, float[] x) {
        float[] y = apply(f, x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double want = exact.applyAsDouble(x[i]);
            if (Math.abs(want) < Float.MIN_NORMAL) {
                assertEquals(want, y[i], Float.MIN_VALUE * 1.01, "subnormal result at x = " + x[i]);
                continue;
            }
            if (Double.isInfinite((float) want)) {
                assertEquals((float) want, y[i], "x = " + x[i]);
                continue;
            }
            double ulp = Math.ulp((float) want);
            worst = Math.max(worst, Math.abs(y[i] - want) / ulp);
        }
        return worst;
    }

    @Test
    void accurateToTwoUlp() {
        assertTrue(maxUlp(VectorMath::exp, Math::exp, inputs(-104f, 88.8f)) <= 2, "exp");
        assertTrue(maxUlp(VectorMath::log, Math::log, inputs(0f, Float.MAX_VALUE)) <= 2, "log");
        assertTrue(maxUlp(VectorMath::tanh, Math::tanh, inputs(-20f, 20f)) <= 2, "tanh");
    }

    @Test
    void specialValues() {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {Float.NaN, inf, -inf, 0f, -0f, 89f, -105f, -1f, Float.MIN_VALUE};
        float[] e = apply(VectorMath::exp, x);
        assertArrayEquals(new float[] {Float.NaN, inf, 0f, 1f, 1f, inf, 0f, (float) Math.exp(-1), 1f}, e);
        float[] l = apply(VectorMath::log, x);
        assertTrue(Float.isNaN(l[0]) && l[1] == inf && Float.isNaN(l[2]) && l[3] == -inf && l[4] == -inf, "log edges");
        assertTrue(Float.isNaN(l[7]), "log of a negative number");
        assertEquals((float) Math.log(Float.MIN_VALUE), l[8], Math.ulp((float) Math.log(Float.MIN_VALUE)) * 2);
        float[] t = apply(VectorMath::tanh, x);
        assertTrue(Float.isNaN(t[0]));
        assertArrayEquals(new float[] {1f, -1f, 0f, 1f, -1f}, new float[] {t[1], t[2], t[3], t[5], t[6]});
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(t[4]), "tanh(-0) = -0");
    }

    /** Writes the bits of exp, log, tanh, sigmoid and Φ of {@link #probe()} to the file given (run by the child). */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), bits(probe()));
    }

    static float[] probe() {
        float[] x = new float[4099];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble(-30, 30) * (i % 3 == 0 ? 0.01 : 1));
        }
        return x;
    }

    static byte[] bits(float[] x) {
        float[] ax = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            ax[i] = Math.abs(x[i]) + 1e-3f;
        }
        List<float[]> outs = List.of(apply(VectorMath::exp, x), apply(VectorMath::log, ax), apply(VectorMath::tanh, x),
                apply(VectorMath::sigmoid, x), apply(VectorMath::normalCdf, x), apply(VectorMath::normalPdf, x));
        ByteBuffer b = ByteBuffer.allocate(4 * x.length * outs.size());
        outs.forEach(o -> {
            for (float v : o) {
                b.putInt(Float.floatToRawIntBits(v));
            }
        });
        return b.array();
    }

    @Test
    void theSameBitsInterpretedAndCompiled(@TempDir Path tmp) throws Exception {
        float[] x = probe();
        for (int i = 0; i < 3_000; i++) { // hot enough for C2 to compile the Vector API code
            bits(x);
        }
        byte[] compiled = bits(x);
        Path file = tmp.resolve("interpreted.bin");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xint", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), VectorMathTest.class.getName(), file.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the interpreted run finishes");
        assertEquals(0, p.exitValue());
        assertArrayEquals(compiled, Files.readAllBytes(file), "interpreter and C2 give the same bits");
    }
}
