package dev.balora.core.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Re-seeding makes dropout masks a function of the seed only (what exact resume needs), and distinct per layer. */
class DropoutReseedTest {
    static final class Two extends Module {
        Two() {
            registerModule("a", new Dropout(0.5, 1));
            registerModule("b", new Dropout(0.5, 1));
        }
    }

    @Test
    void sameSeedSameMaskWhateverRanBefore() {
        Two m = new Two();
        Tensor x = Tensor.full(DType.F32, 1.0, 64);
        m.reseed(7);
        float[] first = ((Dropout) m.child("a")).forward(x).toFloatArray();
        ((Dropout) m.child("a")).forward(x); // advances the generator
        m.reseed(7);
        assertArrayEquals(first, ((Dropout) m.child("a")).forward(x).toFloatArray());
        m.reseed(7);
        float[] other = ((Dropout) m.child("b")).forward(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(first, other), "layers at different paths get different masks");
        m.reseed(8);
        assertFalse(java.util.Arrays.equals(first, ((Dropout) m.child("a")).forward(x).toFloatArray()));
    }
}
