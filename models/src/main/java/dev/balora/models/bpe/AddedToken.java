package dev.balora.models.bpe;

/**
 * A token matched verbatim in the text before BPE runs (Hugging Face's {@code added_tokens}), e.g.
 * {@code <|endoftext|>}.
 *
 * @param id      its id
 * @param content the exact text it stands for
 * @param special whether decoding may skip it
 */
public record AddedToken(int id, String content, boolean special) {
    public AddedToken {
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("added token " + id + ": content must be non-empty");
        }
    }
}
