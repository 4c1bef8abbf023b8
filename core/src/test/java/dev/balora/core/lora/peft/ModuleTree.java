package dev.balora.core.lora.peft;

import dev.balora.core.nn.Layer;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.ops.Ops;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;

/**
 * A model assembled from layers placed at dotted paths (intermediate holders created on the way), so tests can
 * mimic Hugging Face module trees. Layers are looked up at call time, so injected LoRA wrappers take effect.
 */
final class ModuleTree extends Module {
    /** An empty node of the tree. */
    static final class Node extends Module {
        void put(String name, Module m) {
            registerModule(name, m);
        }
    }

    /** Places {@code m} at {@code path}, creating intermediate nodes. */
    ModuleTree add(String path, Module m) {
        String[] parts = path.split("\\.");
        Module at = this;
        for (int i = 0; i < parts.length - 1; i++) {
            Module next = at.child(parts[i]);
            if (next == null) {
                next = new Node();
                put(at, parts[i], next);
            }
            at = next;
        }
        put(at, parts[parts.length - 1], m);
        return this;
    }

    private void put(Module parent, String name, Module m) {
        if (parent == this) {
            registerModule(name, m);
        } else {
            ((Node) parent).put(name, m);
        }
    }

    /** Runs the layer now at {@code path} (a Linear, or the LoRA layer that replaced it). */
    Tensor run(String path, Tensor x) {
        return ((Layer) namedModules().get(path)).forward(x);
    }

    // ---- the test model ---------------------------------------------------------------------------------------

    static final int D = 9;
    static final int H = 13;

    /**
     * Two encoder-like blocks with BERT-ish names and a 3-class head; odd widths (9, 13).
     * Paths: blocks.{0,1}.attention.{query,value}, blocks.{0,1}.mlp.{up,down}, classifier.
     */
    static ModuleTree tiny(long seed) {
        ModuleTree t = new ModuleTree();
        for (int b = 0; b < 2; b++) {
            String p = "blocks." + b + ".";
            t.add(p + "attention.query", new Linear(D, D, true, DType.F32, seed + 10L * b));
            t.add(p + "attention.value", new Linear(D, D, true, DType.F32, seed + 10L * b + 1));
            t.add(p + "mlp.up", new Linear(D, H, true, DType.F32, seed + 10L * b + 2));
            t.add(p + "mlp.down", new Linear(H, D, false, DType.F32, seed + 10L * b + 3));
        }
        t.add("classifier", new Linear(D, 3, true, DType.F32, seed + 99));
        return t;
    }

    /** @param x [N, 9] @return logits [N, 3] */
    Tensor forward(Tensor x) {
        Tensor h = x;
        for (int b = 0; b < 2; b++) {
            String p = "blocks." + b + ".";
            Tensor a = Ops.tanh(Ops.add(run(p + "attention.query", h), run(p + "attention.value", h)));
            h = Ops.add(a, run(p + "mlp.down", Ops.gelu(run(p + "mlp.up", a))));
        }
        return run("classifier", h);
    }
}
