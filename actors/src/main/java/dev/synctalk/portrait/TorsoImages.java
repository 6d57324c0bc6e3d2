package dev.synctalk.portrait;

import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.image.FloatImage;

/**
 * The ground-truth and torso images of a dataset frame, as data_utils/process.py makes them: the
 * ground truth is the source frame over the static background; the torso image is the ground truth
 * without the head, with the torso's top edge and the neck extended upwards under where the head was
 * (the neck gap fill), and transparent outside neck and torso.
 */
public final class TorsoImages {
    /** Rows the torso's top edge is extended upwards, darkening by 0.98 per row. */
    static final int TORSO_EXTENSION = 9;
    static final double TORSO_DARKEN = 0.98;
    /** Rows the neck's top is moved down before sampling its colour (skips the jaw shadow). */
    static final int NECK_PUSH_DOWN = 4;
    /** Rows the neck colour is extended upwards into the head region. */
    static final int NECK_EXTENSION = 48 + NECK_PUSH_DOWN + 1;
    /** Vertical dilation of the neck before the fill (iterations of a 3x1 structuring element). */
    static final int NECK_DILATION = 3;
    static final int FILL_BLUR_SIZE = 5;

    private TorsoImages() {
    }

    /** The torso image (RGBA) and the pixels the neck gap fill painted. */
    public record Torso(FloatImage rgba, boolean[] neckFill) {
    }

    /** Source frame with background pixels taken from the background image. */
    public static FloatImage groundTruth(FloatImage original, ParsingMap parsing, FloatImage background) {
        requireSameSize(original, parsing, background);
        FloatImage gt = original.rgb();
        for (int p = 0; p < gt.pixelCount(); p++) {
            if (parsing.classes()[p] == ParsingClass.BACKGROUND) {
                System.arraycopy(background.data(), p * background.channels(), gt.data(), p * 3, 3);
            }
        }
        return gt;
    }

    public static Torso torso(FloatImage groundTruth, ParsingMap parsing, FloatImage background) {
        requireSameSize(groundTruth, parsing, background);
        int w = groundTruth.width();
        int h = groundTruth.height();
        boolean[] head = parsing.mask(ParsingClass.HEAD);
        boolean[] torsoPart = parsing.mask(ParsingClass.TORSO);
        FloatImage image = groundTruth.rgb();
        float[] px = image.data();
        for (int p = 0; p < head.length; p++) {
            if (head[p]) {
                System.arraycopy(background.data(), p * background.channels(), px, p * 3, 3);
            }
        }
        boolean[] torsoFill = extendTorsoTop(image, groundTruth, torsoPart, head);
        boolean[] neck = dilateVertically(parsing.mask(ParsingClass.NECK), w, h, NECK_DILATION);
        boolean[] neckFill = NeckGapFill.fill(image, groundTruth, neck, head);

        float[] alpha = new float[w * h];
        float[] rgba = new float[w * h * 4];
        for (int p = 0; p < alpha.length; p++) {
            boolean keep = neck[p] || torsoPart[p] || neckFill[p] || torsoFill[p];
            if (keep) {
                System.arraycopy(px, p * 3, rgba, p * 4, 3);
                rgba[p * 4 + 3] = 1f;
            }
        }
        return new Torso(new FloatImage(w, h, 4, rgba), neckFill);
    }

    /** Continues each torso column whose top touches the head upwards with its top colour, darkening. */
    private static boolean[] extendTorsoTop(FloatImage image, FloatImage gt, boolean[] torso, boolean[] head) {
        int w = image.width();
        boolean[] filled = new boolean[torso.length];
        for (int x = 0; x < w; x++) {
            int top = topRow(torso, x, w, image.height());
            if (top <= 0 || !head[(top - 1) * w + x]) {
                continue;
            }
            for (int k = 0; k < TORSO_EXTENSION && top - k >= 0; k++) {
                int p = (top - k) * w + x;
                float scale = (float) Math.pow(TORSO_DARKEN, k);
                for (int c = 0; c < 3; c++) {
                    image.data()[p * 3 + c] = gt.data()[(top * w + x) * 3 + c] * scale;
                }
                filled[p] = true;
            }
        }
        return filled;
    }

    static int topRow(boolean[] mask, int x, int w, int h) {
        for (int y = 0; y < h; y++) {
            if (mask[y * w + x]) {
                return y;
            }
        }
        return -1;
    }

    /** Binary dilation with the vertical 3x1 structuring element, {@code iterations} times. */
    static boolean[] dilateVertically(boolean[] mask, int w, int h, int iterations) {
        boolean[] current = mask.clone();
        for (int it = 0; it < iterations; it++) {
            boolean[] next = current.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    if (current[y * w + x]) {
                        if (y > 0) {
                            next[(y - 1) * w + x] = true;
                        }
                        if (y + 1 < h) {
                            next[(y + 1) * w + x] = true;
                        }
                    }
                }
            }
            current = next;
        }
        return current;
    }

    private static void requireSameSize(FloatImage image, ParsingMap parsing, FloatImage background) {
        if (image.width() != parsing.width() || image.height() != parsing.height() || !image.sameSize(background)) {
            throw new IllegalArgumentException("frame " + image.width() + "x" + image.height() + ", parsing "
                    + parsing.width() + "x" + parsing.height() + " and background " + background.width() + "x"
                    + background.height() + " must have the same size");
        }
    }
}
