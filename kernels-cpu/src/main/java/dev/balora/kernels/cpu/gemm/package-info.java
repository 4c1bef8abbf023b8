/** Hand-written float32 GEMM ({@link dev.balora.kernels.cpu.gemm.VectorGemm}) and fused LoRA products ({@link dev.balora.kernels.cpu.gemm.LowRank}). */
package dev.balora.kernels.cpu.gemm;
