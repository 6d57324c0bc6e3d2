package dev.synctalk.nerf;

import dev.synctalk.gpu.render.CameraRays;
import dev.synctalk.gpu.tensor.Backend;
import dev.synctalk.gpu.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * What head training reads from a dataset, in the compact form both trainers share: the camera, per training
 * frame its pose, expression, individual-code index, audio frame and lips rectangle, the audio features of
 * every audio frame, and per frame its pixels as bytes: {@code rgbm} [H*W][4] (ground-truth RGB and a mask
 * byte: bit {@link #FACE} the face, bit {@link #LOWER_FACE} the lower face) and {@code background} [H*W][3]
 * (what the head is composited over: the frame's torso over bc.jpg). Colours are byte / 255 on both backends.
 * Pixels are read through a {@link PixelSource} on demand: the CPU trainer keeps them, the device trainer
 * uploads them once and keeps nothing on the host.
 */
public final class HeadTrainingData {
    public static final int FACE = 1;
    public static final int LOWER_FACE = 2;

    /**
     * One training frame.
     *
     * @param imageId   the dataset's img_id (for messages)
     * @param codeIndex its individual code
     * @param audioId   the audio frame it speaks
     * @param pose      camera-to-world [16] row-major, trainer axes
     * @param expression the 7 upper-face blendshape coefficients
     * @param lipsRectangle x0, y0, side of the square around the lips; null when no lips phase needs it
     */
    public record Frame(int imageId, int codeIndex, int audioId, float[] pose, float[] expression, int[] lipsRectangle) {
        public Frame {
            if (pose.length != 16) {
                throw new IllegalArgumentException("frame " + imageId + ": pose must have 16 values, has " + pose.length);
            }
        }
    }

    /** Reads frame k's pixels into rgbm [H*W*4] and background [H*W*3]. */
    @FunctionalInterface
    public interface PixelSource {
        void read(int frame, byte[] rgbm, byte[] background) throws IOException;
    }

    private final CameraRays camera;
    private final List<Frame> frames;
    private final int[] featureShape;
    private final float[][] audioFeatures;
    private final int window;
    private final PixelSource pixels;
    private final byte[][] cachedRgbm;
    private final byte[][] cachedBackground;

    /**
     * @param audioFeatures per audio frame its features, each of featureShape's size
     * @param window        audio frames per attention window (frames i - window/2 .. i + window/2 - 1)
     */
    public HeadTrainingData(CameraRays camera, List<Frame> frames, int[] featureShape, float[][] audioFeatures,
                            int window, PixelSource pixels) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("head training needs at least one training frame");
        }
        int size = 1;
        for (int d : featureShape) {
            size *= d;
        }
        for (Frame f : frames) {
            if (f.audioId() < 0 || f.audioId() >= audioFeatures.length) {
                throw new IllegalArgumentException("img_id " + f.imageId() + " speaks audio frame " + f.audioId()
                        + " but the audio features have " + audioFeatures.length + " frames");
            }
            if (f.expression().length != 7) {
                throw new IllegalArgumentException("img_id " + f.imageId() + " has " + f.expression().length
                        + " expression coefficients, the model takes 7");
            }
        }
        for (int a = 0; a < audioFeatures.length; a++) {
            if (audioFeatures[a].length != size) {
                throw new IllegalArgumentException("audio frame " + a + " has " + audioFeatures[a].length
                        + " features, expected " + size + " (" + Arrays.toString(featureShape) + ")");
            }
        }
        this.camera = camera;
        this.frames = List.copyOf(frames);
        this.featureShape = featureShape.clone();
        this.audioFeatures = audioFeatures;
        this.window = window;
        this.pixels = pixels;
        this.cachedRgbm = new byte[frames.size()][];
        this.cachedBackground = new byte[frames.size()][];
    }

    public CameraRays camera() {
        return camera;
    }

    public int width() {
        return camera.width();
    }

    public int height() {
        return camera.height();
    }

    public int pixelCount() {
        return camera.width() * camera.height();
    }

    public List<Frame> frames() {
        return frames;
    }

    public int frameCount() {
        return frames.size();
    }

    public int[] featureShape() {
        return featureShape.clone();
    }

    public int featureSize() {
        return audioFeatures.length == 0 ? 0 : audioFeatures[0].length;
    }

    public float[][] audioFeatures() {
        return audioFeatures;
    }

    public int window() {
        return window;
    }

    public PixelSource pixelSource() {
        return pixels;
    }

    /** Bytes the pixels take on a device (rgbm and background of every frame). */
    public long pixelBytes() {
        return (long) frames.size() * pixelCount() * 7;
    }

    /** The audio window of frame k: [window, featureShape...], zero rows past either end. */
    public Tensor audioWindow(int frame) {
        int centre = frames.get(frame).audioId();
        int size = featureSize();
        float[] data = new float[window * size];
        for (int k = 0; k < window; k++) {
            int f = centre - window / 2 + k;
            if (f >= 0 && f < audioFeatures.length) {
                System.arraycopy(audioFeatures[f], 0, data, k * size, size);
            }
        }
        int[] shape = new int[featureShape.length + 1];
        shape[0] = window;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        return Tensor.wrap(data, shape);
    }

    public FrameConditioning conditioning(int frame) {
        Frame f = frames.get(frame);
        return new FrameConditioning(audioWindow(frame), Tensor.wrap(f.expression().clone(), 7), f.codeIndex());
    }

    /** Frame k's pixels, read once and kept (the CPU trainer's path). */
    private synchronized void load(int frame) {
        if (cachedRgbm[frame] != null) {
            return;
        }
        byte[] rgbm = new byte[pixelCount() * 4];
        byte[] background = new byte[pixelCount() * 3];
        try {
            pixels.read(frame, rgbm, background);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the pixels of training frame img_id " + frames.get(frame).imageId()
                    + ": " + e.getMessage(), e);
        }
        cachedRgbm[frame] = rgbm;
        cachedBackground[frame] = background;
    }

    /**
     * The rays through {@code pixels} of frame k (the CPU twin of headtrain.cu's sample_rays gather): camera
     * rays from the frame's pose, target and background byte / 255, face and lower-face flags.
     */
    public RayBatch rayBatch(Backend backend, int frame, int[] pixelIndices) {
        load(frame);
        byte[] rgbm = cachedRgbm[frame];
        byte[] bg = cachedBackground[frame];
        int r = pixelIndices.length;
        Tensor origins = Tensor.zeros(r, 3);
        Tensor directions = Tensor.zeros(r, 3);
        backend.cameraRays(camera, Tensor.wrap(frames.get(frame).pose().clone(), 4, 4), pixelIndices, origins, directions);
        Tensor target = Tensor.zeros(r, 3);
        Tensor background = Tensor.zeros(r, 3);
        Tensor face = Tensor.zeros(r);
        Tensor lower = Tensor.zeros(r);
        for (int i = 0; i < r; i++) {
            int p = pixelIndices[i];
            for (int c = 0; c < 3; c++) {
                target.data()[3 * i + c] = (rgbm[4 * p + c] & 0xFF) / 255f;
                background.data()[3 * i + c] = (bg[3 * p + c] & 0xFF) / 255f;
            }
            int mask = rgbm[4 * p + 3];
            face.data()[i] = (mask & FACE) != 0 ? 1f : 0f;
            lower.data()[i] = (mask & LOWER_FACE) != 0 ? 1f : 0f;
        }
        return new RayBatch(origins, directions, target, background, face, lower, conditioning(frame));
    }

    /** A colour in [0, 1] as the byte the data stores (round to nearest). */
    public static byte toByte(float v) {
        return (byte) Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
