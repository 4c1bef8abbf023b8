package dev.balora.core.train;

import dev.balora.core.io.F32Tensor;
import dev.balora.core.optim.AdamW;
import dev.balora.core.tensor.Storage;
import dev.balora.core.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Moves trainable parameters and AdamW moments between the live tensors and a checkpoint's tensor map. */
final class CheckpointTensors {
    private CheckpointTensors() {}

    /** @return parameter values and both moments of every parameter, under {@link CheckpointState}'s keys */
    static Map<String, F32Tensor> capture(Map<String, Tensor> params, AdamW optimizer) {
        Map<String, F32Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            long[] shape = Arrays.stream(p.shape()).asLongStream().toArray();
            out.put(CheckpointState.paramKey(e.getKey()), new F32Tensor(shape, p.toFloatArray()));
            out.put(CheckpointState.firstMomentKey(e.getKey()),
                    new F32Tensor(shape, p.backend().toFloatArray(optimizer.firstMoment(i))));
            out.put(CheckpointState.secondMomentKey(e.getKey()),
                    new F32Tensor(shape, p.backend().toFloatArray(optimizer.secondMoment(i))));
            i++;
        }
        return out;
    }

    /**
     * Copies checkpointed values into the live parameter and moment storages (bit for bit), after checking that
     * every name and shape matches.
     */
    static void restore(Map<String, Tensor> params, AdamW optimizer, List<String> names, Map<String, F32Tensor> tensors,
                        Path file) {
        List<String> expected = List.copyOf(params.keySet());
        if (!expected.equals(names)) {
            throw new CheckpointException(file + ": key parameters: the task has " + expected
                    + " but the checkpoint has " + names);
        }
        int i = 0;
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor p = e.getValue();
            copy(file, CheckpointState.paramKey(e.getKey()), tensors, p, p.storage());
            copy(file, CheckpointState.firstMomentKey(e.getKey()), tensors, p, optimizer.firstMoment(i));
            copy(file, CheckpointState.secondMomentKey(e.getKey()), tensors, p, optimizer.secondMoment(i));
            i++;
        }
    }

    private static void copy(Path file, String key, Map<String, F32Tensor> tensors, Tensor like, Storage dst) {
        F32Tensor t = tensors.get(key);
        if (t == null) {
            throw new CheckpointException(file + ": tensor " + key + " is missing");
        }
        long[] expected = Arrays.stream(like.shape()).asLongStream().toArray();
        if (!Arrays.equals(expected, t.shape())) {
            throw new CheckpointException(file + ": tensor " + key + ": expected shape " + Arrays.toString(expected)
                    + ", found " + Arrays.toString(t.shape()));
        }
        // A strided copy, not axpby: 1·x + 0 would turn −0.0 into +0.0, and resume must be bit-exact.
        Storage src = like.backend().fromHost(t.values());
        int n = Math.toIntExact(like.numel());
        like.backend().copyStrided(src, 0, new long[] {1}, dst, 0, new long[] {1}, new int[] {n});
    }
}
