package dev.balora.models.finetune;

import dev.balora.core.lora.LoraInit;
import java.util.Locale;

/** The three fine-tuning methods balora compares. */
public enum Method {
    /** Plain LoRA: Kaiming A, zero B, task loss only. */
    LORA,
    /** PiSSA: principal-singular-vector init, task loss only. */
    PISSA,
    /** BA-LoRA: PiSSA init plus the consistency, diversity and SVD regularizers. */
    BALORA;

    /** @return the adapter init this method uses (randomized PiSSA when {@code pissaNiter} &gt; 0) */
    public LoraInit init(int pissaNiter) {
        if (this == LORA) {
            return new LoraInit.Kaiming();
        }
        return pissaNiter > 0 ? new LoraInit.PissaRandomized(pissaNiter, 0) : new LoraInit.Pissa();
    }

    /** @return whether the BA-LoRA regularizers are on */
    public boolean regularized() {
        return this == BALORA;
    }

    /** @return the lower-case CLI name */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses lora | pissa | balora (case-insensitive; "ba-lora" accepted). */
    public static Method parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "");
        return switch (v) {
            case "lora" -> LORA;
            case "pissa" -> PISSA;
            case "balora" -> BALORA;
            default -> throw new IllegalArgumentException("unknown method '" + s + "' (expected lora, pissa or balora)");
        };
    }
}
