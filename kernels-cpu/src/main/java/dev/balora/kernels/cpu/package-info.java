/**
 * The Vector API backend: {@link dev.balora.kernels.cpu.CpuBackend} and its ServiceLoader provider
 * {@link dev.balora.kernels.cpu.CpuBackendProvider}, one small kernel class per family, the shared species
 * ({@link dev.balora.kernels.cpu.Simd}) and thread pool ({@link dev.balora.kernels.cpu.Parallel}). GEMM and the
 * fused LoRA products live in {@link dev.balora.kernels.cpu.gemm}.
 */
package dev.balora.kernels.cpu;
