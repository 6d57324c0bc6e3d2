package dev.synctalk.gpu.cuda;

/**
 * The device's own allocator under {@link DeviceMemoryPool}: cuMemAlloc/cuMemFree on a GPU, a plain
 * counter in tests. {@code H} is the handle of one allocation.
 */
public interface RawDeviceAllocator<H> {

    /** Allocates {@code bytes}; throws {@link OutOfDeviceMemoryException} when the device is full. */
    H allocate(long bytes);

    void free(H handle);
}
