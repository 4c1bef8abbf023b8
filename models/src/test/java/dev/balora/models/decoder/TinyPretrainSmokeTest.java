package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.bpe.BpeTokenizer;
import dev.balora.models.bpe.BpeTrainer;
import dev.balora.models.data.Austen;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The self-pre-training path end to end, tiny: learn a BPE on part of Persuasion, cut it into blocks, and train a
 * small LLaMA-style model (GQA, RoPE, SwiGLU, tied head) from scratch with AdamW: the loss on the training batches
 * falls clearly below its starting value (≈ ln V; measured 6.22 → 5.27 in 40 steps with V = 512), and generation runs on the result.
 */
class TinyPretrainSmokeTest {
    @Test
    void aFewStepsOnAustenLowerTheLoss() {
        String text = Austen.novel("persuasion").text().substring(0, 120_000);
        BpeTokenizer tok = new BpeTrainer(384, 2, List.of("<|endoftext|>")).train(List.of(text));
        int[] stream = LmData.tokenStream(tok, List.of(text), tok.tokenToId("<|endoftext|>"));
        List<LmExample> blocks = new ArrayList<>(LmData.blocks(stream, 32));
        Collections.shuffle(blocks, new Random(1));
        DecoderConfig c = DecoderConfig.llama(tok.vocabSize(), 32, 2, 4, 2, 64, 64).withTiedEmbeddings(true)
                .withSpecialTokens(-1, tok.tokenToId("<|endoftext|>"));
        CausalLm m = new CausalLm(c, DecoderOptions.defaults().withSeed(5));
        AdamW opt = new AdamW(m.trainableParameters(), 0.9, 0.95, 1e-8, 0.0);
        int steps = 30;
        int batch = 8;
        double[] losses = new double[steps];
        for (int s = 0; s < steps; s++) {
            LmBatch b = LmData.batch(blocks.subList(s * batch, (s + 1) * batch), 0);
            m.zeroGrad();
            Tensor loss = m.lmLoss(b.ids(), b.labels(), b.n(), b.t());
            loss.backward();
            opt.step(1e-2);
            losses[s] = loss.item();
        }
        double start = (losses[0] + losses[1]) / 2;
        double end = (losses[steps - 1] + losses[steps - 2] + losses[steps - 3]) / 3;
        System.out.printf("tiny pretrain: loss %.3f -> %.3f (ln V = %.3f)%n", start, end, Math.log(tok.vocabSize()));
        assertTrue(start > Math.log(tok.vocabSize()) - 0.5, "initial loss " + start + " should be near ln V");
        assertTrue(end < start - 0.6, "loss did not fall enough: " + start + " -> " + end);
        int[] prompt = tok.encode("Anne");
        int[] more = Generator.generate(m, prompt, GenerationConfig.sampled(10, 0.8, 20, 0.95, 1));
        assertTrue(more.length > 0 && !tok.decode(more).isEmpty());
    }
}
