package dev.synctalk.portrait;

import dev.synctalk.image.ByteImage;
import dev.synctalk.image.FloatImage;
import dev.synctalk.image.ImageFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The soft face mask of portrait mode: weight 1 where the rendered face replaces the source frame,
 * 0 where the source frame stays, soft in between. Made as the reference's face parsing makes its
 * {@code N_face.png}: the face region, extended below the chin over the middle half of the face's
 * columns, blurred with a 9x9 Gaussian.
 */
public record FaceMask(int width, int height, float[] weights) {
    public static final int BLUR_SIZE = 9;
    /** How far (pixels) the reference pushes the mask below the chin. */
    static final int CHIN_PAD = 5;

    public FaceMask {
        if (weights.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + width * height
                    + " weights, got " + weights.length);
        }
    }

    /** From a {@code N_face.png} image: weight = (255 - green) / 255, as provider.py reads it. */
    public static FaceMask fromMaskImage(FloatImage image) {
        if (image.channels() < 3) {
            throw new IllegalArgumentException("face mask image must be RGB, has " + image.channels() + " channels");
        }
        float[] weights = new float[image.pixelCount()];
        for (int p = 0; p < weights.length; p++) {
            weights[p] = 1f - FloatImage.toByte(image.data()[p * image.channels() + 1]) / 255f;
        }
        return new FaceMask(image.width(), image.height(), weights);
    }

    public static FaceMask read(Path png) throws IOException {
        return fromMaskImage(ImageFiles.read(png));
    }

    /**
     * The green channel [H*W] of a {@code N_face.png}, as bytes: weight = 1 - green / 255 ({@link #fromMaskImage}),
     * the form a renderer on a GPU uploads and converts itself.
     */
    public static byte[] readGreen(Path png) throws IOException {
        ByteImage image = ImageFiles.readBytes(png);
        if (image.channels() < 3) {
            throw new IOException("face mask image " + png + " must be RGB, has " + image.channels() + " channels");
        }
        return image.channel(1);
    }

    /** The {@code N_face.png} image: white background, face in blue (the reference's BGR [255, 0, 0]). */
    public FloatImage toMaskImage() {
        float[] data = new float[weights.length * 3];
        for (int p = 0; p < weights.length; p++) {
            float rest = 1f - weights[p];
            data[p * 3] = rest;
            data[p * 3 + 1] = rest;
            data[p * 3 + 2] = 1f;
        }
        return new FloatImage(width, height, 3, data);
    }

    public float at(int x, int y) {
        return weights[y * width + x];
    }
}
