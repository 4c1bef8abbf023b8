package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA by target name on both families: every target layer is wrapped, PiSSA leaves the outputs unchanged
 * (SPEC §1.1), only adapters train, and a few steps change the output.
 */
class LoraOnDecoderTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa"})
    void pissaAdaptersWrapEveryTargetAndKeepTheOutputs(String name) throws IOException {
        DecoderFixture f = DecoderFixture.load(name);
        CausalLm m = HfDecoderCheckpoint.load(f.dir());
        m.eval();
        float[] before;
        try (NoGrad ignored = NoGrad.enter()) {
            before = m.forward(f.ids(), f.n(), f.t()).toFloatArray();
        }
        DecoderConfig c = m.config();
        LoraInjector.Summary s = LoraInjector.inject(m, LoraConfig.defaults(c.loraTargets(), 3).withRank(4, 4));
        int perLayer = c.family() == DecoderFamily.GPT2 ? 4 : 7;
        assertEquals(perLayer * c.layers(), s.adapted().size());
        assertTrue(s.adapted().containsKey(c.family() == DecoderFamily.GPT2 ? "transformer.h.0.mlp.c_proj"
                : "model.layers.1.mlp.down_proj"), s.adapted().keySet().toString());
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            assertEquals(e.getKey().contains("lora_"), e.getValue().requiresGrad(), e.getKey());
        }
        float[] after;
        try (NoGrad ignored = NoGrad.enter()) {
            after = m.forward(f.ids(), f.n(), f.t()).toFloatArray();
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < before.length; i++) {
            worst = Math.max(worst, Math.abs(before[i] - after[i]));
            scale = Math.max(scale, Math.abs(before[i]));
        }
        assertTrue(worst / scale < 1e-5, "PiSSA changed the logits by " + worst / scale);

        AdamW opt = new AdamW(m.trainableParameters());
        double first = 0;
        double last = 0;
        for (int step = 0; step < 5; step++) {
            m.zeroGrad();
            Tensor loss = m.lmLoss(f.ids(), f.labels(), f.n(), f.t());
            loss.backward();
            opt.step(1e-2);
            first = step == 0 ? loss.item() : first;
            last = loss.item();
        }
        assertTrue(last < first, "adapter training did not lower the loss: " + first + " -> " + last);
        LoraLinear any = s.adapted().values().iterator().next();
        assertTrue(any.loraA().grad() != null, "adapter received gradients");
    }
}
