package dev.balora.bench;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;

/** Seeded benchmark inputs, on heap and off heap. */
final class BenchData {
    private BenchData() {}

    /** Uniform values in [-1, 1). */
    static float[] random(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    /** An off-heap copy of {@code x} (OpenBLAS works on native memory without any copy per call). */
    static FloatPointer offHeap(float[] x) {
        FloatPointer p = new FloatPointer(x.length);
        p.put(x);
        return p;
    }
}
