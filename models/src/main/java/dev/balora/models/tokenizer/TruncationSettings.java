package dev.balora.models.tokenizer;

/**
 * The {@code truncation} section of a {@code tokenizer.json}; only the {@code LongestFirst} strategy, the
 * {@code Right} direction and stride 0 are accepted by the reader.
 *
 * @param maxLength total length including special tokens
 */
public record TruncationSettings(int maxLength) {
}
