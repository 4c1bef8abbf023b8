package dev.balora.kernels.cuda;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Device time per kernel and library call, for {@code -Dbalora.cuda.profile=true}: every launch and GEMM is bracketed
 * by two CUDA events on the stream; whenever the host waits for the stream anyway (a read-back, an explicit
 * synchronize) the finished pairs are resolved and their times added up by name. It answers the question a host
 * profiler cannot: how much of a step the GPU spends computing, and in what. Off by default (two event records per
 * call cost host time).
 */
final class KernelProfiler {
    private record Pending(String name, CUevent_st start, CUevent_st end) {}

    /** Accumulated device time and calls of one name. */
    record Total(double ms, long calls) {}

    private final CUstream_st stream;
    private final List<Pending> pending = new ArrayList<>();
    private final ArrayDeque<CUevent_st> idle = new ArrayDeque<>();
    private final Map<String, double[]> totals = new LinkedHashMap<>();
    private final FloatPointer ms = new FloatPointer(1);

    KernelProfiler(CUstream_st stream) {
        this.stream = stream;
    }

    /** @return an event recorded now on the stream, to pass to {@link #end} */
    synchronized CUevent_st begin() {
        CUevent_st e = idle.isEmpty() ? newEvent() : idle.pop();
        CudaStatus.runtime(cudart.cudaEventRecord(e, stream), "cudaEventRecord(profile)");
        return e;
    }

    synchronized void end(String name, CUevent_st start) {
        CUevent_st e = idle.isEmpty() ? newEvent() : idle.pop();
        CudaStatus.runtime(cudart.cudaEventRecord(e, stream), "cudaEventRecord(profile)");
        pending.add(new Pending(name, start, e));
    }

    /** Adds up every pair whose end event has completed (call after the stream was synchronised). */
    synchronized void resolve() {
        for (Pending p : pending) {
            CudaStatus.runtime(cudart.cudaEventElapsedTime(ms, p.start(), p.end()), "cudaEventElapsedTime");
            double[] t = totals.computeIfAbsent(p.name(), k -> new double[2]);
            t[0] += ms.get(0);
            t[1]++;
            idle.push(p.start());
            idle.push(p.end());
        }
        pending.clear();
    }

    /** @return device milliseconds and calls per name, largest first; clears the totals */
    synchronized Map<String, Total> drain() {
        Map<String, Total> out = new LinkedHashMap<>();
        totals.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> out.put(e.getKey(), new Total(e.getValue()[0], (long) e.getValue()[1])));
        totals.clear();
        return out;
    }

    private static CUevent_st newEvent() {
        CUevent_st e = new CUevent_st();
        CudaStatus.runtime(cudart.cudaEventCreate(e), "cudaEventCreate(profile)");
        return e;
    }
}
