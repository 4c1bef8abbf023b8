package dev.balora.models.decoder;

import dev.balora.core.nn.Module;

/** Typed look-up of a child module at forward time, so a child replaced in the tree is the one that runs. */
final class Children {
    private Children() {}

    /** @return the child {@code name} of {@code parent} as a {@code type} */
    static <T> T get(Module parent, String name, Class<T> type) {
        Module m = parent.child(name);
        if (!type.isInstance(m)) {
            throw new DecoderException(parent.getClass().getSimpleName() + ": child '" + name + "' must be a "
                    + type.getSimpleName() + ", got " + (m == null ? "nothing" : m.getClass().getName()));
        }
        return type.cast(m);
    }
}
