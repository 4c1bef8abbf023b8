/**
 * LoRA adapters in Hugging Face PEFT's directory format ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}, plus balora's own {@code balora_config.json}): {@link
 * dev.balora.core.lora.peft.PeftAdapter} saves, converts (PiSSA → rank-2r plain LoRA) and loads them; every problem
 * with a directory's files is one {@link dev.balora.core.lora.peft.AdapterFormatException} naming the file and key.
 */
package dev.balora.core.lora.peft;
