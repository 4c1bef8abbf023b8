package dev.balora.core.nn;

import java.util.List;

/** An indexed list of child modules named "0", "1", … (HF's {@code encoder.layer.N} paths). */
public final class ModuleList<M extends Module> extends Module {
    /** Registers the given modules as children "0".."n−1". */
    public ModuleList(List<M> modules) {
        for (int i = 0; i < modules.size(); i++) {
            registerModule(Integer.toString(i), modules.get(i));
        }
    }

    /** @return the i-th child (typed by the caller's expectation). */
    @SuppressWarnings("unchecked")
    public M get(int i) {
        return (M) children().get(Integer.toString(i));
    }

    /** @return the number of children. */
    public int size() {
        return children().size();
    }
}
