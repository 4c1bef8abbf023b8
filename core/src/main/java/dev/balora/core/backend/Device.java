package dev.balora.core.backend;

import java.util.Locale;

/**
 * Where tensors live and kernels run, as a user chooses it ({@code --device}, {@link Backends#use(Device)}).
 *
 * <ul>
 *   <li>{@link #AUTO}: the GPU when one is usable, else the Vector API CPU backend (the highest-ranked available
 *       provider; {@code -Dbalora.backend} still forces one).</li>
 *   <li>{@link #CPU}: the Vector API backend ({@code cpu}); never the GPU.</li>
 *   <li>{@link #CUDA}: the CUDA backend, or an error naming what is missing (driver, libraries, compute capability):
 *       asking for the GPU and silently getting the CPU would be a slow path nobody chose.</li>
 * </ul>
 */
public enum Device {
    AUTO(""),
    CPU("cpu"),
    CUDA("cuda");

    private final String backendName;

    Device(String backendName) {
        this.backendName = backendName;
    }

    /** @return the backend name this device forces, or "" for {@link #AUTO} */
    public String backendName() {
        return backendName;
    }

    /**
     * @param text {@code auto}, {@code cpu} or {@code cuda} (any case; {@code gpu} is accepted for {@code cuda})
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Device parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "auto" -> AUTO;
            case "cpu" -> CPU;
            case "cuda", "gpu" -> CUDA;
            default -> throw new IllegalArgumentException("device must be auto, cpu or cuda, got '" + text + "'");
        };
    }
}
