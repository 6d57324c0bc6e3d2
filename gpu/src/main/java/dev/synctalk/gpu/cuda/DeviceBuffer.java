package dev.synctalk.gpu.cuda;

import jcuda.driver.CUdeviceptr;

/** A block of device memory from a {@link CudaDevice}'s pool; {@link #close()} returns it to the pool. */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaDevice device;
    private final DeviceMemoryPool.Block<CUdeviceptr> block;
    private final long sizeBytes;
    private boolean released;

    DeviceBuffer(CudaDevice device, DeviceMemoryPool.Block<CUdeviceptr> block, long sizeBytes) {
        this.device = device;
        this.block = block;
        this.sizeBytes = sizeBytes;
    }

    /** The requested size (the pool's block may be larger). */
    public long sizeBytes() {
        return sizeBytes;
    }

    public long floatCount() {
        return sizeBytes / Float.BYTES;
    }

    public CudaDevice device() {
        return device;
    }

    public CUdeviceptr pointer() {
        if (released) {
            throw new IllegalStateException("device buffer of " + sizeBytes + " bytes used after close()");
        }
        return block.handle();
    }

    DeviceMemoryPool.Block<CUdeviceptr> block() {
        return block;
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            device.release(this);
        }
    }
}
