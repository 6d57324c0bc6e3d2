package dev.synctalk.gpu.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jcuda.Pointer;

/**
 * Page-locked host memory ({@code cuMemAllocHost}) of one {@link CudaDevice}: the only host memory an
 * asynchronous copy reads or writes without the driver synchronising the stream first. The device may write into it
 * until the copy's event completes, so the owner reads it only after that and closes it only when no copy is
 * pending. {@link #close()} frees it ({@code cuMemFreeHost}); a second close does nothing.
 */
public final class PinnedHostBuffer implements AutoCloseable {
    private final CudaDevice device;
    private final Pointer pointer;
    private final ByteBuffer bytes;
    private final long sizeBytes;
    private boolean freed;

    PinnedHostBuffer(CudaDevice device, Pointer pointer, long sizeBytes) {
        this.device = device;
        this.pointer = pointer;
        this.sizeBytes = sizeBytes;
        this.bytes = pointer.getByteBuffer(0, sizeBytes).order(ByteOrder.nativeOrder());
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    /** The memory as a native-order buffer (position 0, limit = size); a fresh view on each call. */
    public ByteBuffer bytes() {
        requireOpen();
        return bytes.duplicate().order(ByteOrder.nativeOrder());
    }

    Pointer pointer(long byteOffset) {
        requireOpen();
        return byteOffset == 0 ? pointer : pointer.withByteOffset(byteOffset);
    }

    public boolean isFreed() {
        return freed;
    }

    private void requireOpen() {
        if (freed) {
            throw new IllegalStateException("pinned host buffer of " + sizeBytes + " bytes used after close()");
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            device.freePinned(pointer);
        }
    }
}
