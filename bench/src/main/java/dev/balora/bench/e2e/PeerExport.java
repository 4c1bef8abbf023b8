package dev.balora.bench.e2e;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.io.SafetensorsWriter;
import dev.balora.core.tensor.Tensor;
import dev.balora.models.bert.BertForSequenceClassification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the PyTorch peer needs to train the very same model on the very same data, as one safetensors file:
 * <ul>
 *   <li>every parameter of the classifier by its balora (= Hugging Face / PEFT) name, as initialised: the frozen
 *       {@code …query.weight} is W_res [out, in] (W itself for LoRA, W − s·B₀A₀ for PiSSA), {@code …lora_A.weight}
 *       [r, in], {@code …lora_B.weight} [out, r], the classifier head [2, d] and [2];</li>
 *   <li>the batches: {@code batch.B.ids}, {@code batch.B.mask} [N, T] and {@code batch.B.labels} [N], stored as
 *       float32 (ids &lt; 2²⁴ are exact);</li>
 *   <li>metadata: the method, scaling, BA-LoRA weights, and balora's loss on batch 0 before any update
 *       ({@code balora_loss0}), which the peer must reproduce.</li>
 * </ul>
 */
public final class PeerExport {
    private PeerExport() {}

    /** @return a float32 copy of every parameter of {@code model} (take it before the first update) */
    public static Map<String, F32Tensor> snapshot(BertForSequenceClassification model) {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, t) -> out.put(name, copy(t)));
        return out;
    }

    /**
     * Writes {@code parameters}, {@code batches} and {@code metadata} to {@code target}.
     *
     * @param parameters from {@link #snapshot}
     * @param batches    the batches the benchmark cycles through
     * @param metadata   string facts (method, scaling, loss0 …)
     */
    public static void write(Path target, Map<String, F32Tensor> parameters, List<ReviewBatches.Batch> batches,
                             Map<String, String> metadata) throws IOException {
        Map<String, F32Tensor> all = new LinkedHashMap<>(parameters);
        for (int i = 0; i < batches.size(); i++) {
            ReviewBatches.Batch b = batches.get(i);
            all.put("batch." + i + ".ids", ints(b.ids(), b.n(), b.t()));
            all.put("batch." + i + ".mask", ints(b.mask(), b.n(), b.t()));
            all.put("batch." + i + ".labels", ints(b.labels(), b.n()));
        }
        SafetensorsWriter.write(target, all, metadata);
    }

    private static F32Tensor copy(Tensor t) {
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        return new F32Tensor(shape, t.toFloatArray());
    }

    private static F32Tensor ints(int[] v, long... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return new F32Tensor(shape, f);
    }
}
