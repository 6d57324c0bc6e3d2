package dev.synctalk.nerf;

/**
 * The random numbers of head training as counter-based streams: every number is a pure function of
 * (seed, stream, step, index), so any step can be drawn on its own (a resumed run draws what an uninterrupted
 * one would) and the GPU draws the same numbers in parallel. This class is the CPU twin of headtrain.cu's
 * {@code counter_value}, {@code uniform_int} and {@code uniform_float} and of its ray sampling
 * ({@code sample_rays}); a test pins its values and GpuSelfTest checks the kernel against it.
 * <pre>
 *   key(stream, step) = mix(seed ^ mix(step * golden + stream))      (per step and stream, on the host)
 *   value(key, i)     = mix(key + golden * (i + 1))                  (SplitMix64's finaliser)
 *   uniformInt(v, n)  = ((v >>> 33) * n) >>> 31                      (31 random bits, in [0, n))
 *   uniformFloat(v)   = (v >>> 40) * 2^-24                           (24 random bits, in [0, 1))
 * </pre>
 * Streams: the step's training frame, its pixels (random rays or patch corners), the per-ray jitter of the
 * ray marcher ({@link dev.synctalk.gpu.render.RayMarcher#rayNoise}, keyed by {@link #marchNoiseSeed}) and the
 * per-cell jitter of the occupancy-grid update.
 */
public final class TrainingSampler {
    static final long GOLDEN = 0x9E3779B97F4A7C15L;
    public static final long FRAME_STREAM = 1;
    public static final long PIXEL_STREAM = 2;
    public static final long MARCH_STREAM = 3;
    public static final long GRID_STREAM = 4;

    private final long seed;

    public TrainingSampler(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The key of {@code stream} at {@code step}. */
    public long key(long stream, long step) {
        return mix(seed ^ mix(step * GOLDEN + stream));
    }

    /** The {@code i}-th number of the stream with key {@code key}. */
    public static long value(long key, long i) {
        return mix(key + GOLDEN * (i + 1));
    }

    /** Uniform in [0, bound), bound at most 2^31 - 1. */
    public static int uniformInt(long value, int bound) {
        return (int) (((value >>> 33) * bound) >>> 31);
    }

    /** Uniform in [0, 1) with 24 bits. */
    public static float uniformFloat(long value) {
        return (value >>> 40) * 0x1.0p-24f;
    }

    /** The training frame (position in the training set) of {@code step}. */
    public int frameOfStep(long step, int frameCount) {
        return uniformInt(value(key(FRAME_STREAM, step), 0), frameCount);
    }

    /** The noise seed of the ray marcher's per-ray jitter at {@code step}. */
    public long marchNoiseSeed(long step) {
        return key(MARCH_STREAM, step);
    }

    /** The key of the occupancy-grid update's jitter at {@code step} (see {@link #gridNoise}). */
    public long gridKey(long step) {
        return key(GRID_STREAM, step);
    }

    /** Jitter in [0, 1) of axis {@code axis} of cell {@code cell} in the update keyed {@code gridKey}. */
    public static float gridNoise(long gridKey, int cell, int axis) {
        return uniformFloat(value(gridKey, 3L * cell + axis));
    }

    /**
     * The pixels (index y * width + x) of {@code step}'s rays for {@code layout}: uniform pixels; whole
     * patches, patch k's corner from values 2k and 2k + 1, each patch row-major; or the lips rectangle.
     */
    public int[] pixels(long step, StepLayout layout, int width, int height) {
        long key = key(PIXEL_STREAM, step);
        int[] pixels = new int[layout.rays()];
        int side = layout.side();
        for (int r = 0; r < pixels.length; r++) {
            pixels[r] = switch (layout.kind()) {
                case RAYS -> uniformInt(value(key, r), width * height);
                case PATCHES -> {
                    int k = r / (side * side);
                    int q = r % (side * side);
                    int x0 = uniformInt(value(key, 2L * k), width - side + 1);
                    int y0 = uniformInt(value(key, 2L * k + 1), height - side + 1);
                    yield (y0 + q / side) * width + x0 + q % side;
                }
                case LIPS -> {
                    int q = r % (side * side);
                    yield (layout.y0() + q / side) * width + layout.x0() + q % side;
                }
            };
        }
        return pixels;
    }
}
