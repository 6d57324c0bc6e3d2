package dev.synctalk.nerf;

import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.util.List;

/**
 * What torso training reads, for every training frame: its head pose [16] (trainer axes, row-major 4x4
 * camera-to-world), its torso-code index, and its torso image (torso_imgs/N.png) as packed 8-bit RGBA, one
 * int per pixel ({@link #pack}); plus the one background image (bc.jpg) [H*W*3] in [0, 1]. The target of a
 * pixel is the reference's bg_torso_color, the torso over the background ({@link #target}).
 *
 * <p>Images stay 8-bit (4 bytes a pixel): a 7,500-frame 512x512 dataset is 7.9 GB, which the CUDA trainer
 * uploads once; they come from {@link Images} one frame at a time, so nothing needs all of them on the heap.
 */
public final class TorsoTrainingData {

    /** The torso images, one frame at a time. */
    @FunctionalInterface
    public interface Images {
        /** Frame {@code frame}'s torso image, [width * height] packed RGBA ({@link #pack}). */
        int[] packedRgba(int frame) throws IOException;
    }

    /** One training frame; {@code imageId} is for messages (img_id of the dataset). */
    public record Frame(int imageId, int codeIndex, float[] pose) {
        public Frame {
            if (pose.length != 16) {
                throw new IllegalArgumentException("frame img_id " + imageId + ": a pose has 16 numbers, got "
                        + pose.length);
            }
        }
    }

    private final int width;
    private final int height;
    private final float[] background;
    private final List<Frame> frames;
    private final Images images;

    public TorsoTrainingData(int width, int height, float[] background, List<Frame> frames, Images images) {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("torso training needs images of at least 2x2, got " + width + "x" + height);
        }
        if (background.length != 3 * width * height) {
            throw new IllegalArgumentException("background holds " + background.length + " floats, a " + width + "x"
                    + height + " RGB image needs " + 3 * width * height);
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("torso training needs at least one frame");
        }
        this.width = width;
        this.height = height;
        this.background = background;
        this.frames = List.copyOf(frames);
        this.images = images;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int pixelCount() {
        return width * height;
    }

    public float[] background() {
        return background;
    }

    public List<Frame> frames() {
        return frames;
    }

    public int frameCount() {
        return frames.size();
    }

    public Frame frame(int index) {
        return frames.get(index);
    }

    /** Fails naming the first frame whose torso code a model of {@code config} does not have. */
    public void requireCodes(TorsoModelConfig config) {
        for (Frame f : frames) {
            if (config.individualCodeDim() > 0 && f.codeIndex() >= config.individualCodeCount()) {
                throw new IllegalArgumentException("training frame img_id " + f.imageId() + " has torso code "
                        + f.codeIndex() + " but the model has " + config.individualCodeCount());
            }
        }
    }

    /** Frame {@code frame}'s torso image, checked for its size. */
    public int[] packedRgba(int frame) throws IOException {
        int[] rgba = images.packedRgba(frame);
        if (rgba.length != pixelCount()) {
            throw new IOException("torso image of frame img_id " + frames.get(frame).imageId() + " has " + rgba.length
                    + " pixels, the dataset's images have " + pixelCount());
        }
        return rgba;
    }

    /** Bytes 0..255 of R, G, B, A in one int: R in the lowest byte. */
    public static int pack(int r, int g, int b, int a) {
        return (r & 0xFF) | (g & 0xFF) << 8 | (b & 0xFF) << 16 | (a & 0xFF) << 24;
    }

    /** Channel {@code c} (0 R .. 3 A) of a packed pixel in [0, 1], as 8-bit images decode: byte / 255f. */
    public static float channel(int packed, int c) {
        return ((packed >>> (8 * c)) & 0xFF) / 255f;
    }

    /**
     * The target colour of pixel {@code p}: torso RGB over the background by the torso's alpha,
     * {@code rgb * a + (1 - a) * bg} in float, in this order (torso.cu's torso_sample_pixels does the same).
     */
    public static void target(int packed, float[] background, int p, float[] out, int outOffset) {
        float a = channel(packed, 3);
        for (int c = 0; c < 3; c++) {
            out[outOffset + c] = channel(packed, c) * a + (1 - a) * background[3 * p + c];
        }
    }

    /**
     * The step inputs of {@code pixels} of frame {@code frame} with its torso image {@code rgba}: normalised
     * coordinates, targets and background colours. The CPU twin of torso_sample_pixels.
     */
    public TorsoBatch gather(int frame, int[] rgba, int[] pixels) {
        int r = pixels.length;
        float[] target = new float[3 * r];
        float[] bg = new float[3 * r];
        Tensor coords = TorsoModel.pixelCoordinates(width, height, pixels);
        for (int i = 0; i < r; i++) {
            int p = pixels[i];
            target(rgba[p], background, p, target, 3 * i);
            System.arraycopy(background, 3 * p, bg, 3 * i, 3);
        }
        Frame f = frames.get(frame);
        return new TorsoBatch(frame, f.codeIndex(), Tensor.wrap(f.pose().clone(), 4, 4), pixels.clone(), coords,
                Tensor.wrap(target, r, 3), Tensor.wrap(bg, r, 3));
    }
}
