package dev.synctalk.nerf;

import dev.synctalk.gpu.sampling.Philox4x32;

/**
 * Which frame and which pixels torso step s trains on: a pure function of (key, s), drawn from
 * {@link Philox4x32} with counter (i, s_lo, s_hi, stream) and the 64-bit key as its two key words. Frame:
 * stream {@value #FRAME_STREAM}, i = 0; pixel i: stream {@value #PIXEL_STREAM}. Each word becomes an index by
 * {@link Philox4x32#below}. The CUDA trainer draws the pixels on the device with the same function
 * (torso.cu, torso_sample_pixels) and the frame with this class: the indices are identical, which the GPU
 * self-test checks.
 *
 * <p>Counter-based rather than a stream generator, so a resumed run needs no generator state (only the key,
 * which checkpoints keep in their random-state field) and any step can be drawn without drawing the ones
 * before it. Pixels are drawn uniformly with replacement, as the reference's torso stage samples rays.
 */
public final class TorsoPixelSampler {
    public static final int PIXEL_STREAM = 0;
    public static final int FRAME_STREAM = 1;

    private final long key;

    public TorsoPixelSampler(long key) {
        this.key = key;
    }

    /** The key a trainer seeded with {@code seed} uses (the first word of {@link TrainingRandom}(seed)). */
    public static TorsoPixelSampler seeded(long seed) {
        return new TorsoPixelSampler(new TrainingRandom(seed).nextLong());
    }

    public long key() {
        return key;
    }

    public int keyLow() {
        return (int) key;
    }

    public int keyHigh() {
        return (int) (key >>> 32);
    }

    private int word(long step, int i, int stream) {
        if (step < 0) {
            throw new IllegalArgumentException("step must not be negative, was " + step);
        }
        return Philox4x32.first(i, (int) step, (int) (step >>> 32), stream, keyLow(), keyHigh());
    }

    /** The training frame (index into the training data) of step {@code step}. */
    public int frame(long step, int frameCount) {
        return Philox4x32.below(word(step, 0, FRAME_STREAM), frameCount);
    }

    /** Pixel {@code i} (row * width + column) of step {@code step} in an image of {@code pixelCount} pixels. */
    public int pixel(long step, int i, int pixelCount) {
        return Philox4x32.below(word(step, i, PIXEL_STREAM), pixelCount);
    }

    /** Pixels 0 .. count-1 of step {@code step}. */
    public int[] pixels(long step, int count, int pixelCount) {
        int[] pixels = new int[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = pixel(step, i, pixelCount);
        }
        return pixels;
    }
}
