package dev.balora.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What kind of CPU this is, from {@code /proc/cpuinfo}: vendor, family, model, the micro-architecture where the
 * (vendor, family, model) triple is known, and the vector extensions the kernels care about. Benchmarks print
 * {@link #describe()} beside every table, because kernel speed ratios differ between host kinds (Zen 4 executes
 * 512-bit FMAs in two halves, Zen 5 at full width), and hypervisors often mask the model name.
 *
 * @param vendor  {@code vendor_id} (AuthenticAMD, GenuineIntel…), or "unknown"
 * @param family  {@code cpu family}, or -1
 * @param model   {@code model}, or -1
 * @param name    {@code model name}, or "unknown"
 * @param logical the processors the JVM may use
 * @param avx512  whether {@code avx512f} is advertised
 * @param avx2    whether {@code avx2} is advertised
 */
public record HostCpu(String vendor, int family, int model, String name, int logical, boolean avx512, boolean avx2) {
    private static final HostCpu CURRENT = read(Path.of("/proc/cpuinfo"));

    /** Prints {@link #describe()} of this machine (benchmark scripts print it beside their tables). */
    public static void main(String[] args) {
        System.out.println(current().describe());
    }

    /** @return this machine's CPU (read once) */
    public static HostCpu current() {
        return CURRENT;
    }

    /**
     * The micro-architecture of the known AMD Zen and recent Intel server parts, or "" when the triple is not in the
     * table (family and model are printed anyway).
     */
    public String microarchitecture() {
        if (vendor.equals("AuthenticAMD")) {
            if (family == 0x1A) {
                return "Zen 5";
            }
            if (family == 0x19) {
                boolean zen4 = (model >= 0x10 && model <= 0x1F) || (model >= 0x60 && model <= 0x7F)
                        || (model >= 0xA0 && model <= 0xAF);
                return zen4 ? "Zen 4" : "Zen 3";
            }
            if (family == 0x17) {
                return model >= 0x30 ? "Zen 2" : "Zen/Zen+";
            }
        } else if (vendor.equals("GenuineIntel") && family == 6) {
            return switch (model) {
                case 0x55 -> "Skylake-SP/Cascade Lake";
                case 0x6A, 0x6C -> "Ice Lake-SP";
                case 0x8F -> "Sapphire Rapids";
                case 0xCF -> "Emerald Rapids";
                case 0xAD, 0xAE -> "Granite Rapids";
                default -> "";
            };
        }
        return "";
    }

    /** @return e.g. "AMD EPYC, AuthenticAMD family 26 model 2 (Zen 5), 2 CPUs, AVX-512" */
    public String describe() {
        String arch = microarchitecture();
        return String.format(Locale.ROOT, "%s, %s family %d model %d%s, %d CPUs, %s", name, vendor, family, model,
                arch.isEmpty() ? "" : " (" + arch + ")", logical, avx512 ? "AVX-512" : avx2 ? "AVX2" : "no AVX2");
    }

    /** Parses a cpuinfo file; fields it cannot find read "unknown" / -1 / false rather than failing. */
    static HostCpu read(Path cpuinfo) {
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            lines = List.of();
        }
        return parse(lines, Runtime.getRuntime().availableProcessors());
    }

    static HostCpu parse(List<String> lines, int logical) {
        String vendor = field(lines, "vendor_id");
        String name = field(lines, "model name");
        String flags = field(lines, "flags");
        Set<String> f = Set.of(flags.split("\\s+"));
        return new HostCpu(vendor.isEmpty() ? "unknown" : vendor, intOf(field(lines, "cpu family")),
                intOf(field(lines, "model")), name.isEmpty() ? "unknown" : name, logical, f.contains("avx512f"),
                f.contains("avx2"));
    }

    /** The value of the first {@code key : value} line whose key is exactly {@code key}, or "". */
    private static String field(List<String> lines, String key) {
        for (String l : lines) {
            int colon = l.indexOf(':');
            if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                return l.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static int intOf(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
