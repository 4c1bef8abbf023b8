package dev.balora.kernels.cpu;

import static dev.balora.kernels.cpu.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.balora.core.tensor.HostStorage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused attention kernels against the reference backend's composition (batched GEMM, scale, masked softmax and
 * their backward passes, in double), on odd shapes, with padding masks, causal masking, fully masked rows and the
 * BERT shape; and their independence of the thread count.
 */
class AttentionParityTest {
    /** One shape: batch, tq, tk, dh, dv. */
    private record Shape(int batch, int tq, int tk, int dh, int dv) {}

    private static final List<Shape> SHAPES = List.of(new Shape(1, 1, 1, 1, 1), new Shape(3, 5, 7, 3, 5),
            new Shape(2, 17, 33, 16, 17), new Shape(4, 9, 9, 33, 31), new Shape(2, 128, 128, 32, 32));

    private static void check(Shape sh, float[] mask, int div, int mod, boolean causal, int cRows, int cOff) {
        check(sh, 1, false, mask, div, mod, causal, cRows, cOff, 0.0);
        check(sh, 1, false, mask, div, mod, causal, cRows, cOff, 0.1);
        if (sh.batch() % 2 == 0) {
            check(sh, 2, true, mask, div, mod, causal, cRows, cOff, 0.0);
            check(sh, 2, true, mask, div, mod, causal, cRows, cOff, 0.3);
            check(sh, 2, false, mask, div, mod, causal, cRows, cOff, 0.0);
        }
    }

    private static void check(Shape sh, int heads, boolean interleaved, float[] mask, int div, int mod, boolean causal,
                              int cRows, int cOff, double dropP) {
        long key = 0x5EEDL + sh.hashCode();
        SplittableRandom r = new SplittableRandom(sh.hashCode());
        int b = sh.batch(), tq = sh.tq(), tk = sh.tk(), dh = sh.dh(), dv = sh.dv();
        float[] q = random(r, b * tq * dh, -2, 2);
        float[] k = random(r, b * tk * dh, -2, 2);
        float[] v = random(r, b * tk * dv, -2, 2);
        float[] dO = random(r, b * tq * dv, -1, 1);
        double scale = 1 / Math.sqrt(dh);
        HostStorage m = mask == null ? null : s(mask);
        String what = "attention " + sh + " heads " + heads + (interleaved ? " interleaved" : "")
                + (dropP > 0 ? " dropout " + dropP : "")
                + (mask == null ? "" : " mask div " + div + " mod " + mod)
                + (causal ? " causal " + cRows + "/" + cOff : "");

        HostStorage oRef = s(poison(b * tq * dv));
        HostStorage oCpu = s(poison(b * tq * dv));
        REF.attention(b, heads, interleaved, tq, tk, dh, dv, scale, s(q), s(k), s(v), m, div, mod, causal, cRows, cOff, dropP, key, oRef);
        CPU.attention(b, heads, interleaved, tq, tk, dh, dv, scale, s(q), s(k), s(v), m, div, mod, causal, cRows, cOff, dropP, key, oCpu);
        assertClose(what + " output", data(oRef), data(oCpu), 1e-5, 2e-6 * Math.sqrt(tk));

        HostStorage[] ref = {s(poison(b * tq * dh)), s(poison(b * tk * dh)), s(poison(b * tk * dv))};
        HostStorage[] cpu = {s(poison(b * tq * dh)), s(poison(b * tk * dh)), s(poison(b * tk * dv))};
        REF.attentionBackward(b, heads, interleaved, tq, tk, dh, dv, scale, s(q), s(k), s(v), m, div, mod, causal, cRows, cOff, dropP, key, s(dO), ref[0],
                ref[1], ref[2]);
        CPU.attentionBackward(b, heads, interleaved, tq, tk, dh, dv, scale, s(q), s(k), s(v), m, div, mod, causal, cRows, cOff, dropP, key, s(dO), cpu[0],
                cpu[1], cpu[2]);
        String[] names = {"dq", "dk", "dv"};
        for (int i = 0; i < 3; i++) {
            assertClose(what + " " + names[i], data(ref[i]), data(cpu[i]), 1e-4, 1e-5 * Math.sqrt(Math.max(tq, tk)));
        }
        // Unwanted gradients may be null; the others are the same numbers (to an ulp: exp may round differently once
        // the JIT has compiled the kernel between the two calls).
        HostStorage dvOnly = s(poison(b * tk * dv));
        CPU.attentionBackward(b, heads, interleaved, tq, tk, dh, dv, scale, s(q), s(k), s(v), m, div, mod, causal, cRows, cOff, dropP, key, s(dO), null,
                null, dvOnly);
        assertClose(what + " dv alone", data(cpu[2]), data(dvOnly), 1e-6, 1e-7);
    }

    @Test
    void matchesTheComposedReferenceWithoutAndWithMasks() {
        for (Shape sh : SHAPES) {
            check(sh, null, 1, 1, false, 1, 0);
            // A padding mask per sequence of 3 blocks (heads), the last third of the keys masked in sequence 0.
            float[] mask = new float[2 * sh.tk()];
            for (int c = 0; c < sh.tk(); c++) {
                mask[c] = c >= sh.tk() - sh.tk() / 3 && c > 0 ? -1e9f : 0f;
            }
            check(sh, mask, 3 * sh.tq(), 2, false, 1, 0);
            check(sh, null, 1, 1, true, sh.tq(), sh.tk() - sh.tq());
            check(sh, mask, 3 * sh.tq(), 2, true, sh.tq(), sh.tk() - sh.tq());
        }
    }

    @Test
    void fullyMaskedRowsGiveZeroOutputAndGradient() {
        Shape sh = new Shape(2, 5, 6, 4, 3);
        float[] mask = new float[sh.tk()];
        java.util.Arrays.fill(mask, Float.NEGATIVE_INFINITY);
        check(sh, mask, 1, 1, false, 1, 0);
        // Causal with a negative offset: the first two query rows see no key at all.
        check(sh, null, 1, 1, true, sh.tq(), -2);
    }

    @Test
    void dropoutMasksAreTheDropoutKernelsOnTheProbabilityTensor() {
        // softmax → dropout kernel → product, all on the cpu backend, against the fused kernel: same masks, so the
        // outputs agree to rounding; a different key gives a different output.
        Shape sh = new Shape(6, 9, 11, 4, 5);
        SplittableRandom r = new SplittableRandom(8);
        float[] q = random(r, sh.batch() * sh.tq() * sh.dh(), -2, 2);
        float[] k = random(r, sh.batch() * sh.tk() * sh.dh(), -2, 2);
        float[] v = random(r, sh.batch() * sh.tk() * sh.dv(), -2, 2);
        int pn = sh.batch() * sh.tq() * sh.tk();
        float[] scores = poison(pn);
        CPU.gemm(false, true, sh.batch(), sh.tq(), sh.tk(), sh.dh(), 0.5, s(q), 0, (long) sh.tq() * sh.dh(), s(k), 0,
                (long) sh.tk() * sh.dh(), 0.0, s(scores), 0, (long) sh.tq() * sh.tk());
        float[] probs = poison(pn);
        CPU.softmax(s(scores), null, 1, 1, false, 1, 0, s(probs), sh.batch() * sh.tq(), sh.tk(), false);
        CPU.dropout(s(probs), s(probs), pn, 0.25, 1234L);
        float[] expected = poison(sh.batch() * sh.tq() * sh.dv());
        CPU.gemm(false, false, sh.batch(), sh.tq(), sh.dv(), sh.tk(), 1.0, s(probs), 0, (long) sh.tq() * sh.tk(), s(v), 0,
                (long) sh.tk() * sh.dv(), 0.0, s(expected), 0, (long) sh.tq() * sh.dv());
        float[] fused = poison(expected.length);
        CPU.attention(sh.batch(), 1, false, sh.tq(), sh.tk(), sh.dh(), sh.dv(), 0.5, s(q), s(k), s(v), null, 1, 1, false,
                1, 0, 0.25, 1234L, s(fused));
        assertClose("fused dropout attention vs softmax, dropout kernel, product", expected, fused, 1e-5, 1e-6);
        float[] otherKey = poison(expected.length);
        CPU.attention(sh.batch(), 1, false, sh.tq(), sh.tk(), sh.dh(), sh.dv(), 0.5, s(q), s(k), s(v), null, 1, 1, false,
                1, 0, 0.25, 1235L, s(otherKey));
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(fused, otherKey), "the key changes the mask");
    }

    @Test
    void sameBitsWithOneTwoAndFourThreads() {
        Shape sh = new Shape(24, 33, 40, 16, 16); // above the parallel threshold, odd lengths
        SplittableRandom r = new SplittableRandom(5);
        float[] q = random(r, sh.batch() * sh.tq() * sh.dh(), -2, 2);
        float[] k = random(r, sh.batch() * sh.tk() * sh.dh(), -2, 2);
        float[] v = random(r, sh.batch() * sh.tk() * sh.dv(), -2, 2);
        float[] dO = random(r, sh.batch() * sh.tq() * sh.dv(), -1, 1);
        float[][] first = null;
        for (int threads : new int[] {1, 2, 4}) {
            float[][] out = Parallel.withThreads(threads, () -> {
                float[] o = poison(sh.batch() * sh.tq() * sh.dv());
                float[] dq = poison(q.length), dk = poison(k.length), dv = poison(v.length);
                CPU.attention(sh.batch(), 3, true, sh.tq(), sh.tk(), sh.dh(), sh.dv(), 0.25, s(q), s(k), s(v), null, 1, 1, true,
                        sh.tq(), sh.tk() - sh.tq(), 0.1, 99L, s(o));
                CPU.attentionBackward(sh.batch(), 3, true, sh.tq(), sh.tk(), sh.dh(), sh.dv(), 0.25, s(q), s(k), s(v), null, 1, 1,
                        true, sh.tq(), sh.tk() - sh.tq(), 0.1, 99L, s(dO), s(dq), s(dk), s(dv));
                return new float[][] {o, dq, dk, dv};
            });
            if (first == null) {
                first = out;
            } else {
                for (int i = 0; i < out.length; i++) {
                    assertArrayEquals(first[i], out[i], "output " + i + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void refusesTooShortInputsWithOneLine() {
        float[] small = new float[3];
        KernelArgumentException e = assertThrows(KernelArgumentException.class, () -> CPU.attention(1, 1, false, 2, 2, 2, 2, 1.0,
                s(small), s(new float[4]), s(new float[4]), null, 1, 1, false, 1, 0, 0.0, 0L, s(new float[4])));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("q"), e.getMessage());
    }
}
