package dev.balora.models.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Save/load round trips (single file and sharded), Hugging Face layouts in the file, and the error messages. */
class HfDecoderCheckpointTest {
    @TempDir
    Path dir;

    private static float[] logits(CausalLm m, int[] ids) {
        return m.forward(ids, 1, ids.length).toFloatArray();
    }

    /**
     * The round trip itself is exact: every parameter comes back bit for bit. The two forward passes are compared
     * within 1e-6 of the largest logit: a margin kept from when the Vector API's exp/tanh rounded differently (≤ 1 ulp)
     * in interpreted and C2-compiled code (the CPU backend's own exp/tanh/log are now the same at every JIT tier).
     */
    private static void assertSameModel(CausalLm original, CausalLm loaded, int[] ids) {
        var want = original.namedParameters();
        var got = loaded.namedParameters();
        assertEquals(want.keySet(), got.keySet());
        for (var e : want.entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), got.get(e.getKey()).toFloatArray(), e.getKey());
        }
        float[] a = logits(original, ids);
        float[] b = logits(loaded, ids);
        float scale = 0;
        for (float v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(a, b, 1e-6f * Math.max(scale, 1f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa", "llama-mqa-tied"})
    void saveThenLoadGivesTheSameModel(String name) throws IOException {
        CausalLm original = HfDecoderCheckpoint.load(DecoderFixture.load(name).dir());
        int[] ids = {0, 5, 11, 2, 7, 30, 1};
        HfDecoderCheckpoint.save(original, dir);
        assertEquals(original.config(), HfDecoderConfigJson.read(dir.resolve("config.json")));
        assertSameModel(original, HfDecoderCheckpoint.load(dir), ids);

        Path sharded = dir.resolve("sharded");
        HfDecoderCheckpoint.save(original, sharded, 6_000);
        assertTrue(Files.exists(sharded.resolve(HfDecoderCheckpoint.INDEX)));
        assertFalse(Files.exists(sharded.resolve(HfDecoderCheckpoint.WEIGHTS)));
        try (Stream<Path> files = Files.list(sharded)) {
            assertTrue(files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count() > 2);
        }
        assertSameModel(original, HfDecoderCheckpoint.load(sharded), ids);
    }

    @Test
    void gpt2FilesKeepTheConv1DLayoutAndPrefix() throws IOException {
        CausalLm m = HfDecoderCheckpoint.load(DecoderFixture.load("gpt2-tiny").dir());
        float[] inMemory = m.namedParameters().get("transformer.h.1.attn.c_attn.weight").toFloatArray(); // [48, 16]
        HfDecoderCheckpoint.save(m, dir);
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("model.safetensors"))) {
            assertArrayEquals(new long[] {16, 48}, r.tensor("transformer.h.1.attn.c_attn.weight").shape());
            float[] file = r.readFloats("transformer.h.1.attn.c_attn.weight");
            assertEquals(inMemory[5 * 16 + 3], file[3 * 48 + 5]);
            assertFalse(r.contains("lm_head.weight"), "tied head is not written");
            assertEquals("pt", r.metadata().get("format"));
        }
    }

    @Test
    void missingUnexpectedAndMisshapenTensorsAreNamed() throws IOException {
        CausalLm m = HfDecoderCheckpoint.load(DecoderFixture.load("llama-gqa").dir());
        HfDecoderCheckpoint.save(m, dir);
        Path config = dir.resolve("config.json");
        String json = Files.readString(config);

        Files.writeString(config, json.replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3"));
        DecoderCheckpointException e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("missing [model.layers.2.input_layernorm.weight"), e.getMessage());

        Files.writeString(config, json.replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 1"));
        e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("unexpected [model.layers.1."), e.getMessage());

        Files.writeString(config, json.replace("\"intermediate_size\" : 40", "\"intermediate_size\" : 39"));
        e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.gate_proj.weight") && e.getMessage().contains("[39, 24]")
                && e.getMessage().contains("[40, 24]"), e.getMessage());

        Files.writeString(config, json.replace("\"rope_scaling\" : null", "\"rope_scaling\" : {\"type\": \"linear\"}"));
        e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("config.json"), e.getMessage());

        Files.writeString(config, json.replace("\"model_type\" : \"llama\"", "\"model_type\" : \"mamba\""));
        e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("mamba"), e.getMessage());

        Files.writeString(config, json);
        Files.delete(dir.resolve("model.safetensors"));
        e = assertThrows(DecoderCheckpointException.class, () -> HfDecoderCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void refusesToSaveAModelWithAdapters() throws IOException {
        CausalLm m = HfDecoderCheckpoint.load(DecoderFixture.load("llama-gqa").dir());
        LoraInjector.inject(m, LoraConfig.defaults(List.of("q_proj"), 1).withRank(2, 2));
        DecoderException e = assertThrows(DecoderException.class, () -> HfDecoderCheckpoint.save(m, dir));
        assertTrue(e.getMessage().contains("lora_"), e.getMessage());
    }

    @Test
    void loadsInDoublePrecisionExactly() throws IOException {
        CausalLm f32 = HfDecoderCheckpoint.load(DecoderFixture.load("gpt2-tiny").dir());
        CausalLm f64 = HfDecoderCheckpoint.load(DecoderFixture.load("gpt2-tiny").dir(), new DecoderOptions(DType.F64, 0));
        float[] a = f32.namedParameters().get("transformer.wte.weight").toFloatArray();
        double[] b = f64.namedParameters().get("transformer.wte.weight").toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 0.0);
        }
    }
}
