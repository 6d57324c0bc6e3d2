package dev.synctalk.gpu.cuda;

import jcuda.driver.CUevent;

/**
 * A CUDA event without timing ({@code CU_EVENT_DISABLE_TIMING}, the cheap kind): {@link #record()} marks the point
 * the stream has reached, {@link #synchronize()} waits on the host until the device passes it. How a pipelined
 * renderer learns that one frame's download landed in pinned memory without waiting for the frames queued after it.
 */
public final class DeviceEvent implements AutoCloseable {
    private final CudaDevice device;
    private final CUevent event;
    private boolean recorded;
    private boolean destroyed;

    DeviceEvent(CudaDevice device, CUevent event) {
        this.device = device;
        this.event = event;
    }

    /** Marks the current end of the device's stream (enqueued work before this call). */
    public void record() {
        requireAlive();
        device.recordEvent(event);
        recorded = true;
    }

    /** Waits until the work before the last {@link #record()} is done; an error a kernel raised is reported here. */
    public void synchronize() {
        requireAlive();
        if (!recorded) {
            throw new IllegalStateException("waiting on an event that was never recorded");
        }
        device.synchronizeEvent(event);
    }

    /** Whether the work before the last record is done (never blocks); true when never recorded. */
    public boolean isComplete() {
        requireAlive();
        return !recorded || device.eventComplete(event);
    }

    private void requireAlive() {
        if (destroyed) {
            throw new IllegalStateException("CUDA event used after close()");
        }
    }

    @Override
    public void close() {
        if (!destroyed) {
            destroyed = true;
            device.destroyEvent(event);
        }
    }
}
