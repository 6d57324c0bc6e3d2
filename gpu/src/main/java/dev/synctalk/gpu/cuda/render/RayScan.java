package dev.synctalk.gpu.cuda.render;

import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.LaunchShape;

/**
 * The marchers' ray scan on the device (occupancy.cu, scan_tile_sums + scan_tiles_apply): live-sample counts [n]
 * -> per-ray {offset, count} [2n] and their total [1], in tiles of {@value #TILE} rays, one block per tile, so a
 * 512x512 frame's scan spreads over 64 multiprocessors instead of one. Enqueued only: the total stays on the device
 * for the kernels that read it. Exact (integer sums), so it equals the CPU's prefix sum.
 */
public final class RayScan implements AutoCloseable {
    /** Rays per block: 1024 threads x 4 (occupancy.cu's SCAN_TILE). */
    public static final int TILE = 4096;
    private static final int THREADS = 1024;

    private final CudaDevice device;
    private final int maxRays;
    private final DeviceBuffer tileSums;

    /** A scan of up to {@code maxRays} rays (its tile sums are allocated once). */
    public RayScan(CudaDevice device, int maxRays) {
        if (maxRays < 0) {
            throw new IllegalArgumentException("ray count must not be negative: " + maxRays);
        }
        this.device = device;
        this.maxRays = maxRays;
        this.tileSums = device.allocate((long) tiles(maxRays) * Integer.BYTES);
    }

    static int tiles(int rays) {
        return Math.max(1, (rays + TILE - 1) / TILE);
    }

    /** rays [2n] = {exclusive prefix sum of counts, count}, total [1] = the sum of counts [n] (enqueued). */
    public void scan(int n, DeviceBuffer counts, DeviceBuffer rays, DeviceBuffer total) {
        if (n < 0 || n > maxRays) {
            throw new IllegalArgumentException("this scan takes up to " + maxRays + " rays, got " + n);
        }
        LaunchShape shape = new LaunchShape(tiles(n), 1, 1, THREADS, 1, 1, 0);
        device.kernel(KernelCatalog.SCAN_TILE_SUMS).launch(shape,
                KernelArgs.create().i32(n).buffer(counts).buffer(tileSums));
        device.kernel(KernelCatalog.SCAN_TILES_APPLY).launch(shape,
                KernelArgs.create().i32(n).buffer(counts).buffer(tileSums).buffer(rays).buffer(total));
    }

    /** The CPU twin: the exclusive prefix sum of {@code counts} as {offset, count} pairs, and the total last. */
    public static int[] reference(int[] counts) {
        int[] out = new int[2 * counts.length + 1];
        int running = 0;
        for (int i = 0; i < counts.length; i++) {
            out[2 * i] = running;
            out[2 * i + 1] = counts[i];
            running += counts[i];
        }
        out[2 * counts.length] = running;
        return out;
    }

    @Override
    public void close() {
        tileSums.close();
    }
}
