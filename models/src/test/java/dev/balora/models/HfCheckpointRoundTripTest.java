package dev.balora.models;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.tensor.NoGrad;
import dev.balora.models.bert.BertModel;
import dev.balora.models.bert.BertOptions;
import dev.balora.models.tokenizer.BatchEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MiniLM read from its ONNX artifact, exported as a Hugging Face directory (config.json + model.safetensors +
 * tokenizer.json), and read back as a user's own checkpoint: same config, same tokenizer ids, identical outputs.
 */
class HfCheckpointRoundTripTest {
    @Test
    void exportThenLoadGivesTheSameModel(@TempDir Path tmp) throws Exception {
        PretrainedEncoder onnx = PretrainedEncoder.load("minilm");
        BertModel original = onnx.newModel(BertOptions.defaults());
        Path dir = tmp.resolve("minilm-hf");
        HfCheckpoint.save(dir, onnx.config(), original, onnx.tokenizerJson());
        assertTrue(Files.size(dir.resolve("model.safetensors")) > 80_000_000L);

        PretrainedEncoder hf = PretrainedEncoder.load(dir.toString());
        assertEquals(onnx.config(), hf.config());
        assertEquals(onnx.weights().keySet(), hf.weights().keySet());
        onnx.weights().forEach((k, w) -> assertArrayEquals(w.data(), hf.weights().get(k).data(), "weights of " + k + " bit for bit"));
        BertModel reloaded = hf.newModel(BertOptions.defaults());
        original.eval();
        reloaded.eval();
        List<String> texts = List.of("The coffee was great.", "Stale crackers, would not buy again!");
        BatchEncoding a = onnx.tokenizer().encodeBatch(texts, 32, true);
        BatchEncoding b = hf.tokenizer().encodeBatch(texts, 32, true);
        assertArrayEquals(a.ids(), b.ids());
        try (NoGrad ignored = NoGrad.enter()) {
            float[] x = original.forward(a.ids(), a.attentionMask(), a.tokenTypeIds(), a.batchSize(), a.sequenceLength()).toFloatArray();
            float[] y = reloaded.forward(b.ids(), b.attentionMask(), b.tokenTypeIds(), b.batchSize(), b.sequenceLength()).toFloatArray();
            // Same weights; outputs agree to float rounding (a margin kept from when exp's rounding depended on the JIT tier).
            assertArrayEquals(x, y, 1e-5f);
        }
    }

    @Test
    void aDirectoryWithoutWeightsIsRefusedClearly(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{}");
        java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class,
                () -> PretrainedEncoder.load(tmp.toString()));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
