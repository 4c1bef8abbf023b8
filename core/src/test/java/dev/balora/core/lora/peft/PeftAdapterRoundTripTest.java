package dev.balora.core.lora.peft;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Save → load gives the fine-tuned model back; PiSSA → saveConverted → load on the original model is exact. */
class PeftAdapterRoundTripTest {
    static final long MODEL_SEED = 17;
    static final List<String> TARGETS = List.of("query", "value", "mlp.up", "mlp.down");

    @TempDir
    Path tmp;

    static Tensor input() {
        return Tensor.randn(DType.F32, 4242, 1.0, 7, ModuleTree.D);
    }

    static LoraConfig cfg(LoraInit init, boolean rslora, List<String> toSave) {
        return new LoraConfig(3, 5, 0.0, rslora, init, TARGETS, toSave, 31);
    }

    /** Stands in for training: random adapters (B ≠ 0) and, when saved fully, a changed head. */
    static void fineTune(ModuleTree m, boolean head) {
        long s = 1000;
        for (LoraLinear l : LoraInjector.adapters(m).values()) {
            l.setAdapter(Tensor.randn(DType.F32, s++, 0.3, l.loraA().shape()), Tensor.randn(DType.F32, s++, 0.3, l.loraB().shape()));
        }
        if (head) {
            m.loadStateDict(Map.of("classifier.weight", Tensor.randn(DType.F32, s, 0.5, 3, ModuleTree.D)), false);
        }
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

    @ParameterizedTest(name = "rslora={0}, modules_to_save={1}")
    @CsvSource({"false,false", "true,true", "false,true"})
    void saveThenLoadGivesIdenticalOutputs(boolean rslora, boolean head) throws Exception {
        ModuleTree trained = ModuleTree.tiny(MODEL_SEED);
        float[] base = trained.forward(input()).toFloatArray();
        LoraConfig cfg = cfg(new LoraInit.Kaiming(), rslora, head ? List.of("classifier") : List.of());
        LoraInjector.inject(trained, cfg);
        fineTune(trained, head);
        float[] want = trained.forward(input()).toFloatArray();
        assertTrue(maxRelDiff(want, base) > 1e-2, "the fine-tuning must change the output");

        PeftAdapter.save(tmp, trained, cfg, "balora/tiny", Map.of("lambda_cr", 0.15, "note", "x"));
        ModuleTree fresh = ModuleTree.tiny(MODEL_SEED);
        LoadedAdapter loaded = PeftAdapter.load(tmp, fresh);
        float[] got = fresh.forward(input()).toFloatArray();
        assertTrue(maxRelDiff(got, want) <= 1e-6, "rel diff " + maxRelDiff(got, want));
        assertEquals(8, loaded.adapters().size());
        assertEquals(cfg.scaling(), loaded.config().scaling(), 1e-15);
        assertEquals(Map.of("lambda_cr", 0.15, "note", "x"), loaded.baloraSettings());
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings().toString());
        // Only adapters (and the saved head) train after loading, as after injection.
        long trainable = fresh.trainableParameters().stream().mapToLong(Tensor::numel).sum();
        long lora = 2 * 3 * (9 + 9) * 2 + 2 * 3 * (9 + 13) * 2;
        assertEquals(lora + (head ? 3 * 9 + 3 : 0), trainable);
    }

    @Test
    void filesFollowPeftLayout() throws Exception {
        ModuleTree m = ModuleTree.tiny(MODEL_SEED);
        LoraConfig cfg = cfg(new LoraInit.Pissa(), false, List.of("classifier"));
        LoraInjector.inject(m, cfg);
        PeftAdapter.save(tmp, m, cfg, "bert-base-uncased", "SEQ_CLS", null);
        JsonNode c = new ObjectMapper().readTree(tmp.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertEquals("LORA", c.get("peft_type").asText());
        assertTrue(c.get("r").isInt());
        assertEquals(3, c.get("r").asInt());
        assertTrue(c.get("lora_alpha").isIntegralNumber(), "PEFT writes an integral alpha as int");
        assertEquals(5, c.get("lora_alpha").asInt());
        assertEquals("pissa", c.get("init_lora_weights").asText());
        assertEquals(List.of("query", "value", "mlp.up", "mlp.down"),
                List.of(new ObjectMapper().treeToValue(c.get("target_modules"), String[].class)));
        assertEquals("classifier", c.get("modules_to_save").get(0).asText());
        assertFalse(c.get("fan_in_fan_out").asBoolean());
        assertEquals("none", c.get("bias").asText());
        assertFalse(c.get("use_rslora").asBoolean());
        assertEquals(0.0, c.get("lora_dropout").asDouble());
        assertEquals("bert-base-uncased", c.get("base_model_name_or_path").asText());
        assertEquals("SEQ_CLS", c.get("task_type").asText());
        assertEquals("SEQ_CLS", PeftAdapter.load(tmp, ModuleTree.tiny(MODEL_SEED)).config().taskType());
        try (SafetensorsReader st = SafetensorsReader.open(tmp.resolve(PeftAdapter.WEIGHTS_FILE))) {
            assertEquals("pt", st.metadata().get("format"));
            assertTrue(st.names().contains("base_model.model.blocks.1.mlp.down.lora_A.weight"));
            assertArrayEquals(new long[] {3, 13}, st.tensor("base_model.model.blocks.1.mlp.down.lora_A.weight").shape());
            assertArrayEquals(new long[] {9, 3}, st.tensor("base_model.model.blocks.1.mlp.down.lora_B.weight").shape());
            assertArrayEquals(new long[] {3, 9}, st.tensor("base_model.model.classifier.weight").shape());
            assertArrayEquals(new long[] {3}, st.tensor("base_model.model.classifier.bias").shape());
            assertEquals(8 * 2 + 2, st.names().size(), "adapters and the head only: " + st.names());
        }
        JsonNode b = new ObjectMapper().readTree(tmp.resolve(PeftAdapter.BALORA_FILE).toFile());
        assertEquals("pissa", b.get("run_init").asText());
        try (var files = Files.list(tmp)) {
            assertEquals(Set.of(PeftAdapter.CONFIG_FILE, PeftAdapter.WEIGHTS_FILE, PeftAdapter.BALORA_FILE),
                    Set.copyOf(files.map(p -> p.getFileName().toString()).toList()), "no temporary files left");
        }
    }

    @ParameterizedTest(name = "init={0}, rslora={1}")
    @CsvSource({"pissa,false", "pissa,true", "pissa_niter_4,false"})
    void pissaConvertedLoadsExactlyOnTheOriginalModel(String init, boolean rslora) throws Exception {
        ModuleTree trained = ModuleTree.tiny(MODEL_SEED);
        LoraConfig cfg = cfg(LoraInit.parse(init), rslora, List.of("classifier"));
        LoraInjector.inject(trained, cfg);
        fineTune(trained, true);
        float[] want = trained.forward(input()).toFloatArray();

        PeftAdapter.saveConverted(tmp, trained, cfg, null, null);
        ModuleTree original = ModuleTree.tiny(MODEL_SEED);
        LoadedAdapter loaded = PeftAdapter.load(tmp, original);
        float[] got = original.forward(input()).toFloatArray();
        assertTrue(maxRelDiff(got, want) <= 1e-5, "rel diff " + maxRelDiff(got, want));
        assertEquals(6, loaded.config().r());
        assertEquals(rslora ? Math.sqrt(2) * 5 : 10, loaded.config().loraAlpha(), 1e-12);
        assertInstanceOf(LoraInit.Kaiming.class, loaded.config().init());
        assertEquals(cfg.scaling(), loaded.config().scaling(), 1e-12, "the conversion keeps s");
        assertTrue(loaded.warnings().isEmpty());
    }

    @Test
    void plainPissaAdapterOnTheOriginalModelIsWrongAndWarns() throws Exception {
        ModuleTree trained = ModuleTree.tiny(MODEL_SEED);
        LoraConfig cfg = cfg(new LoraInit.Pissa(), false, List.of());
        LoraInjector.inject(trained, cfg);
        fineTune(trained, false);
        float[] want = trained.forward(input()).toFloatArray();
        PeftAdapter.save(tmp, trained, cfg, null, null);
        ModuleTree original = ModuleTree.tiny(MODEL_SEED);
        LoadedAdapter loaded = PeftAdapter.load(tmp, original);
        assertTrue(maxRelDiff(original.forward(input()).toFloatArray(), want) > 1e-2,
                "W + s·B·A is not W_res + s·B·A: the documented caveat must be real");
        assertEquals(1, loaded.warnings().size());
        assertTrue(loaded.warnings().get(0).contains("saveConverted"), loaded.warnings().get(0));
    }

    @Test
    void saveRefusesAModelThatDisagreesWithItsConfig() {
        ModuleTree m = ModuleTree.tiny(MODEL_SEED);
        assertThrows(IllegalArgumentException.class, () -> PeftAdapter.save(tmp, m, cfg(new LoraInit.Kaiming(), false,
                List.of()), null, null), "no adapters");
        LoraConfig cfg = cfg(new LoraInit.Kaiming(), false, List.of());
        LoraInjector.inject(m, cfg);
        assertThrows(IllegalArgumentException.class, () -> PeftAdapter.save(tmp, m, cfg.withRank(4, 5), null, null));
        assertThrows(IllegalStateException.class, () -> PeftAdapter.load(tmp, m), "already adapted");
    }
}
