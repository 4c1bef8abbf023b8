/**
 * The CUDA backend: a {@link dev.balora.core.backend.BackendProvider} named {@code cuda} (rank 200) built on the
 * JavaCPP CUDA presets. Dense algebra goes to cuBLAS ({@code cublasSgemmStridedBatched}) and cuSOLVER
 * ({@code syevd}); every other SPI entry point is an own kernel from {@code src/main/cuda/*.cu}, shipped as PTX for
 * sm_80 and sm_90 and launched through the driver API. JavaCPP types never leave this package.
 *
 * <p>Availability is probed once per JVM ({@link dev.balora.kernels.cuda.CudaProbe}); without a driver or the CUDA
 * libraries the provider reports "unavailable" with the reason and no CUDA class is touched again.
 */
package dev.balora.kernels.cuda;
