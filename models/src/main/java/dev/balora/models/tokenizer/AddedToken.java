package dev.balora.models.tokenizer;

/**
 * One entry of {@code added_tokens}: a string matched verbatim in the input before WordPiece runs, such as
 * {@code [CLS]} or {@code [MASK]}.
 *
 * @param id         its token id
 * @param content    the text that is matched
 * @param special    whether it is a special token (skipped by {@link WordPieceTokenizer#decode})
 * @param normalized whether it is matched in the normalized text ({@code true}) or the raw input
 */
public record AddedToken(int id, String content, boolean special, boolean normalized) {
}
