package dev.synctalk.gpu.cuda;

import java.util.HashMap;
import java.util.Map;

/**
 * One {@link CudaDevice} (one context, one memory pool) per GPU, shared by the stages that run on it.
 * The engine runs every stage placed on {@code gpu:N} on device N's single thread, so the device is
 * acquired and used on that thread only; it is closed, freeing its memory, when the last stage
 * releases it at the end of the run.
 */
public final class SharedCudaDevices {
    private record Lease(CudaDevice device, Thread owner, int users) {
    }

    private static final Map<Integer, Lease> LEASES = new HashMap<>();

    private SharedCudaDevices() {
    }

    /** The device for {@code ordinal}, opened on first use; call {@link #release} once per acquire. */
    public static synchronized CudaDevice acquire(int ordinal) {
        Lease lease = LEASES.get(ordinal);
        Thread me = Thread.currentThread();
        if (lease == null) {
            CudaDevice device = CudaRuntime.open(ordinal);
            LEASES.put(ordinal, new Lease(device, me, 1));
            return device;
        }
        if (lease.owner() != me) {
            throw new IllegalStateException("CUDA device " + ordinal + " is driven by thread '" + lease.owner().getName()
                    + "', not '" + me.getName() + "': a device's context belongs to one thread");
        }
        LEASES.put(ordinal, new Lease(lease.device(), me, lease.users() + 1));
        return lease.device();
    }

    public static synchronized void release(int ordinal) {
        Lease lease = LEASES.get(ordinal);
        if (lease == null) {
            throw new IllegalStateException("CUDA device " + ordinal + " released more often than acquired");
        }
        if (lease.users() == 1) {
            LEASES.remove(ordinal);
            lease.device().close();
        } else {
            LEASES.put(ordinal, new Lease(lease.device(), lease.owner(), lease.users() - 1));
        }
    }
}
