package dev.balora.core.lora.peft;

import dev.balora.core.lora.LoraInjector;
import dev.balora.core.nn.Linear;
import dev.balora.core.nn.Module;
import dev.balora.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * PEFT's tensor naming, in one place: {@code base_model.model.<module path>.lora_A.weight} [r, in] and
 * {@code .lora_B.weight} [out, r] for each adapted layer (PEFT drops the adapter name "default"), and
 * {@code base_model.model.<module path>.<param>} for every parameter of a {@code modules_to_save} module (PEFT's
 * {@code ModulesToSaveWrapper} copy, saved under the wrapped module's own path).
 */
final class AdapterLayout {
    /** PEFT's prefix: {@code PeftModel.base_model} (the LoraModel) → {@code .model} (the wrapped model). */
    static final String PREFIX = "base_model.model.";

    private AdapterLayout() {}

    /** @return the file key of model parameter {@code paramPath} */
    static String key(String paramPath) {
        return PREFIX + paramPath;
    }

    /** @return the model parameter path of file key {@code key} (which starts with the prefix) */
    static String paramPath(String key) {
        return key.substring(PREFIX.length());
    }

    /**
     * The layers {@link LoraInjector#inject} would adapt, for a config read from a file: PEFT's list form uses the
     * injector's own suffix rule; PEFT's regex form must match the whole dotted path.
     *
     * @return dotted path → layer, in tree order
     */
    static Map<String, Linear> targets(Module root, List<String> suffixes, Pattern regex, List<String> modulesToSave) {
        Map<String, Linear> out = new LinkedHashMap<>();
        root.namedModules().forEach((path, m) -> {
            if (m.getClass() == Linear.class && !path.isEmpty() && !LoraInjector.matches(path, modulesToSave)
                    && (regex != null ? regex.matcher(path).matches() : LoraInjector.matches(path, suffixes))) {
                out.put(path, (Linear) m);
            }
        });
        return out;
    }

    /** @return expected file key → shape of the adapter tensors of {@code targets} at rank r */
    static Map<String, int[]> loraShapes(Map<String, Linear> targets, int r) {
        Map<String, int[]> out = new LinkedHashMap<>();
        targets.forEach((path, l) -> {
            out.put(key(path + ".lora_A.weight"), new int[] {r, l.inFeatures()});
            out.put(key(path + ".lora_B.weight"), new int[] {l.outFeatures(), r});
        });
        return out;
    }

    /** @return model parameter path → tensor, for every parameter under a module matching {@code modulesToSave} */
    static Map<String, Tensor> modulesToSaveParams(Module root, List<String> modulesToSave) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (modulesToSave.isEmpty()) {
            return out;
        }
        root.namedModules().forEach((path, m) -> {
            if (!path.isEmpty() && LoraInjector.matches(path, modulesToSave)) {
                m.namedParameters().forEach((name, t) -> out.put(path + "." + name, t));
            }
        });
        return out;
    }

    /** @return the module paths in {@code root} a config's modules_to_save names match (for error messages) */
    static List<String> unmatched(Module root, List<String> names) {
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            if (root.namedModules().keySet().stream().noneMatch(p -> !p.isEmpty() && LoraInjector.matches(p, List.of(n)))) {
                missing.add(n);
            }
        }
        return missing;
    }
}
