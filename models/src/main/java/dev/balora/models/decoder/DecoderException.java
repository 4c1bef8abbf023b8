package dev.balora.models.decoder;

/**
 * A causal decoder was configured or called inconsistently: a hidden size the heads do not divide, an unknown
 * activation, a sequence past the position table, ids outside the vocabulary, inputs whose lengths disagree with
 * {@code n·t}. The message names the field or argument, the expected and the actual value.
 */
public final class DecoderException extends RuntimeException {
    public DecoderException(String message) {
        super(message);
    }
}
