package dev.balora.bench;

import org.bytedeco.javacpp.FloatPointer;

/**
 * The tensors of one LoRA layer at benchmark size, on heap and off heap: x [T, in], A [r, in], B [out, r],
 * h [T, r], y [T, out], dy [T, out], dH [T, r], dx [T, in], dA [r, in], dB [out, r]; T = 4096, in = out = 1024.
 */
final class LoraShapes implements AutoCloseable {
    static final int T = 4096;
    static final int IN = 1024;
    static final int OUT = 1024;
    static final float SCALE = 2f;

    final int r;
    final float[] x;
    final float[] a;
    final float[] b;
    final float[] h;
    final float[] y;
    final float[] dy;
    final float[] dH;
    final float[] dx;
    final float[] dA;
    final float[] dB;
    final FloatPointer px;
    final FloatPointer pa;
    final FloatPointer pb;
    final FloatPointer ph;
    final FloatPointer py;
    final FloatPointer pdy;
    final FloatPointer pdH;
    final FloatPointer pdx;
    final FloatPointer pdA;
    final FloatPointer pdB;

    LoraShapes(int r) {
        this.r = r;
        x = BenchData.random(1, T * IN);
        a = BenchData.random(2, r * IN);
        b = BenchData.random(3, OUT * r);
        h = BenchData.random(4, T * r);
        y = new float[T * OUT];
        dy = BenchData.random(5, T * OUT);
        dH = BenchData.random(6, T * r);
        dx = new float[T * IN];
        dA = new float[r * IN];
        dB = new float[OUT * r];
        px = BenchData.offHeap(x);
        pa = BenchData.offHeap(a);
        pb = BenchData.offHeap(b);
        ph = BenchData.offHeap(h);
        py = BenchData.offHeap(y);
        pdy = BenchData.offHeap(dy);
        pdH = BenchData.offHeap(dH);
        pdx = BenchData.offHeap(dx);
        pdA = BenchData.offHeap(dA);
        pdB = BenchData.offHeap(dB);
    }

    /** Flops of the adapter's forward plus backward: 2·T·r·(in + out) forward, twice that backward. */
    long fusedFlops() {
        return 6L * T * r * (IN + OUT);
    }

    @Override
    public void close() {
        for (FloatPointer p : new FloatPointer[] {px, pa, pb, ph, py, pdy, pdH, pdx, pdA, pdB}) {
            p.close();
        }
    }
}
