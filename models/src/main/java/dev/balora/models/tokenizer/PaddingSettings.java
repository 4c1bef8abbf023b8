package dev.balora.models.tokenizer;

/**
 * The {@code padding} section of a {@code tokenizer.json} (direction {@code Right} only).
 *
 * @param fixedLength     the {@code Fixed} length, or 0 for {@code BatchLongest}
 * @param padId           id written at padding positions
 * @param padTypeId       token type id written at padding positions
 * @param padToken        the padding token's text
 * @param padToMultipleOf round padded lengths up to a multiple of this; 0 when absent
 */
public record PaddingSettings(int fixedLength, int padId, int padTypeId, String padToken, int padToMultipleOf) {
}
