package dev.synctalk.parsing;

import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** The OpenCV operations parsing needs, on plain Java arrays (each call owns and frees its native Mats). */
final class Pixels {
    private Pixels() {
    }

    static Mat mat(byte[] data, int width, int height, int channels) {
        Mat m = new Mat(height, width, opencv_core.CV_8UC(channels));
        m.data().put(data, 0, data.length);
        return m;
    }

    static byte[] bytes(Mat m) {
        Mat continuous = m.isContinuous() ? m : m.clone();
        byte[] out = new byte[(int) (continuous.total() * continuous.channels())];
        continuous.data().get(out);
        if (continuous != m) {
            continuous.close();
        }
        return out;
    }

    private static byte[] resize(byte[] data, int width, int height, int channels, int toWidth, int toHeight,
            int interpolation) {
        if (width == toWidth && height == toHeight) {
            return data.clone();
        }
        try (Mat src = mat(data, width, height, channels); Mat dst = new Mat(); Size size = new Size(toWidth, toHeight)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, interpolation);
            return bytes(dst);
        }
    }

    /** Area-averaged downscale (or linear upscale) of an RGB image. */
    static RgbImage resize(RgbImage image, int toWidth, int toHeight) {
        int interpolation = toWidth < image.width() ? opencv_imgproc.INTER_AREA : opencv_imgproc.INTER_LINEAR;
        return new RgbImage(toWidth, toHeight,
                resize(image.rgb(), image.width(), image.height(), 3, toWidth, toHeight, interpolation));
    }

    /** Resizes a 0/1 mask: linear interpolation of the mask then a 0.5 threshold gives smooth edges when upscaling. */
    static byte[] resizeMask(byte[] mask, int width, int height, int toWidth, int toHeight) {
        byte[] scaled = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) {
            scaled[i] = (byte) (mask[i] != 0 ? 255 : 0);
        }
        byte[] out = resize(scaled, width, height, 1, toWidth, toHeight, opencv_imgproc.INTER_LINEAR);
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((out[i] & 0xff) >= 128 ? 1 : 0);
        }
        return out;
    }

    /** Nearest-neighbour resize of any 8-bit image (as cv2.INTER_NEAREST). */
    static byte[] resizeNearest(byte[] data, int width, int height, int channels, int toWidth, int toHeight) {
        return resize(data, width, height, channels, toWidth, toHeight, opencv_imgproc.INTER_NEAREST);
    }

    /** Morphological open/close/dilate/erode of a 0/1 mask with an elliptic kernel of {@code diameter} pixels. */
    static byte[] morphology(byte[] mask, int width, int height, int operation, int diameter) {
        if (diameter <= 1) {
            return mask.clone();
        }
        try (Mat src = mat(mask, width, height, 1); Mat dst = new Mat(); Size size = new Size(diameter, diameter);
                Mat kernel = opencv_imgproc.getStructuringElement(opencv_imgproc.MORPH_ELLIPSE, size)) {
            opencv_imgproc.morphologyEx(src, dst, operation, kernel);
            return bytes(dst);
        }
    }

    /** Euclidean distance (3x3 mask approximation) of each pixel to the nearest pixel where {@code mask} is set. */
    static float[] distanceToMask(byte[] mask, int width, int height) {
        byte[] inverted = new byte[mask.length];
        boolean any = false;
        for (int i = 0; i < mask.length; i++) {
            inverted[i] = (byte) (mask[i] != 0 ? 0 : 1);
            any |= mask[i] != 0;
        }
        float[] out = new float[mask.length];
        if (!any) {
            java.util.Arrays.fill(out, Float.POSITIVE_INFINITY);
            return out;
        }
        try (Mat src = mat(inverted, width, height, 1); Mat dst = new Mat()) {
            opencv_imgproc.distanceTransform(src, dst, opencv_imgproc.DIST_L2, 3);
            ((java.nio.FloatBuffer) dst.createBuffer()).get(out);
        }
        return out;
    }

    /**
     * For every pixel, the index of the nearest pixel where {@code known} is set (itself when set), from
     * OpenCV's distance transform with per-pixel labels.
     */
    static int[] nearestKnown(byte[] known, int width, int height) {
        byte[] zeroAtKnown = new byte[known.length];
        for (int i = 0; i < known.length; i++) {
            zeroAtKnown[i] = (byte) (known[i] != 0 ? 0 : 1);
        }
        int[] labels = new int[known.length];
        try (Mat src = mat(zeroAtKnown, width, height, 1); Mat dist = new Mat(); Mat labelMat = new Mat()) {
            opencv_imgproc.distanceTransformWithLabels(src, dist, labelMat, opencv_imgproc.DIST_L2,
                    opencv_imgproc.DIST_MASK_5, opencv_imgproc.DIST_LABEL_PIXEL);
            ((java.nio.IntBuffer) labelMat.createBuffer()).get(labels);
        }
        // Each known pixel carries its own label: map labels back to pixel indices.
        int maxLabel = 0;
        for (int i = 0; i < known.length; i++) {
            if (known[i] != 0) {
                maxLabel = Math.max(maxLabel, labels[i]);
            }
        }
        int[] pixelOfLabel = new int[maxLabel + 1];
        for (int i = 0; i < known.length; i++) {
            if (known[i] != 0) {
                pixelOfLabel[labels[i]] = i;
            }
        }
        int[] nearest = new int[known.length];
        for (int i = 0; i < known.length; i++) {
            nearest[i] = known[i] != 0 ? i : pixelOfLabel[labels[i]];
        }
        return nearest;
    }

    /**
     * Gaussian blur as the reference calls it: {@code cv2.GaussianBlur(img, (k, k), cv2.BORDER_DEFAULT)} passes
     * BORDER_DEFAULT (= 4) as sigmaX, so the reference's 5x5 and 9x9 blurs have sigma 4.
     */
    static byte[] referenceBlur(byte[] data, int width, int height, int channels, int kernel) {
        try (Mat src = mat(data, width, height, channels); Mat dst = new Mat(); Size size = new Size(kernel, kernel)) {
            opencv_imgproc.GaussianBlur(src, dst, size, opencv_core.BORDER_DEFAULT);
            return bytes(dst);
        }
    }

    /** Connected components of a 0/1 mask: a label per pixel, 0 where the mask is clear. */
    static int[] components(byte[] mask, int width, int height, int connectivity) {
        int[] labels = new int[mask.length];
        try (Mat src = mat(mask, width, height, 1); Mat labelMat = new Mat()) {
            opencv_imgproc.connectedComponents(src, labelMat, connectivity, opencv_core.CV_32S);
            ((java.nio.IntBuffer) labelMat.createBuffer()).get(labels);
        }
        return labels;
    }

    /** PNG (or JPEG) bytes of an RGB or RGBA image, written by OpenCV like cv2.imwrite (channels swapped to BGR). */
    static byte[] encode(byte[] rgbOrRgba, int width, int height, int channels, String extension, int[] params) {
        byte[] bgr = rgbOrRgba.clone();
        for (int i = 0; i < bgr.length; i += channels) {
            byte r = bgr[i];
            bgr[i] = bgr[i + 2];
            bgr[i + 2] = r;
        }
        try (Mat mat = mat(bgr, width, height, channels); BytePointer buffer = new BytePointer();
                IntPointer encodeParams = new IntPointer(params)) {
            if (!opencv_imgcodecs.imencode("." + extension, mat, buffer, encodeParams) || buffer.limit() <= 0) {
                throw new IllegalStateException("OpenCV could not encode a " + width + "x" + height + " image as "
                        + extension);
            }
            byte[] bytes = new byte[(int) buffer.limit()];
            buffer.get(bytes);
            return bytes;
        }
    }

    /** Decodes an image file's bytes to RGB (3 channels) with OpenCV. */
    static RgbImage decodeRgb(byte[] encoded, String what) {
        try (Mat buffer = new Mat(1, encoded.length, opencv_core.CV_8UC1)) {
            buffer.data().put(encoded);
            try (Mat bgr = opencv_imgcodecs.imdecode(buffer, opencv_imgcodecs.IMREAD_COLOR)) {
                if (bgr == null || bgr.empty()) {
                    throw new IllegalStateException("OpenCV could not decode " + what);
                }
                byte[] rgb = bytes(bgr);
                for (int i = 0; i < rgb.length; i += 3) {
                    byte b = rgb[i];
                    rgb[i] = rgb[i + 2];
                    rgb[i + 2] = b;
                }
                return new RgbImage(bgr.cols(), bgr.rows(), rgb);
            }
        }
    }

    /** The components of {@code mask} (8-connected) that overlap {@code seed}. */
    static byte[] keepConnectedTo(byte[] mask, byte[] seed, int w, int h) {
        int[] labels = Pixels.components(mask, w, h, 8);
        int maxLabel = Arrays.stream(labels).max().orElse(0);
        boolean[] keep = new boolean[maxLabel + 1];
        for (int p = 0; p < labels.length; p++) {
            if (seed[p] != 0 && labels[p] > 0) {
                keep[labels[p]] = true;
            }
        }
        byte[] out = new byte[mask.length];
        for (int p = 0; p < labels.length; p++) {
            out[p] = (byte) (labels[p] > 0 && keep[labels[p]] ? 1 : 0);
        }
        return out;
    }

    /** Sets the background components (4-connected) that do not touch the border and are at most this big. */
    static byte[] fillSmallHoles(byte[] person, int w, int h, double maxHoleFraction) {
        byte[] background = new byte[person.length];
        for (int p = 0; p < person.length; p++) {
            background[p] = (byte) (person[p] == 0 ? 1 : 0);
        }
        int[] labels = Pixels.components(background, w, h, 4);
        int maxLabel = Arrays.stream(labels).max().orElse(0);
        int[] size = new int[maxLabel + 1];
        boolean[] touchesBorder = new boolean[maxLabel + 1];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int l = labels[y * w + x];
                size[l]++;
                if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                    touchesBorder[l] = true;
                }
            }
        }
        double maxHole = maxHoleFraction * w * h;
        byte[] out = person.clone();
        for (int p = 0; p < out.length; p++) {
            int l = labels[p];
            if (l > 0 && !touchesBorder[l] && size[l] <= maxHole) {
                out[p] = 1;
            }
        }
        return out;
    }
}
