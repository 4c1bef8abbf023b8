package dev.balora.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The committed PTX exists for every architecture and matches the {@link Kernel} table both ways. */
class PtxResourcesTest {
    private static final Pattern ENTRY = Pattern.compile("\\.visible\\s+\\.entry\\s+(\\w+)\\s*\\(");

    @Test
    void everyKernelHasItsEntryForEveryArch() {
        for (int arch : PtxResources.ARCHS) {
            for (Kernel k : Kernel.values()) {
                String ptx = PtxResources.read(arch, k.file());
                assertTrue(ptx.contains(".entry " + k.entry() + "("),
                        PtxResources.path(arch, k.file()) + " lacks .entry " + k.entry());
                assertTrue(ptx.contains(".target sm_" + arch), PtxResources.path(arch, k.file()) + " targets another arch");
            }
        }
    }

    @Test
    void everyEntryInThePtxIsInTheKernelTable() {
        Set<String> files = Arrays.stream(Kernel.values()).map(Kernel::file).collect(Collectors.toSet());
        Set<String> known = Arrays.stream(Kernel.values()).map(Kernel::entry).collect(Collectors.toCollection(TreeSet::new));
        for (int arch : PtxResources.ARCHS) {
            Set<String> found = new TreeSet<>();
            for (String f : files) {
                Matcher m = ENTRY.matcher(PtxResources.read(arch, f));
                while (m.find()) {
                    found.add(m.group(1));
                }
            }
            assertEquals(known, found, "sm_" + arch + " entries");
        }
    }

    @Test
    void archChoiceTakesNewestNotAboveTheDevice() {
        assertEquals(90, PtxResources.archFor(9, 0));
        assertEquals(90, PtxResources.archFor(10, 0));
        assertEquals(80, PtxResources.archFor(8, 9));
        assertEquals(80, PtxResources.archFor(8, 0));
        assertThrows(CudaException.class, () -> PtxResources.archFor(7, 5));
    }

    @Test
    void missingResourceIsNamed() {
        CudaException e = assertThrows(CudaException.class, () -> PtxResources.read(80, "nope"));
        assertTrue(e.getMessage().contains("sm_80/nope.ptx"), e.getMessage());
    }
}
