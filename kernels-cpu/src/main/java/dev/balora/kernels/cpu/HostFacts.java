package dev.balora.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Facts about the host CPU read from {@code /proc/cpuinfo} (Linux); empty where the file is absent. */
final class HostFacts {
    private HostFacts() {}

    /** @return the first {@code model name} of the cpuinfo file, if any. */
    static Optional<String> cpuModel(Path cpuinfo) {
        return firstField(cpuinfo, "model name");
    }

    /** @return the AVX-512 extension flags (avx512f, avx512bw…) of the first flags line, in file order. */
    static List<String> avx512Flags(Path cpuinfo) {
        List<String> out = new ArrayList<>();
        firstField(cpuinfo, "flags").ifPresent(flags -> {
            for (String f : flags.split("\\s+")) {
                if (f.startsWith("avx512")) {
                    out.add(f);
                }
            }
        });
        return out;
    }

    private static Optional<String> firstField(Path cpuinfo, String key) {
        if (!Files.isReadable(cpuinfo)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith(key))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
