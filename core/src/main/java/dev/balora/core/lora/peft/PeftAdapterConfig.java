package dev.balora.core.lora.peft;

import dev.balora.core.lora.LoraConfig;
import dev.balora.core.lora.LoraInit;
import java.util.List;

/**
 * The LoRA settings of a PEFT {@code adapter_config.json} that balora honours.
 *
 * @param r                   rank (≥ 1)
 * @param loraAlpha           α; scaling s = α/r, or α/√r with rsLoRA
 * @param loraDropout         dropout on the adapter's input, in [0, 1)
 * @param useRslora           rank-stabilised scaling
 * @param init                {@code init_lora_weights}: {@link LoraInit.Kaiming} for {@code true}, {@code false} and
 *                            "gaussian" (the loaded weights replace the init anyway), PiSSA for "pissa" /
 *                            "pissa_niter_K" (then the base must hold the run's W_res, see {@link PeftAdapter})
 * @param targetModules       module-name suffixes (PEFT's list form), or null when {@code targetModulesRegex} is set
 * @param targetModulesRegex  PEFT's string form: a regex that must match a module's whole dotted path; or null
 * @param modulesToSave       module-name suffixes trained fully and saved whole (empty for PEFT's null)
 * @param baseModelNameOrPath {@code base_model_name_or_path}, or null
 * @param taskType            {@code task_type} (e.g. "SEQ_CLS", "CAUSAL_LM"), or null
 */
public record PeftAdapterConfig(int r, double loraAlpha, double loraDropout, boolean useRslora, LoraInit init,
                                List<String> targetModules, String targetModulesRegex, List<String> modulesToSave,
                                String baseModelNameOrPath, String taskType) {
    public PeftAdapterConfig {
        if ((targetModules == null) == (targetModulesRegex == null)) {
            throw new IllegalArgumentException("exactly one of targetModules and targetModulesRegex must be set");
        }
        targetModules = targetModules == null ? null : List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
    }

    /** The config {@link PeftAdapter#save} writes for a balora run. */
    public static PeftAdapterConfig of(LoraConfig cfg, String baseModelNameOrPath, String taskType) {
        return new PeftAdapterConfig(cfg.r(), cfg.alpha(), cfg.dropout(), cfg.useRslora(), cfg.init(),
                cfg.targetModules(), null, cfg.modulesToSave(), baseModelNameOrPath, taskType);
    }

    /** @return s = α/r, or α/√r with rsLoRA */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /** @return whether the adapter was trained on a PiSSA residual W_res rather than on the original W */
    public boolean isPissa() {
        return !(init instanceof LoraInit.Kaiming);
    }
}
