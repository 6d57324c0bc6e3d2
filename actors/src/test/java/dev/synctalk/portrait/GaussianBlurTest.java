package dev.synctalk.portrait;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synctalk.image.FloatImage;
import java.util.Random;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;

class GaussianBlurTest {

    private static FloatImage randomImage(int w, int h, int c, long seed) {
        Random random = new Random(seed);
        FloatImage image = FloatImage.blank(w, h, c);
        for (int i = 0; i < image.data().length; i++) {
            image.data()[i] = random.nextFloat();
        }
        return image;
    }

    /** Mirror without repeating the edge sample, written out step by step (the reference for reflect101). */
    private static int mirror(int i, int n) {
        while (i < 0 || i >= n) {
            if (i < 0) {
                i = -i;
            }
            if (i >= n) {
                i = 2 * (n - 1) - i;
            }
        }
        return i;
    }

    @Test
    void separableBlurEqualsTheDirect2DConvolution() {
        FloatImage image = randomImage(13, 9, 3, 1);
        for (int size : new int[] {1, 5, 9}) {
            for (double sigma : new double[] {0, 1.7, GaussianBlur.REFERENCE_SIGMA}) {
                double[] k = GaussianBlur.kernel(size, sigma);
                FloatImage blurred = GaussianBlur.blur(image, size, sigma);
                int r = size / 2;
                for (int y = 0; y < 9; y++) {
                    for (int x = 0; x < 13; x++) {
                        for (int c = 0; c < 3; c++) {
                            double sum = 0;
                            for (int dy = -r; dy <= r; dy++) {
                                for (int dx = -r; dx <= r; dx++) {
                                    sum += k[dy + r] * k[dx + r] * image.get(mirror(x + dx, 13), mirror(y + dy, 9), c);
                                }
                            }
                            assertEquals(sum, blurred.get(x, y, c), 1e-5, "size " + size + " sigma " + sigma + " at "
                                    + x + "," + y);
                        }
                    }
                }
            }
        }
    }

    @Test
    void kernelIsOpenCvsGaussianKernel() {
        for (double sigma : new double[] {GaussianBlur.REFERENCE_SIGMA, 1.3}) {
            double[] ours = GaussianBlur.kernel(9, sigma);
            try (Mat cv = opencv_imgproc.getGaussianKernel(9, sigma, opencv_core.CV_64F)) {
                DoubleIndexer idx = cv.createIndexer();
                for (int i = 0; i < 9; i++) {
                    assertEquals(idx.get(i, 0), ours[i], 1e-12, "tap " + i);
                }
            }
        }
    }

    @Test
    void blurMatchesOpenCvOnFloatImagesIncludingBorders() {
        FloatImage image = randomImage(17, 11, 3, 2);
        FloatImage ours = GaussianBlur.blur(image, 9, GaussianBlur.REFERENCE_SIGMA);
        try (Mat src = new Mat(11, 17, opencv_core.CV_32FC3); Mat dst = new Mat()) {
            FloatIndexer in = src.createIndexer();
            in.put(0L, image.data());
            opencv_imgproc.GaussianBlur(src, dst, new Size(9, 9), GaussianBlur.REFERENCE_SIGMA);
            FloatIndexer out = dst.createIndexer();
            float[] cv = new float[image.data().length];
            out.get(0L, cv);
            for (int i = 0; i < cv.length; i++) {
                assertEquals(cv[i], ours.data()[i], 1e-5, "sample " + i);
            }
        }
    }

    @Test
    void borderReflectsWithoutRepeatingTheEdge() {
        assertEquals(2, GaussianBlur.reflect101(-2, 5));
        assertEquals(1, GaussianBlur.reflect101(-1, 5));
        assertEquals(3, GaussianBlur.reflect101(5, 5));
        assertEquals(2, GaussianBlur.reflect101(6, 5));
        assertEquals(0, GaussianBlur.reflect101(-3, 1));
    }
}
