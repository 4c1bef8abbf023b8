package dev.balora.core.lora.peft;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraLinear;
import java.util.List;
import java.util.Map;

/**
 * What {@link PeftAdapter#load} did.
 *
 * @param config         the adapter config as read from {@code adapter_config.json}
 * @param loraConfig     the settings the injected layers run with (init {@code Kaiming}: the loaded weights replaced
 *                       it; target list = the file's suffixes, or the resolved paths for a regex)
 * @param adapters       dotted path → injected layer, in tree order
 * @param baloraSettings the {@code settings} object of {@code balora_config.json}; empty when the file is absent
 * @param warnings       what was logged: unknown config keys (one line listing them), PiSSA base caveat
 */
public record LoadedAdapter(PeftAdapterConfig config, LoraConfig loraConfig, Map<String, LoraLinear> adapters,
                            Map<String, Object> baloraSettings, List<String> warnings) {
    public LoadedAdapter {
        adapters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(adapters));
        baloraSettings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(baloraSettings));
        warnings = List.copyOf(warnings);
    }
}
