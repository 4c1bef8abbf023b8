package dev.balora.core.backend;

import dev.balora.core.linalg.Matrix64;
import dev.balora.core.linalg.SymmetricEigen;
import dev.balora.core.tensor.DType;
import dev.balora.core.tensor.HostStorage;
import dev.balora.core.tensor.Storage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scalar reference backend: plain loops, double accumulation, F32 and F64. It is the definition of every
 * kernel's meaning: fast backends are tested against it. It is written to be read, not to be fast.
 */
public final class ReferenceBackend implements Backend {
    /** The one instance (stateless). */
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {}

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean isHost() {
        return true;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", "scalar Java loops, double accumulation");
        m.put("dtypes", "F32, F64");
        m.put("threads", "1");
        return m;
    }

    private static HostStorage h(Storage s) {
        if (s instanceof HostStorage hs) {
            return hs;
        }
        throw new IllegalArgumentException("reference backend needs host storage, got " + s.getClass().getSimpleName());
    }

    // ---- memory -------------------------------------------------------------------------------------------

    @Override
    public Storage allocate(DType dtype, long n) {
        return HostStorage.allocate(dtype, n);
    }

    @Override
    public Storage fromHost(float[] data) {
        return HostStorage.of(data.clone());
    }

    @Override
    public Storage fromHost(double[] data) {
        return HostStorage.of(data.clone());
    }

    @Override
    public float[] toFloatArray(Storage s) {
        HostStorage hs = h(s);
        if (hs.f32() != null) {
            return hs.f32().clone();
        }
        float[] out = new float[(int) hs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) hs.f64()[i];
        }
        return out;
    }

    @Override
    public double[] toDoubleArray(Storage s) {
        HostStorage hs = h(s);
        if (hs.f64() != null) {
            return hs.f64().clone();
        }
        double[] out = new double[(int) hs.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = hs.f32()[i];
        }
        return out;
    }

    @Override
    public void fill(Storage s, double value) {
        HostStorage hs = h(s);
        for (long i = 0; i < hs.size(); i++) {
            hs.set(i, value);
        }
    }

    @Override
    public void copyStrided(Storage src, long srcOff, long[] srcStrides, Storage dst, long dstOff, long[] dstStrides, int[] shape) {
        HostStorage s = h(src);
        HostStorage d = h(dst);
        long total = 1;
        for (int x : shape) {
            total *= x;
        }
        int[] idx = new int[shape.length];
        for (long lin = 0; lin < total; lin++) {
            long so = srcOff;
            long dof = dstOff;
            for (int i = 0; i < shape.length; i++) {
                so += idx[i] * srcStrides[i];
                dof += idx[i] * dstStrides[i];
            }
            d.set(dof, s.get(so));
            increment(idx, shape);
        }
    }

    private static void increment(int[] idx, int[] shape) {
        for (int i = shape.length - 1; i >= 0; i--) {
            if (++idx[i] < shape[i]) {
                return;
            }
            idx[i] = 0;
        }
    }

    // ---- dense algebra --------------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                     Storage a, long aOff, long aStride, Storage b, long bOff, long bStride,
                     double beta, Storage c, long cOff, long cStride) {
        HostStorage ha = h(a);
        HostStorage hb = h(b);
        HostStorage hc = h(c);
        if (ha.f32() != null && hb.f32() != null && hc.f32() != null) {
            gemmF32(transA, transB, batch, m, n, k, alpha, ha.f32(), aOff, aStride, hb.f32(), bOff, bStride, beta, hc.f32(), cOff, cStride);
            return;
        }
        for (int bi = 0; bi < batch; bi++) {
            long ao = aOff + bi * aStride;
            long bo = bOff + bi * bStride;
            long co = cOff + bi * cStride;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double av = ha.get(ao + (transA ? (long) p * m + i : (long) i * k + p));
                        double bv = hb.get(bo + (transB ? (long) j * k + p : (long) p * n + j));
                        acc += av * bv;
                    }
                    long ci = co + (long) i * n + j;
                    double prev = beta == 0 ? 0 : beta * hc.get(ci);
                    hc.set(ci, alpha * acc + prev);
                }
            }
        }
    }

    /**
     * The same definition on float arrays, with a double row accumulator: same math, no per-element dispatch, so
     * reference-backend tests on real model sizes finish in seconds rather than minutes.
     */
    private static void gemmF32(boolean transA, boolean transB, int batch, int m, int n, int k, double alpha,
                                float[] a, long aOff, long aStride, float[] b, long bOff, long bStride,
                                double beta, float[] c, long cOff, long cStride) {
        double[] acc = new double[n];
        for (int bi = 0; bi < batch; bi++) {
            int ao = (int) (aOff + bi * aStride);
            int bo = (int) (bOff + bi * bStride);
            int co = (int) (cOff + bi * cStride);
            for (int i = 0; i < m; i++) {
                java.util.Arrays.fill(acc, 0.0);
                for (int p = 0; p < k; p++) {
                    double av = a[ao + (transA ? p * m + i : i * k + p)];
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            acc[j] += av * b[bo + j * k + p];
                        }
                    } else {
                        int row = bo + p * n;
                        for (int j = 0; j < n; j++) {
                            acc[j] += av * b[row + j];
                        }
                    }
                }
                int crow = co + i * n;
                for (int j = 0; j < n; j++) {
                    c[crow + j] = (float) (alpha * acc[j] + (beta == 0 ? 0 : beta * c[crow + j]));
                }
            }
        }
    }

    // ---- element-wise ---------------------------------------------------------------------------------------

    @Override
    public void unary(UnaryOp op, Storage x, Storage y, long n) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        for (long i = 0; i < n; i++) {
            hy.set(i, op.apply(hx.get(i)));
        }
    }

    @Override
    public void unaryBackward(UnaryOp op, Storage x, Storage y, Storage dy, Storage dx, long n) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        HostStorage hdy = h(dy);
        HostStorage hdx = h(dx);
        for (long i = 0; i < n; i++) {
            hdx.set(i, op.derivative(hx.get(i), hy.get(i)) * hdy.get(i));
        }
    }

    @Override
    public void binary(BinaryOp op, Storage a, long[] aStrides, Storage b, long[] bStrides, Storage out, int[] outShape) {
        HostStorage ha = h(a);
        HostStorage hb = h(b);
        HostStorage ho = h(out);
        long total = 1;
        for (int x : outShape) {
            total *= x;
        }
        int[] idx = new int[outShape.length];
        for (long lin = 0; lin < total; lin++) {
            long ai = 0;
            long bi = 0;
            for (int i = 0; i < outShape.length; i++) {
                ai += idx[i] * aStrides[i];
                bi += idx[i] * bStrides[i];
            }
            ho.set(lin, op.apply(ha.get(ai), hb.get(bi)));
            increment(idx, outShape);
        }
    }

    @Override
    public void dropout(Storage x, Storage y, long n, double p, long key) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        long threshold = CounterRandom.dropThreshold(p);
        // float32 multiplies by the float scale (a float product is exact in double, so rounding once matches float
        // arithmetic); float64 by the double scale.
        double scale = y.dtype() == DType.F32 ? CounterRandom.keepScaleF32(p) : 1.0 / (1.0 - p);
        for (long i = 0; i < n; i++) {
            hy.set(i, CounterRandom.keep(key, i, threshold) ? hx.get(i) * scale : 0.0);
        }
    }

    @Override
    public void axpby(long n, double alpha, Storage x, double beta, Storage y) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        for (long i = 0; i < n; i++) {
            hy.set(i, alpha * hx.get(i) + (beta == 0 ? 0 : beta * hy.get(i)));
        }
    }

    @Override
    public void sumInto(Storage x, int[] shape, Storage out, long[] outStrides) {
        HostStorage hx = h(x);
        HostStorage ho = h(out);
        long outSize = 1;
        for (int i = 0; i < shape.length; i++) {
            if (outStrides[i] != 0) {
                outSize = Math.max(outSize, outStrides[i] * shape[i]);
            }
        }
        double[] acc = new double[(int) outSize];
        long total = 1;
        for (int s : shape) {
            total *= s;
        }
        int[] idx = new int[shape.length];
        for (long lin = 0; lin < total; lin++) {
            long oi = 0;
            for (int i = 0; i < shape.length; i++) {
                oi += idx[i] * outStrides[i];
            }
            acc[(int) oi] += hx.get(lin);
            increment(idx, shape);
        }
        for (int i = 0; i < acc.length; i++) {
            ho.set(i, acc[i]);
        }
    }

    // ---- row-wise ------------------------------------------------------------------------------------------

    @Override
    public void softmax(Storage x, Storage mask, int maskDiv, int maskMod, boolean causal, int causalRows, int causalOffset,
                        Storage y, int rows, int cols, boolean log) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        HostStorage hm = mask == null ? null : h(mask);
        double[] row = new double[cols];
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            long mbase = hm == null ? 0 : (long) ((r / maskDiv) % maskMod) * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                double v = hx.get(base + c);
                if (hm != null) {
                    v += hm.get(mbase + c);
                }
                if (causal && c > (r % causalRows) + causalOffset) {
                    v = Double.NEGATIVE_INFINITY;
                }
                row[c] = v;
                max = Math.max(max, v);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                for (int c = 0; c < cols; c++) {
                    hy.set(base + c, log ? Double.NEGATIVE_INFINITY : 0.0);
                }
                continue;
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(row[c] - max);
            }
            double lse = max + Math.log(sum);
            for (int c = 0; c < cols; c++) {
                hy.set(base + c, log ? row[c] - lse : Math.exp(row[c] - lse));
            }
        }
    }

    @Override
    public void softmaxBackward(Storage y, Storage dy, Storage dx, int rows, int cols, boolean log) {
        HostStorage hy = h(y);
        HostStorage hdy = h(dy);
        HostStorage hdx = h(dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                dot += log ? hdy.get(base + c) : hdy.get(base + c) * hy.get(base + c);
            }
            for (int c = 0; c < cols; c++) {
                double yv = hy.get(base + c);
                double g = hdy.get(base + c);
                hdx.set(base + c, log ? (yv == Double.NEGATIVE_INFINITY ? 0 : g - Math.exp(yv) * dot) : yv * (g - dot));
            }
        }
    }

    @Override
    public void layerNorm(Storage x, Storage gamma, Storage beta, Storage y, Storage mean, Storage rstd, int rows, int cols, double eps) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        HostStorage hg = gamma == null ? null : h(gamma);
        HostStorage hb = beta == null ? null : h(beta);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double mu = 0;
            for (int c = 0; c < cols; c++) {
                mu += hx.get(base + c);
            }
            mu /= cols;
            double var = 0;
            for (int c = 0; c < cols; c++) {
                double d = hx.get(base + c) - mu;
                var += d * d;
            }
            var /= cols;
            double rs = 1.0 / Math.sqrt(var + eps);
            h(mean).set(r, mu);
            h(rstd).set(r, rs);
            for (int c = 0; c < cols; c++) {
                double v = (hx.get(base + c) - mu) * rs;
                if (hg != null) {
                    v *= hg.get(c);
                }
                if (hb != null) {
                    v += hb.get(c);
                }
                hy.set(base + c, v);
            }
        }
    }

    @Override
    public void layerNormBackward(Storage dy, Storage x, Storage gamma, Storage mean, Storage rstd, Storage dx,
                                  Storage dgamma, Storage dbeta, int rows, int cols) {
        HostStorage hdy = h(dy);
        HostStorage hx = h(x);
        HostStorage hg = gamma == null ? null : h(gamma);
        HostStorage hdx = h(dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double mu = h(mean).get(r);
            double rs = h(rstd).get(r);
            // With xhat = (x−μ)·rstd and g = dy·γ: dx = rstd·(g − mean(g) − xhat·mean(g·xhat)).
            double meanG = 0;
            double meanGx = 0;
            for (int c = 0; c < cols; c++) {
                double xhat = (hx.get(base + c) - mu) * rs;
                double g = hdy.get(base + c) * (hg == null ? 1 : hg.get(c));
                meanG += g;
                meanGx += g * xhat;
                if (dgamma != null) {
                    h(dgamma).set(c, h(dgamma).get(c) + hdy.get(base + c) * xhat);
                }
                if (dbeta != null) {
                    h(dbeta).set(c, h(dbeta).get(c) + hdy.get(base + c));
                }
            }
            meanG /= cols;
            meanGx /= cols;
            for (int c = 0; c < cols; c++) {
                double xhat = (hx.get(base + c) - mu) * rs;
                double g = hdy.get(base + c) * (hg == null ? 1 : hg.get(c));
                hdx.set(base + c, rs * (g - meanG - xhat * meanGx));
            }
        }
    }

    @Override
    public void rmsNorm(Storage x, Storage gamma, Storage y, Storage rstd, int rows, int cols, double eps) {
        HostStorage hx = h(x);
        HostStorage hy = h(y);
        HostStorage hg = gamma == null ? null : h(gamma);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double ms = 0;
            for (int c = 0; c < cols; c++) {
                double v = hx.get(base + c);
                ms += v * v;
            }
            double rs = 1.0 / Math.sqrt(ms / cols + eps);
            h(rstd).set(r, rs);
            for (int c = 0; c < cols; c++) {
                hy.set(base + c, hx.get(base + c) * rs * (hg == null ? 1 : hg.get(c)));
            }
        }
    }

    @Override
    public void rmsNormBackward(Storage dy, Storage x, Storage gamma, Storage rstd, Storage dx, Storage dgamma, int rows, int cols) {
        HostStorage hdy = h(dy);
        HostStorage hx = h(x);
        HostStorage hg = gamma == null ? null : h(gamma);
        HostStorage hdx = h(dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double rs = h(rstd).get(r);
            // y = x·rs·γ, rs = (mean x² + eps)^−½ → dx = rs·g − x·rs³·mean(g·x), g = dy·γ.
            double meanGx = 0;
            for (int c = 0; c < cols; c++) {
                double g = hdy.get(base + c) * (hg == null ? 1 : hg.get(c));
                meanGx += g * hx.get(base + c);
                if (dgamma != null) {
                    h(dgamma).set(c, h(dgamma).get(c) + hdy.get(base + c) * hx.get(base + c) * rs);
                }
            }
            meanGx /= cols;
            for (int c = 0; c < cols; c++) {
                double g = hdy.get(base + c) * (hg == null ? 1 : hg.get(c));
                hdx.set(base + c, rs * g - hx.get(base + c) * rs * rs * rs * meanGx);
            }
        }
    }

    // ---- regularizer helpers ------------------------------------------------------------------------------------

    /** float64 tred2/tql2 ({@link SymmetricEigen}), reordered to ascending values with vectors as rows. */
    @Override
    public void symmetricEigen(Storage a, int n, Storage values, Storage vectors) {
        HostStorage ha = h(a);
        HostStorage hv = h(values);
        HostStorage hw = h(vectors);
        if (n == 0) {
            return;
        }
        double[] d = new double[n * n];
        for (int i = 0; i < d.length; i++) {
            d[i] = ha.get(i);
        }
        SymmetricEigen e = SymmetricEigen.decompose(new Matrix64(n, n, d));
        for (int j = 0; j < n; j++) {
            int src = n - 1 - j; // SymmetricEigen sorts descending, the SPI ascending
            hv.set(j, e.values()[src]);
            for (int t = 0; t < n; t++) {
                hw.set((long) j * n + t, e.vectors().get(t, src));
            }
        }
    }

    @Override
    public void rowTopKMask(Storage x, int rows, int cols, int k, double outside, Storage mask) {
        HostStorage hx = h(x);
        HostStorage hm = h(mask);
        if (k < 1 || k > cols) {
            throw new IllegalArgumentException("rowTopKMask: k = " + k + " outside [1, " + cols + "]");
        }
        double[] row = new double[cols];
        int[] chosen = new int[k];
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            for (int c = 0; c < cols; c++) {
                row[c] = hx.get(base + c);
                hm.set(base + c, outside);
            }
            RowTopK.select(row, k, chosen);
            for (int c : chosen) {
                hm.set(base + c, 0.0);
            }
        }
    }

    // ---- gathers, losses, optimizer ---------------------------------------------------------------------------

    @Override
    public void gatherRows(Storage table, int[] ids, Storage out, int dim) {
        HostStorage ht = h(table);
        HostStorage ho = h(out);
        long rowsInTable = ht.size() / dim;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rowsInTable) {
                throw new IndexOutOfBoundsException("gatherRows: id " + ids[i] + " at position " + i
                        + " outside table of " + rowsInTable + " rows");
            }
            for (int c = 0; c < dim; c++) {
                ho.set((long) i * dim + c, ht.get((long) ids[i] * dim + c));
            }
        }
    }

    @Override
    public void scatterAddRows(Storage dOut, int[] ids, Storage dTable, int dim) {
        HostStorage hd = h(dOut);
        HostStorage ht = h(dTable);
        for (int i = 0; i < ids.length; i++) {
            for (int c = 0; c < dim; c++) {
                long ti = (long) ids[i] * dim + c;
                ht.set(ti, ht.get(ti) + hd.get((long) i * dim + c));
            }
        }
    }

    @Override
    public void crossEntropy(Storage logits, int[] targets, int ignoreIndex, Storage loss, Storage probs, int rows, int cols) {
        HostStorage hx = h(logits);
        HostStorage hl = h(loss);
        HostStorage hp = h(probs);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, hx.get(base + c));
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(hx.get(base + c) - max);
            }
            double lse = max + Math.log(sum);
            for (int c = 0; c < cols; c++) {
                hp.set(base + c, Math.exp(hx.get(base + c) - lse));
            }
            int t = targets[r];
            if (t == ignoreIndex) {
                hl.set(r, 0);
            } else {
                if (t < 0 || t >= cols) {
                    throw new IndexOutOfBoundsException("crossEntropy: target " + t + " in row " + r + " outside [0, " + cols + ")");
                }
                hl.set(r, lse - hx.get(base + t));
            }
        }
    }

    @Override
    public void crossEntropyBackward(Storage probs, int[] targets, int ignoreIndex, double scale, Storage dx, int rows, int cols) {
        HostStorage hp = h(probs);
        HostStorage hdx = h(dx);
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            boolean ignored = targets[r] == ignoreIndex;
            for (int c = 0; c < cols; c++) {
                double g = ignored ? 0 : scale * (hp.get(base + c) - (c == targets[r] ? 1 : 0));
                hdx.set(base + c, g);
            }
        }
    }

    @Override
    public void adamW(Storage param, Storage grad, Storage m, Storage v, long n, double lr, double beta1, double beta2,
                      double eps, double weightDecay, double bc1, double bc2) {
        HostStorage hp = h(param);
        HostStorage hg = h(grad);
        HostStorage hm = h(m);
        HostStorage hv = h(v);
        for (long i = 0; i < n; i++) {
            double p = hp.get(i) * (1 - lr * weightDecay);
            double g = hg.get(i);
            double mi = beta1 * hm.get(i) + (1 - beta1) * g;
            double vi = beta2 * hv.get(i) + (1 - beta2) * g * g;
            hm.set(i, mi);
            hv.set(i, vi);
            p -= lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
            hp.set(i, p);
        }
    }

    @Override
    public double sumOfSquares(Storage x, long n) {
        HostStorage hx = h(x);
        double s = 0;
        for (long i = 0; i < n; i++) {
            double v = hx.get(i);
            s += v * v;
        }
        return s;
    }
}
