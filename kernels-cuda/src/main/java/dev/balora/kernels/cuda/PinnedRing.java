package dev.balora.kernels.cuda;

import java.util.ArrayDeque;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Uploads through a ring of page-locked host memory: the Java array is copied into the next free slice, a
 * {@code cudaMemcpyAsync} from that slice is queued on the device's stream, and an event recorded after it marks
 * when the slice may be overwritten. The host never waits for the device unless the ring wraps onto a slice whose copy
 * is still queued (the ring holds many steps' batches, so in a training loop it does not). A copy from pinned memory
 * is a true asynchronous DMA; from pageable memory the driver may synchronise with the stream to stage it.
 *
 * <p>Uploads larger than half the ring (weights at load time) take the plain synchronous path instead.
 * Single-threaded by contract: the backend is driven from one training thread (calls are {@code synchronized}
 * so that a stray second thread is safe, just not concurrent).
 */
final class PinnedRing implements AutoCloseable {
    private final CUstream_st stream;
    private final long capacity;
    /** Host address of the ring's first byte. */
    private final long base;
    private final RingPlanner<CUevent_st> planner;
    private final ArrayDeque<CUevent_st> idleEvents = new ArrayDeque<>();
    private long uploads;
    private long waits;

    PinnedRing(CUstream_st stream, long capacity) {
        this.stream = stream;
        this.capacity = capacity;
        this.planner = new RingPlanner<>(capacity);
        Pointer p = new Pointer();
        CudaStatus.runtime(cudart.cudaHostAlloc(p, capacity, cudart.cudaHostAllocDefault),
                "cudaHostAlloc(" + capacity + " bytes pinned upload ring)");
        this.base = p.address();
    }

    /** @return true when an upload of {@code bytes} goes through the ring. */
    boolean fits(long bytes) {
        return bytes <= capacity / 2;
    }

    synchronized void upload(long deviceAddress, float[] src) {
        long bytes = (long) src.length * Float.BYTES;
        long at = reserve(bytes);
        DevicePointers.floats(base + at).put(src, 0, src.length);
        queue(deviceAddress, at, bytes);
    }

    synchronized void upload(long deviceAddress, double[] src) {
        long bytes = (long) src.length * Double.BYTES;
        long at = reserve(bytes);
        DevicePointers.doubles(base + at).put(src, 0, src.length);
        queue(deviceAddress, at, bytes);
    }

    synchronized void upload(long deviceAddress, int[] src) {
        long bytes = (long) src.length * Integer.BYTES;
        long at = reserve(bytes);
        DevicePointers.ints(base + at).put(src, 0, src.length);
        queue(deviceAddress, at, bytes);
    }

    /** @return the ring offset of a free slice of {@code bytes}, waiting for old copies if the ring wrapped onto them */
    private long reserve(long bytes) {
        return planner.reserve(bytes, this::retire);
    }

    private void retire(CUevent_st done) {
        if (cudart.cudaEventQuery(done) != cudart.cudaSuccess) {
            waits++;
            CudaStatus.runtime(cudart.cudaEventSynchronize(done), "cudaEventSynchronize(upload ring)");
        }
        idleEvents.push(done);
    }

    private void queue(long deviceAddress, long at, long bytes) {
        int status = cudart.cudaMemcpyAsync(DevicePointers.raw(deviceAddress), DevicePointers.raw(base + at), bytes,
                cudart.cudaMemcpyHostToDevice, stream);
        if (status != cudart.cudaSuccess) {
            CudaStatus.runtime(status, "cudaMemcpyAsync(upload, " + bytes + " bytes)");
        }
        CUevent_st done = idleEvents.isEmpty() ? newEvent() : idleEvents.pop();
        CudaStatus.runtime(cudart.cudaEventRecord(done, stream), "cudaEventRecord(upload ring)");
        planner.queue(at, bytes, done);
        uploads++;
    }

    private static CUevent_st newEvent() {
        CUevent_st e = new CUevent_st();
        CudaStatus.runtime(cudart.cudaEventCreateWithFlags(e, cudart.cudaEventDisableTiming), "cudaEventCreateWithFlags");
        return e;
    }

    /** @return "N uploads, M waits" for {@code balora info} */
    synchronized String stats() {
        return uploads + " uploads through a " + (capacity >> 20) + " MiB pinned ring, " + waits + " waited for the ring";
    }

    @Override
    public synchronized void close() {
        for (RingPlanner.Slice<CUevent_st> s : planner.queued()) {
            cudart.cudaEventSynchronize(s.token());
            cudart.cudaEventDestroy(s.token());
        }
        idleEvents.forEach(cudart::cudaEventDestroy);
        cudart.cudaFreeHost(DevicePointers.raw(base));
    }
}
