/**
 * Causal decoders of the GPT-2 and LLaMA families with Hugging Face names and files.
 *
 * <p>Entry points: {@link dev.balora.models.decoder.CausalLm} (build from a
 * {@link dev.balora.models.decoder.DecoderConfig}; {@code forward}, {@code lmForward}, {@code lmLoss}),
 * {@link dev.balora.models.decoder.HfDecoderCheckpoint} (load/save {@code config.json} + safetensors, sharded too),
 * {@link dev.balora.models.decoder.Generator} with {@link dev.balora.models.decoder.GenerationConfig} (greedy and
 * sampled decoding with a KV cache) and {@link dev.balora.models.decoder.LmData} (text blocks, masked instruction
 * data, padded batches). Labels are aligned with the logits (position i predicts labels[i]). Correctness is pinned
 * by tools/make_decoder_fixture.py, a plain-PyTorch float64 reference.
 */
package dev.balora.models.decoder;
