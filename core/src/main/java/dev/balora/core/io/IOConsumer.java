package dev.balora.core.io;

import java.io.IOException;

/**
 * A {@link java.util.function.Consumer} that may throw {@link IOException}, so that a body writing to a
 * stream can be passed to {@link AtomicFiles#write} without wrapping checked exceptions.
 *
 * @param <T> the type of the consumed value
 */
@FunctionalInterface
public interface IOConsumer<T> {
    /**
     * Consumes {@code value}.
     *
     * @param value the value to consume
     * @throws IOException when the body fails; the caller decides what to undo
     */
    void accept(T value) throws IOException;
}
