package dev.synctalk.sync;

import dev.synctalk.image.FloatImage;

import java.util.ArrayList;
import java.util.List;

/**
 * The lower half of the face, cut out by the 68 landmarks (iBUG layout) and resampled to the networks'
 * crop size (H x 2H): what the lip-sync expert and the audio-visual encoder's decoder look at.
 *
 * <p>The box spans the jaw line (landmarks 0-16) horizontally, {@value #WIDTH_MARGIN} x its width, and is
 * half as high as wide, its bottom {@value #BOTTOM_MARGIN} x its height below the chin (landmark 8): the
 * lower half of a square face box, from about the nose tip to below the chin, as Wav2Lip's expert sees a
 * face. The box's centre, bottom and width are averaged over {@value #SMOOTHING_FRAMES} frames centred on
 * each frame, so the crop follows the head without the landmarks' frame-to-frame jitter. Pixels are the
 * mean of 3 x 3 bilinear samples per crop pixel (the crop is usually smaller than the face), the image's
 * edge extended outside it; stored as 8-bit CHW.
 */
public final class LowerFaceCrop {
    static final double WIDTH_MARGIN = 1.1;
    static final double BOTTOM_MARGIN = 0.08;
    static final int SMOOTHING_FRAMES = 5;
    private static final int CHIN = 8;

    private LowerFaceCrop() {
    }

    /** A crop box in pixels: horizontal centre, bottom edge and width (the height is half the width). */
    public record Box(double centreX, double bottom, double width) {
        public double height() {
            return width / 2;
        }

        public double left() {
            return centreX - width / 2;
        }

        public double top() {
            return bottom - height();
        }
    }

    /** The box of one frame's landmarks (68 points, x and y). */
    public static Box box(float[][] landmarks) {
        if (landmarks.length < 68) {
            throw new IllegalArgumentException("the lower-face crop needs 68 landmarks, got " + landmarks.length);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= 16; k++) {
            min = Math.min(min, landmarks[k][0]);
            max = Math.max(max, landmarks[k][0]);
        }
        double width = Math.max(1, (max - min) * WIDTH_MARGIN);
        return new Box((min + max) / 2, landmarks[CHIN][1] + BOTTOM_MARGIN * width / 2, width);
    }

    /** Every frame's box, each averaged with its neighbours (a window of 5 frames, cut at the ends). */
    public static List<Box> smoothed(List<float[][]> landmarks) {
        List<Box> raw = new ArrayList<>();
        for (float[][] l : landmarks) {
            raw.add(box(l));
        }
        List<Box> out = new ArrayList<>(raw.size());
        int half = SMOOTHING_FRAMES / 2;
        for (int i = 0; i < raw.size(); i++) {
            double cx = 0;
            double bottom = 0;
            double width = 0;
            int n = 0;
            for (int j = Math.max(0, i - half); j <= Math.min(raw.size() - 1, i + half); j++) {
                cx += raw.get(j).centreX();
                bottom += raw.get(j).bottom();
                width += raw.get(j).width();
                n++;
            }
            out.add(new Box(cx / n, bottom / n, width / n));
        }
        return out;
    }

    /** The crop of {@code box} at {@code height} x {@code width}, RGB bytes in CHW order. */
    public static byte[] crop(FloatImage image, Box box, int height, int width) {
        FloatImage rgb = image.channels() >= 3 ? image : null;
        if (rgb == null) {
            throw new IllegalArgumentException("the lower-face crop needs an RGB image, got " + image.channels()
                    + " channel(s)");
        }
        byte[] out = new byte[3 * height * width];
        double stepX = box.width() / width;
        double stepY = box.height() / height;
        int plane = height * width;
        for (int v = 0; v < height; v++) {
            for (int u = 0; u < width; u++) {
                double[] sum = new double[3];
                for (int sy = 0; sy < 3; sy++) {
                    double y = box.top() + (v + (sy + 0.5) / 3) * stepY - 0.5;
                    for (int sx = 0; sx < 3; sx++) {
                        double x = box.left() + (u + (sx + 0.5) / 3) * stepX - 0.5;
                        bilinear(image, x, y, sum);
                    }
                }
                for (int c = 0; c < 3; c++) {
                    out[c * plane + v * width + u] = (byte) FloatImage.toByte((float) (sum[c] / 9));
                }
            }
        }
        return out;
    }

    private static void bilinear(FloatImage image, double x, double y, double[] sum) {
        int w = image.width();
        int h = image.height();
        double cx = Math.max(0, Math.min(w - 1, x));
        double cy = Math.max(0, Math.min(h - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(w - 1, x0 + 1);
        int y1 = Math.min(h - 1, y0 + 1);
        double fx = cx - x0;
        double fy = cy - y0;
        for (int c = 0; c < 3; c++) {
            double top = image.get(x0, y0, c) * (1 - fx) + image.get(x1, y0, c) * fx;
            double bottom = image.get(x0, y1, c) * (1 - fx) + image.get(x1, y1, c) * fx;
            sum[c] += top * (1 - fy) + bottom * fy;
        }
    }
}
