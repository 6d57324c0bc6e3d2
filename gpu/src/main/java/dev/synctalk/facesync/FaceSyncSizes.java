package dev.synctalk.facesync;

import dev.synctalk.gpu.tensor.Tensor;

import java.util.Map;

/**
 * Sizes of the Face-Sync Controller's networks: the base channel count {@code c} (the audio-visual
 * encoder's stack runs c, 2c, 4c, 8c, 16c channels and gives 16c features per frame; the reference's is
 * c = 32, 512 features) and the lower-face crop, {@code cropHeight} x {@code cropWidth} pixels with
 * width = 2 x height (the lower half of a square face box, as Wav2Lip's expert sees it; the reference
 * size is 48 x 96). The height must be 3 x 2^k with k &gt;= 3 (24, 48, 96) so the encoders halve it down
 * to 3 rows and the decoder doubles it back exactly.
 *
 * <p>Saved inside each model file as the tensor {@code <kind>.sizes} = [c, cropHeight, cropWidth] (small
 * integers, exact in float32), so a file says what network it holds.
 */
public record FaceSyncSizes(int channels, int cropHeight, int cropWidth) {
    /** Frames in one face window of the lip-sync expert (0.2 s at 25 fps, the mel window's span). */
    public static final int WINDOW_FRAMES = 5;
    /** The reference's sizes: 512 AVE features, 48 x 96 crops. */
    public static final FaceSyncSizes REFERENCE = new FaceSyncSizes(32, 48, 96);

    public FaceSyncSizes {
        if (channels < 1 || channels > 256) {
            throw new IllegalArgumentException("channels must be in 1..256, got " + channels);
        }
        if (cropWidth != 2 * cropHeight || !validHeight(cropHeight)) {
            throw new IllegalArgumentException("the lower-face crop must be H x 2H with H = 3 x 2^k, k >= 3 (24x48, "
                    + "48x96, 96x192), got " + cropHeight + "x" + cropWidth);
        }
    }

    private static boolean validHeight(int h) {
        if (h < 24 || h % 3 != 0) {
            return false;
        }
        int q = h / 3;
        return (q & (q - 1)) == 0;
    }

    /** Features per frame of the audio-visual encoder and width of the expert's embeddings: 16c. */
    public int featureDim() {
        return 16 * channels;
    }

    /** Floats of one RGB crop [3, H, W]. */
    public int cropFloats() {
        return 3 * cropHeight * cropWidth;
    }

    public Tensor toTensor() {
        return Tensor.wrap(new float[] {channels, cropHeight, cropWidth}, 3);
    }

    /** Reads {@code <kind>.sizes} from a model file's tensors; the error names the file and the tensor. */
    public static FaceSyncSizes fromTensors(Map<String, Tensor> tensors, String kind, String source) {
        String name = kind + ".sizes";
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + ": missing tensor '" + name + "' (not a " + kind
                    + " model file written by this engine?)");
        }
        if (t.size() != 3) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "' must hold 3 values, has " + t.size());
        }
        try {
            return new FaceSyncSizes(Math.round(t.data()[0]), Math.round(t.data()[1]), Math.round(t.data()[2]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "channels " + channels + " (" + featureDim() + " features), crops " + cropHeight + "x" + cropWidth;
    }
}
