package dev.balora.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {
    record Fake(String name, int rank, boolean ok) implements BackendProvider {
        @Override
        public Availability probe() {
            return ok ? Availability.available("fake ok") : Availability.unavailable("fake missing driver");
        }

        @Override
        public Backend create() {
            return ReferenceBackend.INSTANCE;
        }
    }

    private static final List<BackendProvider> PROVIDERS = List.of(
            new Fake("cuda", 200, false), new Fake("cpu", 100, true), new ReferenceBackendProvider());

    @Test
    void picksHighestRankedAvailableAndReportsRejections() {
        BackendReport r = Backends.choose("", false, PROVIDERS).report();
        assertTrue(r.reason().contains("highest-ranked"), r.reason());
        assertTrue(r.rejected().stream().anyMatch(x -> x.name().equals("cuda") && x.reason().contains("missing driver")));
        assertTrue(r.rejected().stream().anyMatch(x -> x.name().equals("reference") && x.reason().contains("ranked below")));
        assertTrue(r.format().contains("not used: cuda"));
    }

    @Test
    void forcedBackendIsUsed() {
        BackendReport r = Backends.choose("reference", false, PROVIDERS).report();
        assertEquals("reference", r.active());
        assertTrue(r.reason().contains("forced"));
    }

    @Test
    void forcedButUnavailableFallsBackUnlessStrict() {
        BackendReport r = Backends.choose("cuda", false, PROVIDERS).report();
        assertTrue(r.reason().contains("fallback for unavailable 'cuda'"), r.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.choose("cuda", true, PROVIDERS));
        assertTrue(e.getMessage().contains("fake missing driver"), e.getMessage());
    }

    @Test
    void unknownForcedNameIsReported() {
        assertThrows(BackendUnavailableException.class, () -> Backends.choose("tpu", true, PROVIDERS));
        BackendReport r = Backends.choose("tpu", false, PROVIDERS).report();
        assertTrue(r.rejected().stream().anyMatch(x -> x.name().equals("tpu")));
    }

    @Test
    void strictRefusesTheScalarReferenceAsSilentDefault() {
        List<BackendProvider> onlyRef = List.of(new Fake("cpu", 100, false), new ReferenceBackendProvider());
        assertThrows(BackendUnavailableException.class, () -> Backends.choose("", true, onlyRef));
        assertEquals("reference", Backends.choose("reference", true, onlyRef).report().active());
    }

    @Test
    void devicesParseAndNameTheirBackends() {
        assertEquals(Device.AUTO, Device.parse("auto"));
        assertEquals(Device.CPU, Device.parse(" CPU "));
        assertEquals(Device.CUDA, Device.parse("cuda"));
        assertEquals(Device.CUDA, Device.parse("gpu"));
        assertEquals("cuda", Device.CUDA.backendName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("auto, cpu or cuda"), e.getMessage());
    }

    @Test
    void askingForTheGpuWithoutItsModuleFailsWithTheReasonAndKeepsTheSelection() {
        String before = Backends.active().name();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.use(Device.CUDA));
        assertTrue(e.getMessage().contains("balora-kernels-cuda is not on the class path"), e.getMessage());
        assertEquals(before, Backends.active().name(), "a failed --device leaves the selection as it was");
        assertEquals(before, Backends.use(Device.AUTO).active());
    }
}
