package dev.balora.kernels.cuda;

import dev.balora.core.backend.Backend;
import dev.balora.core.backend.BackendProvider;

/** The {@code cuda} backend provider, rank 200 (above cpu 100 and reference 0). */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public Availability probe() {
        return CudaProbe.availability();
    }

    @Override
    public Backend create() {
        return new CudaBackend(CudaProbe.device());
    }
}
