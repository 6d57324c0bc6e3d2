package dev.synctalk.gpu.cuda;

/** Grid and block dimensions of one kernel launch, plus its dynamic shared memory in bytes. */
public record LaunchShape(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedMemoryBytes) {

    public LaunchShape {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("launch dimensions must be positive: grid " + gridX + "x" + gridY + "x"
                    + gridZ + ", block " + blockX + "x" + blockY + "x" + blockZ);
        }
        if ((long) blockX * blockY * blockZ > 1024) {
            throw new IllegalArgumentException("a block holds at most 1024 threads, got "
                    + blockX + "x" + blockY + "x" + blockZ);
        }
        if (sharedMemoryBytes < 0) {
            throw new IllegalArgumentException("shared memory bytes must not be negative: " + sharedMemoryBytes);
        }
    }

    /**
     * A 1-D grid-stride launch over {@code elements} work items: enough blocks of {@code blockSize} threads
     * to give each item a thread, but no more than {@code maxBlocks} (kernels loop over the rest).
     */
    public static LaunchShape gridStride(long elements, int blockSize, int maxBlocks) {
        if (elements < 0) {
            throw new IllegalArgumentException("element count must not be negative: " + elements);
        }
        long blocks = Math.max(1, (elements + blockSize - 1) / blockSize);
        return new LaunchShape((int) Math.min(blocks, maxBlocks), 1, 1, blockSize, 1, 1, 0);
    }

    /** A 2-D launch with one thread per (x, y) of a {@code width} x {@code height} image. */
    public static LaunchShape perPixel(int width, int height, int blockX, int blockY) {
        return new LaunchShape((width + blockX - 1) / blockX, (height + blockY - 1) / blockY, 1, blockX, blockY, 1, 0);
    }

    public long threadCount() {
        return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
    }
}
