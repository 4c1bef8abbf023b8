package dev.balora.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident-memory facts of this process from Linux's {@code /proc/self/status}: VmHWM (peak resident set) and
 * VmRSS (current), in KiB. The peak can be reset to the current value through {@code /proc/self/clear_refs}
 * (write "5", Linux ≥ 4.0), so the training phase's own peak can be told apart from the loading phase's.
 */
public final class ProcStatus {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcStatus() {}

    /** @return VmHWM in KiB, or -1 where /proc is not available */
    public static long peakRssKib() {
        return field("VmHWM:");
    }

    /** @return VmRSS in KiB, or -1 where /proc is not available */
    public static long rssKib() {
        return field("VmRSS:");
    }

    /** Resets VmHWM to the current VmRSS; @return whether the kernel accepted it */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
