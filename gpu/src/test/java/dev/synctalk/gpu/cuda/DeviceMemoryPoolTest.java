package dev.synctalk.gpu.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DeviceMemoryPoolTest {

    /** A device of fixed capacity whose handles are serial numbers. */
    private static final class FakeDevice implements RawDeviceAllocator<Long> {
        final long capacity;
        long used;
        long next;
        final Set<Long> live = new HashSet<>();
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Long allocate(long bytes) {
            if (used + bytes > capacity) {
                throw new OutOfDeviceMemoryException("fake cuMemAlloc of " + bytes, null);
            }
            used += bytes;
            long handle = next++;
            live.add(handle);
            sizes.put(handle, bytes);
            return handle;
        }

        @Override
        public void free(Long handle) {
            assertTrue(live.remove(handle), "freed twice or never allocated: " + handle);
            used -= sizes.remove(handle);
        }
    }

    @Test
    void sizeClassesWasteAtMostAQuarterAndStartAt512Bytes() {
        assertEquals(512, DeviceMemoryPool.sizeClass(1));
        assertEquals(512, DeviceMemoryPool.sizeClass(512));
        assertEquals(640, DeviceMemoryPool.sizeClass(513));
        assertEquals(1024, DeviceMemoryPool.sizeClass(1024));
        assertEquals(1280, DeviceMemoryPool.sizeClass(1025));
        assertEquals(3L << 20, DeviceMemoryPool.sizeClass(3_000_000));
        for (long bytes = 513; bytes < 1 << 22; bytes = bytes * 17 / 16 + 1) {
            long c = DeviceMemoryPool.sizeClass(bytes);
            assertTrue(c >= bytes && c < bytes * 1.25 + 1, bytes + " -> " + c);
        }
        assertThrows(IllegalArgumentException.class, () -> DeviceMemoryPool.sizeClass(0));
    }

    @Test
    void releasedBlockIsReusedForARequestOfTheSameClass() {
        FakeDevice device = new FakeDevice(1 << 20);
        DeviceMemoryPool<Long> pool = new DeviceMemoryPool<>(device);
        DeviceMemoryPool.Block<Long> first = pool.acquire(1000);
        pool.release(first);
        DeviceMemoryPool.Block<Long> second = pool.acquire(1020);
        assertSame(first, second);
        assertEquals(new DeviceMemoryPool.Stats(1024, 0, 1, 1), pool.stats());
        DeviceMemoryPool.Block<Long> other = pool.acquire(2000);
        assertEquals(2, pool.stats().rawAllocations());
        assertEquals(2048, other.capacityBytes());
    }

    @Test
    void outOfMemoryFreesCachedBlocksAndRetriesOnce() {
        FakeDevice device = new FakeDevice(4096);
        DeviceMemoryPool<Long> pool = new DeviceMemoryPool<>(device);
        pool.release(pool.acquire(2048));
        pool.release(pool.acquire(1024));
        assertEquals(3072, device.used);
        DeviceMemoryPool.Block<Long> big = pool.acquire(3072);
        assertEquals(3072, device.used, "the cached 2048 + 1024 were freed to make room");
        assertEquals(0, pool.stats().bytesCached());
        assertThrows(OutOfDeviceMemoryException.class, () -> pool.acquire(2048));
        pool.release(big);
    }

    @Test
    void closeFreesCachedAndOutstandingBlocks() {
        FakeDevice device = new FakeDevice(1 << 20);
        DeviceMemoryPool<Long> pool = new DeviceMemoryPool<>(device);
        pool.acquire(5000);
        pool.release(pool.acquire(700));
        pool.close();
        assertTrue(device.live.isEmpty(), "still allocated: " + device.live);
        assertThrows(IllegalStateException.class, () -> pool.acquire(10));
    }

    @Test
    void releasingTwiceIsRejected() {
        DeviceMemoryPool<Long> pool = new DeviceMemoryPool<>(new FakeDevice(1 << 20));
        DeviceMemoryPool.Block<Long> block = pool.acquire(100);
        pool.release(block);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.release(block));
        assertTrue(e.getMessage().contains("released twice"), e.getMessage());
    }
}
