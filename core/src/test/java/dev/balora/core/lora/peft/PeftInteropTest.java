package dev.balora.core.lora.peft;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.balora.core.io.SafetensorsReader;
import dev.balora.core.lora.LoraLinear;
import dev.balora.core.nn.Linear;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adapters written by PyTorch in PEFT's layout ({@code tools/make_pissa_fixture.py}) load into balora and compute
 * torch's {@code x Wᵀ + b + s·x Aᵀ Bᵀ} (float64 reference, float32 compute: 1e-5 relative).
 */
class PeftInteropTest {
    static Path fixture(String name) throws Exception {
        return Path.of(PeftInteropTest.class.getResource("/fixtures/" + name).toURI());
    }

    static ModuleTree baseModel() throws Exception {
        ModuleTree t = new ModuleTree()
                .add("blocks.0.attn.q_proj", new Linear(7, 5, true, DType.F32, 1))
                .add("blocks.0.attn.v_proj", new Linear(7, 5, true, DType.F32, 2))
                .add("blocks.0.mlp.up_proj", new Linear(7, 11, false, DType.F32, 3))
                .add("head", new Linear(11, 3, true, DType.F32, 4));
        Map<String, Tensor> weights = new LinkedHashMap<>();
        try (SafetensorsReader st = SafetensorsReader.open(fixture("peft_base_model.safetensors"))) {
            for (String n : st.names()) {
                int[] shape = Arrays.stream(st.tensor(n).shape()).mapToInt(Math::toIntExact).toArray();
                weights.put(n, Tensor.of(st.readFloats(n), shape));
            }
        }
        t.loadStateDict(weights, true);
        return t;
    }

    static Tensor matrix(JsonNode rows) {
        int n = rows.size();
        int w = rows.get(0).size();
        float[] v = new float[n * w];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                v[i * w + j] = (float) rows.get(i).get(j).asDouble();
            }
        }
        return Tensor.of(v, n, w);
    }

    @ParameterizedTest
    @ValueSource(strings = {"peft_list", "peft_regex"})
    void torchWrittenAdapterComputesTorchOutputs(String name) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(fixture("peft_interop_expected.json").toFile());
        JsonNode spec = expected.get("adapters").get(name);
        ModuleTree model = baseModel();
        LoadedAdapter loaded = PeftAdapter.load(fixture(name), model);
        assertTrue(loaded.warnings().isEmpty(), "every key PEFT writes is known: " + loaded.warnings());
        assertEquals(spec.get("scaling").asDouble(), loaded.config().scaling(), 1e-12);
        assertEquals(name.equals("peft_list") ? 3 : 2, loaded.adapters().size(), loaded.adapters().keySet().toString());
        Tensor x = matrix(expected.get("x"));
        Tensor xh = matrix(expected.get("xh"));
        for (var it = spec.get("outputs").fields(); it.hasNext(); ) {
            var e = it.next();
            String path = e.getKey();
            float[] got = model.run(path, path.equals("head") ? xh : x).toFloatArray();
            float[] want = matrix(e.getValue()).toFloatArray();
            double rel = PeftAdapterRoundTripTest.maxRelDiff(got, want);
            assertTrue(rel <= 1e-5, name + " " + path + ": rel diff " + rel);
            assertEquals(loaded.adapters().containsKey(path), model.namedModules().get(path) instanceof LoraLinear, path);
        }
    }
}
