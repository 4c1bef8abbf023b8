package dev.balora.core.train;

import java.util.Locale;

/**
 * The learning rate at each optimizer step, with the Hugging Face {@code transformers} semantics: a linear
 * warm-up from 0 over {@code W} steps, then a decay to 0 at {@code T = totalSteps}.
 *
 * <p>For optimizer step {@code t} (counted from 0, the value used by the {@code t+1}-th update):
 * <ul>
 *   <li>warm-up, {@code t < W}: {@code f = t / max(1, W)} — so the very first update uses lr 0 when W &gt; 0,
 *       exactly as {@code get_linear_schedule_with_warmup} does;</li>
 *   <li>{@code LINEAR}: {@code f = max(0, (T − t) / max(1, T − W))};</li>
 *   <li>{@code COSINE}: {@code p = (t − W) / max(1, T − W)}, {@code f = max(0, ½(1 + cos(π·p)))} (half a cycle);</li>
 *   <li>{@code CONSTANT}: {@code f = 1}.</li>
 * </ul>
 * and {@code lr(t) = peak·f}.
 *
 * @param peak        the learning rate reached at the end of warm-up (&gt; 0)
 * @param warmupSteps W (≥ 0)
 * @param totalSteps  T, the number of optimizer steps of the run (≥ 1)
 * @param decay       the shape after warm-up
 */
public record LrSchedule(double peak, long warmupSteps, long totalSteps, Decay decay) {
    /** The shape of the schedule after warm-up. */
    public enum Decay {
        COSINE, LINEAR, CONSTANT;

        /** Parses "cosine", "linear", "constant" (case-insensitive). */
        public static Decay parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lr decay: expected cosine, linear or constant, got '" + s + "'", e);
            }
        }
    }

    public LrSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("lr schedule: peak learning rate must be finite and > 0, got " + peak);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("lr schedule: need warmupSteps >= 0 and totalSteps >= 1, got "
                    + warmupSteps + " and " + totalSteps);
        }
        if (decay == null) {
            throw new IllegalArgumentException("lr schedule: decay must not be null");
        }
    }

    /** @return the multiplier {@code f(t)} of the peak rate at optimizer step {@code t} (from 0) */
    public double factor(long t) {
        if (t < warmupSteps) {
            return (double) t / Math.max(1, warmupSteps);
        }
        long span = Math.max(1, totalSteps - warmupSteps);
        return switch (decay) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (totalSteps - t) / span);
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((double) (t - warmupSteps) / span))));
        };
    }

    /** @return the learning rate at optimizer step {@code t} (from 0) */
    public double at(long t) {
        return peak * factor(t);
    }
}
