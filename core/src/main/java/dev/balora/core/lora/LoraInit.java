package dev.balora.core.lora;

/**
 * How an adapter starts (SPEC §1.1). A sealed family: new methods plug in here without touching {@link LoraLinear}.
 */
public sealed interface LoraInit {
    /** PEFT's default: A ~ U(−1/√in, 1/√in) (kaiming_uniform, a = √5), B = 0, W_res = W. */
    record Kaiming() implements LoraInit {}

    /** PiSSA with an exact thin SVD: the adapter holds W's principal rank-r part, W_res the rest. */
    record Pissa() implements LoraInit {}

    /**
     * PiSSA with a seeded randomized SVD (Halko): {@code niter} power iterations, sketch width r + oversampling.
     * PEFT uses oversampling 0 and recommends niter 16.
     */
    record PissaRandomized(int niter, int oversampling) implements LoraInit {}

    /** @return the PEFT {@code init_lora_weights} spelling: true, "pissa", "pissa_niter_K" */
    default String peftName() {
        return switch (this) {
            case Kaiming k -> "true";
            case Pissa p -> "pissa";
            case PissaRandomized p -> "pissa_niter_" + p.niter();
        };
    }

    /** Parses "lora" / "true" / "kaiming", "pissa", "pissa_niter_K". */
    static LoraInit parse(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("lora") || v.equals("true") || v.equals("kaiming") || v.equals("default")) {
            return new Kaiming();
        }
        if (v.equals("pissa")) {
            return new Pissa();
        }
        if (v.startsWith("pissa_niter_")) {
            try {
                int k = Integer.parseInt(v.substring("pissa_niter_".length()));
                if (k >= 0) {
                    return new PissaRandomized(k, 0);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        throw new IllegalArgumentException("unknown LoRA init '" + s + "' (expected lora, pissa or pissa_niter_K)");
    }
}
