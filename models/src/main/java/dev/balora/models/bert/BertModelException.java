package dev.balora.models.bert;

/**
 * A BERT model was configured or called inconsistently: an unknown activation name, a hidden size that the heads
 * do not divide, inputs whose lengths disagree with {@code n·t}, a sequence longer than the position table, or a
 * child module of the wrong type. The message names the field or argument, the expected and the actual value.
 */
public final class BertModelException extends RuntimeException {
    public BertModelException(String message) {
        super(message);
    }
}
