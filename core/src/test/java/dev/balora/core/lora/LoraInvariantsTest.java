package dev.balora.core.lora;

import static dev.balora.core.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.linalg.Matrix64;
import dev.balora.core.linalg.ThinSvd;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** PEFT invariants (SPEC §1.1, §1.4) on a small two-block model with odd sizes. */
class LoraInvariantsTest {
    /** A toy encoder block: query/value projections and an MLP, with HF-like names. */
    static final class Toy extends Module {
        Toy(long seed) {
            Module attn = registerModule("attention", new Holder());
            ((Holder) attn).add("query", new Linear(17, 17, true, DType.F32, seed));
            ((Holder) attn).add("value", new Linear(17, 17, true, DType.F32, seed + 1));
            registerModule("dense", new Linear(17, 33, true, DType.F32, seed + 2));
            registerModule("head", new Linear(33, 3, true, DType.F32, seed + 3));
        }

        Tensor forward(Tensor x) {
            Module attn = child("attention");
            Tensor h = add(((Holder) attn).run("query", x), ((Holder) attn).run("value", x));
            return call("head", gelu(call("dense", h)));
        }
    }

    static final class Holder extends Module {
        void add(String n, Module m) {
            registerModule(n, m);
        }

        Tensor run(String n, Tensor x) {
            return call(n, x);
        }
    }

    static Tensor input() {
        return Tensor.randn(DType.F32, 99, 1.0, 7, 17);
    }

    static LoraConfig cfg(LoraInit init) {
        return new LoraConfig(4, 8, 0.0, false, init, List.of("query", "value", "dense"), List.of(), 5);
    }

    static double maxRelDiff(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(a[i] - b[i]));
            den = Math.max(den, Math.abs(b[i]));
        }
        return num / den;
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "pissa", "pissa_niter_4"})
    void outputUnchangedRightAfterInit(String init) {
        Toy toy = new Toy(1);
        Tensor x = input();
        float[] before = toy.forward(x).toFloatArray();
        LoraInjector.Summary s = LoraInjector.inject(toy, cfg(LoraInit.parse(init)));
        assertEquals(3, s.adapted().size());
        float[] after = toy.forward(x).toFloatArray();
        assertTrue(maxRelDiff(after, before) <= 1e-5, init + ": rel diff " + maxRelDiff(after, before));
    }

    @Test
    void injectionFreezesAllButAdaptersAndCountsParameters() {
        Toy toy = new Toy(1);
        long total = toy.parameterCount();
        LoraInjector.Summary s = LoraInjector.inject(toy, cfg(new LoraInit.Kaiming()));
        long expected = 2 * (4 * 17 + 17 * 4) + (4 * 17 + 33 * 4);
        assertEquals(expected, s.trainableParams());
        assertEquals(total + expected, s.totalParams());
        assertTrue(toy.namedParameters().containsKey("attention.query.lora_A.weight"));
        assertFalse(toy.namedParameters().get("attention.query.weight").requiresGrad());
        assertFalse(toy.namedParameters().get("head.weight").requiresGrad());
        assertTrue(s.format().contains("trainable params"));
    }

    @Test
    void modulesToSaveStayTrainable() {
        Toy toy = new Toy(1);
        LoraInjector.inject(toy, cfg(new LoraInit.Kaiming()).withModulesToSave(List.of("head")));
        assertTrue(toy.namedParameters().get("head.weight").requiresGrad());
    }

    @Test
    void misspeltTargetFailsInsteadOfTrainingNothing() {
        Toy toy = new Toy(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraInjector.inject(toy,
                new LoraConfig(4, 4, 0, false, new LoraInit.Kaiming(), List.of("qurey"), List.of(), 1)));
        assertTrue(e.getMessage().contains("qurey"));
    }

    @Test
    void pissaAdapterHoldsThePrincipalPart() {
        Linear base = new Linear(17, 33, false, DType.F32, 3);
        double[] w = base.weight().toDoubleArray();
        LoraLinear l = new LoraLinear(base, cfg(new LoraInit.Pissa()), 1);
        ThinSvd svd = ThinSvd.of(new Matrix64(33, 17, w.clone())).truncate(4);
        double[] principal = svd.reconstruct().data();
        double[] sba = l.mergedWeight().toDoubleArray();
        double[] res = l.weight().toDoubleArray();
        for (int i = 0; i < w.length; i++) {
            assertEquals(principal[i], sba[i] - res[i], 1e-5, "s·B·A must equal the rank-4 truncated SVD");
        }
        // A's rows are orthogonal (scaled right singular vectors); B's columns are orthogonal.
        double[] a = l.loraA().toDoubleArray();
        double dot = 0;
        for (int j = 0; j < 17; j++) {
            dot += a[j] * a[17 + j];
        }
        assertEquals(0.0, dot, 1e-5);
    }

    private static Tensor trainSteps(Toy toy, int steps) {
        Tensor x = input();
        AdamW opt = new AdamW(toy.trainableParameters(), 0.9, 0.999, 1e-8, 0.0);
        int[] y = {0, 1, 2, 0, 1, 2, 0};
        for (int i = 0; i < steps; i++) {
            opt.zeroGrad();
            crossEntropy(toy.forward(x), y).backward();
            opt.step(0.05);
        }
        return x;
    }

    @Test
    void trainingChangesOutputsAndMergedEqualsUnmerged() {
        Toy toy = new Toy(2);
        Tensor x = input();
        float[] base = toy.forward(x).toFloatArray();
        LoraInjector.inject(toy, cfg(new LoraInit.Pissa()));
        trainSteps(toy, 5);
        float[] trained = toy.forward(x).toFloatArray();
        assertTrue(maxRelDiff(trained, base) > 1e-2, "a training step must change the output (no vacuous pass)");
        LoraInjector.adapters(toy).values().forEach(LoraLinear::merge);
        float[] merged = toy.forward(x).toFloatArray();
        assertTrue(maxRelDiff(merged, trained) <= 1e-5, "merged vs unmerged: " + maxRelDiff(merged, trained));
        LoraInjector.adapters(toy).values().forEach(LoraLinear::unmerge);
        assertTrue(maxRelDiff(toy.forward(x).toFloatArray(), trained) <= 1e-5);
    }

    @Test
    void teacherModesGiveTheOriginalAndTheResidualModel() {
        Toy toy = new Toy(3);
        Tensor x = input();
        float[] base = toy.forward(x).toFloatArray();
        LoraInjector.inject(toy, cfg(new LoraInit.Pissa()));
        trainSteps(toy, 3);
        Teacher original = new Teacher(toy, Teacher.Kind.ORIGINAL, true);
        float[] t = original.outputs(() -> toy.forward(x), new long[] {0, 1, 2, 3, 4, 5, 6}).toFloatArray();
        assertTrue(maxRelDiff(t, base) <= 1e-5, "INITIAL mode reproduces the pre-trained model after training");
        float[] cached = original.outputs(() -> { throw new AssertionError("must come from the cache"); },
                new long[] {0, 1, 2, 3, 4, 5, 6}).toFloatArray();
        assertArrayEquals(t, cached);
        assertEquals(7, original.cacheHits());
        float[] residual = new Teacher(toy, Teacher.Kind.RESIDUAL, false).outputs(() -> toy.forward(x), null).toFloatArray();
        assertTrue(maxRelDiff(residual, base) > 1e-3, "W_res alone is not the original model under PiSSA");
        assertEquals(AdapterMode.ADAPTED, LoraInjector.adapters(toy).values().iterator().next().mode());
    }

    @Test
    void pissaToPlainLoraConversionIsIdenticalOnTheOriginalModel() {
        Toy original = new Toy(4);
        Toy pissa = new Toy(4);
        Tensor x = input();
        LoraInjector.inject(pissa, cfg(new LoraInit.Pissa()));
        trainSteps(pissa, 4);
        float[] fineTuned = pissa.forward(x).toFloatArray();
        // Build a plain LoRA (r' = 2r, α' = 2α) on the original weights and load the converted adapter.
        LoraConfig plain = new LoraConfig(8, 16, 0.0, false, new LoraInit.Kaiming(), List.of("query", "value", "dense"), List.of(), 9);
        LoraInjector.inject(original, plain);
        var src = LoraInjector.adapters(pissa);
        var dst = LoraInjector.adapters(original);
        for (String path : src.keySet()) {
            Tensor[] ab = src.get(path).toPlainLoraRank2r();
            dst.get(path).setAdapter(ab[0], ab[1]);
            assertEquals(src.get(path).scaling(), dst.get(path).scaling(), 1e-15);
        }
        float[] converted = original.forward(x).toFloatArray();
        assertTrue(maxRelDiff(converted, fineTuned) <= 1e-5, "converted: " + maxRelDiff(converted, fineTuned));
    }

    @Test
    void dropoutPathIsUsedOnlyInTraining() {
        Linear base = new Linear(17, 9, true, DType.F32, 8);
        LoraLinear l = new LoraLinear(base, new LoraConfig(3, 3, 0.5, false, new LoraInit.Kaiming(), List.of("x"), List.of(), 2), 2);
        l.setAdapter(Tensor.randn(DType.F32, 1, 0.3, 3, 17), Tensor.randn(DType.F32, 2, 0.3, 9, 3));
        Tensor x = input();
        float[] evalOut = ((LoraLinear) l.eval()).forward(x).toFloatArray();
        assertArrayEquals(evalOut, l.forward(x).toFloatArray(), "eval is deterministic");
        l.train();
        float[] a;
        try (NoGrad ignored = NoGrad.enter()) {
            a = l.forward(x).toFloatArray();
        }
        assertTrue(maxRelDiff(a, evalOut) > 1e-3, "dropout changes the adapter path in training");
    }
}
