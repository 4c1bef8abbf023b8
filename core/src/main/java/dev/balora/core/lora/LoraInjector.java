package dev.balora.core.lora;

import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts LoRA adapters into any {@link Module} tree: every {@link Linear} whose dotted path equals a target or ends with
 * "." + target is replaced by a {@link LoraLinear}; then everything is frozen except the adapters (and the modules
 * named in {@code modulesToSave}).
 */
public final class LoraInjector {
    private LoraInjector() {}

    /**
     * What injection did.
     *
     * @param adapted          dotted path → adapter, in tree order
     * @param trainableParams  number of trainable parameter elements
     * @param totalParams      number of parameter elements in the tree
     */
    public record Summary(Map<String, LoraLinear> adapted, long trainableParams, long totalParams) {
        /** @return e.g. "trainable params: 73,728 || all params: 22,786,176 || trainable%: 0.3236" */
        public String format() {
            return String.format(java.util.Locale.ROOT, "adapted layers: %d || trainable params: %,d || all params: %,d || trainable%%: %.4f",
                    adapted.size(), trainableParams, totalParams, 100.0 * trainableParams / Math.max(totalParams, 1));
        }
    }

    /** @return whether {@code path} matches a target suffix on a dot boundary */
    public static boolean matches(String path, List<String> suffixes) {
        for (String s : suffixes) {
            if (path.equals(s) || path.endsWith("." + s)) {
                return true;
            }
        }
        return false;
    }

    /** Injects adapters per {@code cfg}; fails when no layer matches (a misspelt target must not train nothing). */
    public static Summary inject(Module root, LoraConfig cfg) {
        Map<String, Module> modules = root.namedModules();
        List<String> targets = new ArrayList<>();
        for (Map.Entry<String, Module> e : modules.entrySet()) {
            if (e.getValue().getClass() == Linear.class && matches(e.getKey(), cfg.targetModules())
                    && !matches(e.getKey(), cfg.modulesToSave())) {
                targets.add(e.getKey());
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA: no Linear layer matches target modules " + cfg.targetModules());
        }
        Map<String, LoraLinear> adapted = new LinkedHashMap<>();
        for (String path : targets) {
            int dot = path.lastIndexOf('.');
            Module parent = dot < 0 ? root : modules.get(path.substring(0, dot));
            String name = path.substring(dot + 1);
            LoraLinear lora = new LoraLinear((Linear) modules.get(path), cfg, cfg.seed() * 1_000_003L + path.hashCode());
            parent.replaceChild(name, lora);
            adapted.put(path, lora);
        }
        root.freeze();
        for (LoraLinear l : adapted.values()) {
            l.loraA().requiresGrad(true);
            l.loraB().requiresGrad(true);
        }
        for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
            if (!e.getKey().isEmpty() && matches(e.getKey(), cfg.modulesToSave())) {
                e.getValue().namedParameters().values().forEach(t -> t.requiresGrad(true));
            }
        }
        long trainable = root.trainableParameters().stream().mapToLong(Tensor::numel).sum();
        return new Summary(adapted, trainable, root.parameterCount());
    }

    /** @return every adapter in the tree by dotted path */
    public static Map<String, LoraLinear> adapters(Module root) {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        root.namedModules().forEach((p, m) -> {
            if (m instanceof LoraLinear l) {
                out.put(p, l);
            }
        });
        return out;
    }

    /** Sets every adapter's mode (see {@link AdapterMode}). */
    public static void setMode(Module root, AdapterMode mode) {
        adapters(root).values().forEach(l -> l.setMode(mode));
    }
}
