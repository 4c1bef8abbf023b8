package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.NoGrad;
import dev.balora.core.tensor.Tensor;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Whole-model agreement with the plain-PyTorch float64 reference of tools/make_decoder_fixture.py: logits, loss
 * and the gradient of every parameter, for GPT-2, LLaMA with grouped-query attention and an untied head, and LLaMA
 * with multi-query attention, biases and a tied head. The model is loaded from the Hugging Face directory, so the
 * checks also cover config.json parsing, name mapping and GPT-2's Conv1D transposition.
 */
class DecoderFixtureTest {

    @ParameterizedTest
    @CsvSource({"gpt2-tiny, F64, 1e-11", "llama-gqa, F64, 1e-11", "llama-mqa-tied, F64, 1e-11",
            "gpt2-tiny, F32, 1e-4", "llama-gqa, F32, 1e-4", "llama-mqa-tied, F32, 1e-4"})
    void logitsLossAndEveryGradientMatchPyTorch(String name, DType dtype, double tol) throws IOException {
        DecoderFixture f = DecoderFixture.load(name);
        CausalLm model = HfDecoderCheckpoint.load(f.dir(), new DecoderOptions(dtype, 7));
        model.eval();
        CausalLm.LmOutput out = model.lmForward(f.ids(), f.labels(), f.n(), f.t());
        assertArrayEquals(new int[] {f.n(), f.t(), model.config().vocabSize()}, out.logits().shape());
        double logitErr = DecoderFixture.relError(out.logits().toDoubleArray(), f.logits());
        assertTrue(logitErr < tol, name + " " + dtype + " logits error " + logitErr);
        assertEquals(f.loss(), out.loss().item(), tol * Math.max(1, f.loss()), name + " loss");
        out.loss().backward();
        Map<String, Tensor> params = model.namedParameters();
        assertEquals(f.grads().keySet(), params.keySet(), "every parameter has a reference gradient");
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey() + " received no gradient");
            double err = DecoderFixture.relError(e.getValue().grad().toDoubleArray(), f.grads().get(e.getKey()));
            assertTrue(err < tol, name + " " + dtype + " gradient of " + e.getKey() + " error " + err);
        }
    }

    @ParameterizedTest
    @CsvSource({"gpt2-tiny", "llama-gqa", "llama-mqa-tied"})
    void greedyContinuationMatchesPyTorch(String name) throws IOException {
        DecoderFixture f = DecoderFixture.load(name);
        CausalLm model = HfDecoderCheckpoint.load(f.dir(), new DecoderOptions(DType.F64, 0));
        model.eval();
        try (NoGrad ignored = NoGrad.enter()) {
            int[] generated = Generator.generate(model, f.prompt(),
                    GenerationConfig.greedy(f.greedy().length).withStopOnEos(false));
            assertArrayEquals(f.greedy(), generated);
        }
    }
}
