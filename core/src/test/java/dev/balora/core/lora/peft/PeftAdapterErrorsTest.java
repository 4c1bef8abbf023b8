package dev.balora.core.lora.peft;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsFormatException;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import dev.balora.core.lora.LoraInjector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way an adapter directory can be wrong is one AdapterFormatException naming the file and key. */
class PeftAdapterErrorsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeEach
    void validAdapter() throws IOException {
        ModuleTree m = ModuleTree.tiny(3);
        LoraConfig cfg = new LoraConfig(2, 4, 0.0, false, new LoraInit.Kaiming(), List.of("query", "mlp.up"),
                List.of("classifier"), 1);
        LoraInjector.inject(m, cfg);
        PeftAdapterRoundTripTest.fineTune(m, true);
        PeftAdapter.save(dir, m, cfg, null, null);
    }

    Map<String, F32Tensor> tensors() throws IOException {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        try (SafetensorsReader st = SafetensorsReader.open(dir.resolve(PeftAdapter.WEIGHTS_FILE))) {
            for (String n : st.names()) {
                out.put(n, st.readF32Tensor(n));
            }
        }
        return out;
    }

    void editConfig(Consumer<ObjectNode> edit) throws IOException {
        Path f = dir.resolve(PeftAdapter.CONFIG_FILE);
        ObjectNode c = (ObjectNode) JSON.readTree(f.toFile());
        edit.accept(c);
        Files.writeString(f, c.toString());
    }

    AdapterFormatException failsUnchanged() {
        ModuleTree m = ModuleTree.tiny(3);
        AdapterFormatException e = assertThrows(AdapterFormatException.class, () -> PeftAdapter.load(dir, m));
        assertTrue(LoraInjector.adapters(m).isEmpty(), "a failed load must leave the model unchanged");
        assertTrue(e.getMessage().startsWith(e.file().toString()), e.getMessage());
        return e;
    }

    @Test
    void missingExtraAndMisshapedTensorsAreListedTogether() throws IOException {
        Map<String, F32Tensor> t = tensors();
        t.remove("base_model.model.blocks.0.attention.query.lora_A.weight");
        t.put("base_model.model.blocks.1.attention.key.lora_A.weight", new F32Tensor(new long[] {2, 9}, new float[18]));
        t.put("base_model.model.blocks.1.mlp.up.lora_B.weight", new F32Tensor(new long[] {13, 3}, new float[39]));
        t.put("base_model.model.classifier.bias", new F32Tensor(new long[] {4}, new float[4]));
        SafetensorsWriter.write(dir.resolve(PeftAdapter.WEIGHTS_FILE), t);
        AdapterFormatException e = failsUnchanged();
        assertEquals(dir.resolve(PeftAdapter.WEIGHTS_FILE), e.file());
        assertEquals("tensors", e.key());
        assertEquals(4, e.problems().size(), e.getMessage());
        String msg = e.getMessage();
        assertTrue(msg.contains("missing tensor base_model.model.blocks.0.attention.query.lora_A.weight [2, 9]"), msg);
        assertTrue(msg.contains("unexpected tensor base_model.model.blocks.1.attention.key.lora_A.weight"), msg);
        assertTrue(msg.contains("tensor base_model.model.blocks.1.mlp.up.lora_B.weight: expected shape [13, 2], found [13, 3]"), msg);
        assertTrue(msg.contains("tensor base_model.model.classifier.bias: expected shape [3], found [4]"), msg);
    }

    @Test
    void nonFiniteWeightsAreRejected() throws IOException {
        Map<String, F32Tensor> t = tensors();
        float[] v = t.get("base_model.model.blocks.1.attention.query.lora_B.weight").values();
        v[5] = Float.NaN;
        SafetensorsWriter.write(dir.resolve(PeftAdapter.WEIGHTS_FILE), t);
        AdapterFormatException e = failsUnchanged();
        assertTrue(e.getMessage().contains("expected finite float32 values, found NaN at element 5"), e.getMessage());
    }

    /** Issue 14: an adapter of 3.4e38 values was accepted and turned every prediction into NaN. */
    @Test
    void valuesWhoseUpdateOverflowsFloat32AreRejected() throws IOException {
        Map<String, F32Tensor> t = tensors();
        java.util.Arrays.fill(t.get("base_model.model.blocks.0.attention.query.lora_A.weight").values(), 3.4e38f);
        java.util.Arrays.fill(t.get("base_model.model.blocks.0.attention.query.lora_B.weight").values(), 3.4e38f);
        SafetensorsWriter.write(dir.resolve(PeftAdapter.WEIGHTS_FILE), t);
        AdapterFormatException e = failsUnchanged();
        assertTrue(e.getMessage().contains("within float32's range"), e.getMessage());
    }

    /** Issue 14: lora_alpha 1e300 was accepted; its scale is an infinity in float32. */
    @Test
    void aScaleThatOverflowsFloat32IsRejected() throws IOException {
        editConfig(c -> c.put("lora_alpha", 1e300));
        AdapterFormatException e = failsUnchanged();
        assertEquals("lora_alpha", e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("finite in float32"), e.getMessage());
    }

    @Test
    void damagedSafetensorsIsWrapped() throws IOException {
        Path f = dir.resolve(PeftAdapter.WEIGHTS_FILE);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
        AdapterFormatException e = failsUnchanged();
        assertEquals(f, e.file());
        assertInstanceOf(SafetensorsFormatException.class, e.getCause());
    }

    @Test
    void missingFilesAreFormatErrors() throws IOException {
        Files.delete(dir.resolve(PeftAdapter.WEIGHTS_FILE));
        assertEquals("(file)", failsUnchanged().key());
        Files.delete(dir.resolve(PeftAdapter.CONFIG_FILE));
        AdapterFormatException e = failsUnchanged();
        assertEquals(dir.resolve(PeftAdapter.CONFIG_FILE), e.file());
    }

    @Test
    void configProblemsNameTheKey() throws IOException {
        Map<String, Consumer<ObjectNode>> cases = new LinkedHashMap<>();
        cases.put("r", c -> c.remove("r"));
        cases.put("r ", c -> c.put("r", "2"));
        cases.put("r  ", c -> c.put("r", -2));
        cases.put("r   ", c -> c.put("r", 2.5));
        cases.put("lora_alpha", c -> c.put("lora_alpha", "four"));
        cases.put("lora_dropout", c -> c.put("lora_dropout", 1.5));
        cases.put("peft_type", c -> c.put("peft_type", "IA3"));
        cases.put("target_modules", c -> c.putArray("target_modules"));
        cases.put("target_modules ", c -> c.put("target_modules", "(unclosed"));
        cases.put("target_modules  ", c -> c.putArray("target_modules").add("nonexistent"));
        cases.put("use_dora", c -> c.put("use_dora", true));
        cases.put("bias", c -> c.put("bias", "all"));
        cases.put("rank_pattern", c -> c.putObject("rank_pattern").put("query", 4));
        cases.put("init_lora_weights", c -> c.put("init_lora_weights", "olora"));
        cases.put("modules_to_save", c -> c.put("modules_to_save", "classifier"));
        cases.put("use_rslora", c -> c.put("use_rslora", "yes"));
        Path f = dir.resolve(PeftAdapter.CONFIG_FILE);
        byte[] valid = Files.readAllBytes(f);
        for (Map.Entry<String, Consumer<ObjectNode>> c : cases.entrySet()) {
            editConfig(c.getValue());
            AdapterFormatException e = failsUnchanged();
            assertEquals(f, e.file(), c.getKey());
            assertEquals(c.getKey().trim(), e.key(), e.getMessage());
            Files.write(f, valid);
        }
        Files.writeString(f, "{\"r\": 2,");
        assertEquals("(json)", failsUnchanged().key());
        Files.writeString(f, "[1, 2]");
        assertEquals("(root)", failsUnchanged().key());
        Files.writeString(f, "{\"r\": 2, \"r\": 3}");
        assertEquals("(json)", failsUnchanged().key(), "duplicate keys are refused");
    }

    @Test
    void badBaloraConfigIsAFormatError() throws IOException {
        Path f = dir.resolve(PeftAdapter.BALORA_FILE);
        Files.writeString(f, "{\"settings\": ");
        AdapterFormatException e = failsUnchanged();
        assertEquals(f, e.file());
        assertEquals("(json)", e.key());
        Files.writeString(f, "{\"settings\": [1, 2]}");
        assertEquals("settings", failsUnchanged().key());
    }

    @Test
    void rankAboveALayersWidthIsAFormatError() throws IOException {
        editConfig(c -> c.put("r", 10));
        AdapterFormatException e = failsUnchanged();
        assertEquals("r", e.key());
        assertTrue(e.getMessage().contains("min(in, out) = 9"), e.getMessage());
    }

    @Test
    void unknownKeysWarnOnceAndAreIgnored() throws IOException {
        editConfig(c -> {
            c.put("zeta_future_option", 3);
            c.putArray("alpha_experimental").add(1);
            c.put("peft_version", "0.18.0");
        });
        ModuleTree m = ModuleTree.tiny(3);
        LoadedAdapter a = PeftAdapter.load(dir, m);
        assertEquals(1, a.warnings().size(), a.warnings().toString());
        assertTrue(a.warnings().get(0).contains("[zeta_future_option, alpha_experimental]"), a.warnings().get(0));
        assertEquals(4, a.adapters().size());
    }
}
