package dev.balora.core.balora;

/**
 * How a regularizer weight λ varies with the optimizer step t of T_max (SPEC §2.4).
 * <ul>
 *   <li>{@code constant}: λ.</li>
 *   <li>{@code cosine}: {@code λ·(0.1 + 0.9·½(1 + cos(π t/T_max)))} — from λ down to 0.1λ.</li>
 *   <li>{@code two_phase}: 0 for {@code t < ⌊0.2 T_max⌋ = t₀}, then a linear ramp over
 *       {@code R = max(⌊0.05 T_max⌋, 1)} steps reaching λ at step {@code t₀ + R − 1}
 *       ({@code λ·(t − t₀ + 1)/R}), then λ.</li>
 * </ul>
 */
public enum Schedule {
    CONSTANT, COSINE, TWO_PHASE;

    /**
     * @param lambda the base weight
     * @param step   the optimizer step t, from 0
     * @param total  T_max, the total number of optimizer steps (≥ 1)
     * @return λ(t)
     */
    public double weight(double lambda, long step, long total) {
        long tmax = Math.max(total, 1);
        return switch (this) {
            case CONSTANT -> lambda;
            case COSINE -> lambda * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(step, tmax) / tmax)));
            case TWO_PHASE -> {
                long t0 = (long) Math.floor(0.2 * tmax);
                long ramp = Math.max((long) Math.floor(0.05 * tmax), 1);
                if (step < t0) {
                    yield 0.0;
                }
                yield lambda * Math.min(1.0, (double) (step - t0 + 1) / ramp);
            }
        };
    }

    /** Parses "constant", "cosine", "two_phase" (case-insensitive, '-' accepted for '_'). */
    public static Schedule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown schedule '" + s + "' (expected constant, cosine or two_phase)");
        }
    }
}
