package dev.balora.core.backend;

/** Provides the always-available scalar reference backend (rank 0). */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Availability probe() {
        return Availability.available("pure Java, always available");
    }

    @Override
    public Backend create() {
        return ReferenceBackend.INSTANCE;
    }
}
