package dev.synctalk.gpu.cuda;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Caching device allocator with size-class free lists, so training steps that allocate the same
 * temporaries every iteration stop paying cuMemAlloc/cuMemFree (each a device-wide synchronisation).
 *
 * <p>Requests are rounded up to a size class: 512 bytes at least, above that four classes per power of
 * two (1024, 1280, 1536, 1792, 2048, ...), so at most a quarter of a block is wasted. Released blocks
 * wait in their class's free list; when the device runs out of memory the pool frees every cached block
 * and tries once more. {@link #close()} frees everything, blocks still handed out included.
 * Not thread-safe beyond its own monitor: one device is driven by one thread (DESIGN: GPU actors).
 */
public final class DeviceMemoryPool<H> implements AutoCloseable {

    /** One allocation handed out by the pool; {@code capacityBytes} is its size class. */
    public static final class Block<H> {
        private final H handle;
        private final long capacityBytes;

        private Block(H handle, long capacityBytes) {
            this.handle = handle;
            this.capacityBytes = capacityBytes;
        }

        public H handle() {
            return handle;
        }

        public long capacityBytes() {
            return capacityBytes;
        }
    }

    /** Counters for monitoring (bytes are size-class bytes). */
    public record Stats(long bytesInUse, long bytesCached, long rawAllocations, long reuses) {
    }

    static final long MIN_CLASS_BYTES = 512;

    private final RawDeviceAllocator<H> raw;
    private final TreeMap<Long, ArrayDeque<Block<H>>> freeLists = new TreeMap<>();
    private final Set<Block<H>> outstanding = Collections.newSetFromMap(new IdentityHashMap<>());
    private long bytesInUse;
    private long bytesCached;
    private long rawAllocations;
    private long reuses;
    private boolean closed;

    public DeviceMemoryPool(RawDeviceAllocator<H> raw) {
        this.raw = raw;
    }

    /** The size class a request of {@code bytes} is served from. */
    public static long sizeClass(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        }
        if (bytes <= MIN_CLASS_BYTES) {
            return MIN_CLASS_BYTES;
        }
        int octave = 63 - Long.numberOfLeadingZeros(bytes - 1);
        long base = 1L << octave;
        long step = base / 4;
        return base + ((bytes - base + step - 1) / step) * step;
    }

    public synchronized Block<H> acquire(long bytes) {
        if (closed) {
            throw new IllegalStateException("device memory pool is closed");
        }
        long capacity = sizeClass(bytes);
        ArrayDeque<Block<H>> list = freeLists.get(capacity);
        Block<H> block;
        if (list != null && !list.isEmpty()) {
            block = list.pop();
            bytesCached -= capacity;
            reuses++;
        } else {
            block = new Block<>(allocateRaw(capacity), capacity);
            rawAllocations++;
        }
        outstanding.add(block);
        bytesInUse += capacity;
        return block;
    }

    public synchronized void release(Block<H> block) {
        if (closed) {
            return; // close() already freed it
        }
        if (!outstanding.remove(block)) {
            throw new IllegalStateException("device block of " + block.capacityBytes
                    + " bytes released twice or not from this pool");
        }
        bytesInUse -= block.capacityBytes;
        bytesCached += block.capacityBytes;
        freeLists.computeIfAbsent(block.capacityBytes, c -> new ArrayDeque<>()).push(block);
    }

    /** Frees every cached (released) block back to the device. */
    public synchronized void trim() {
        for (Map.Entry<Long, ArrayDeque<Block<H>>> e : freeLists.entrySet()) {
            for (Block<H> block : e.getValue()) {
                raw.free(block.handle);
            }
        }
        freeLists.clear();
        bytesCached = 0;
    }

    public synchronized Stats stats() {
        return new Stats(bytesInUse, bytesCached, rawAllocations, reuses);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        trim();
        for (Block<H> block : outstanding) {
            raw.free(block.handle);
        }
        outstanding.clear();
        bytesInUse = 0;
        closed = true;
    }

    private H allocateRaw(long capacity) {
        try {
            return raw.allocate(capacity);
        } catch (OutOfDeviceMemoryException full) {
            if (bytesCached == 0) {
                throw full;
            }
            trim();
            return raw.allocate(capacity);
        }
    }
}
