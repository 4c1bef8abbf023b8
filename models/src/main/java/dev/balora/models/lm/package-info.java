/**
 * Language modelling end to end (the NLG side of balora): pre-train a small LLaMA-style decoder and its byte-level
 * BPE tokenizer from plain text ({@link dev.balora.models.lm.PretrainRun}), then fine-tune it on other text with
 * LoRA, PiSSA or BA-LoRA ({@link dev.balora.models.lm.LmFineTuneRun}), reporting validation perplexity and saving
 * Hugging Face directories and PEFT adapters.
 *
 * <p>Default data: the decoder is pre-trained on five of Jane Austen's novels and fine-tuned on the sixth,
 * <em>Persuasion</em>, which it has never seen ({@link dev.balora.models.lm.LmCorpora}).
 */
package dev.balora.models.lm;
