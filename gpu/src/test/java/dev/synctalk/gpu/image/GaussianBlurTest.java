package dev.synctalk.gpu.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class GaussianBlurTest {

    private static final GaussianTaps K5 = GaussianTaps.openCvDefault(5); // 1/16 [1 4 6 4 1]

    @Test
    void impulseAwayFromTheBorderSpreadsAsTheOuterProductOfTheTaps() {
        RgbImage image = RgbImage.blank(9, 9);
        image.set(4, 4, 1, 1f);
        RgbImage out = GaussianBlur.blur(image, K5);
        assertEquals(0.140625f, out.get(4, 4, 1)); // 6/16 * 6/16
        assertEquals(0.09375f, out.get(5, 4, 1)); // 4/16 * 6/16
        assertEquals(0.00390625f, out.get(6, 6, 1)); // 1/16 * 1/16
        assertEquals(0f, out.get(7, 4, 1));
        assertEquals(0f, out.get(4, 4, 0), "channels do not mix");
    }

    @Test
    void bordersReflectWithoutRepeatingTheEdgePixel() {
        // an impulse at x = 1 in every row; BORDER_REFLECT_101 reads x = -1 from x = 1 (not from x = 0)
        RgbImage image = RgbImage.blank(6, 3);
        for (int y = 0; y < 3; y++) {
            image.set(1, y, 0, 1f);
        }
        RgbImage out = GaussianBlur.blur(image, K5);
        assertEquals(0.5f, out.get(0, 1, 0)); // offsets -1 (reflected onto x = 1) and +1: 4/16 + 4/16
        assertEquals(0.4375f, out.get(1, 1, 0)); // centre 6/16 plus offset -2, reflected onto x = 1: 1/16
        assertEquals(0.25f, out.get(2, 1, 0));
        assertEquals(0.0625f, out.get(3, 1, 0));
        assertEquals(0f, out.get(4, 1, 0));
    }

    @Test
    void constantImageStaysConstantUpToTheBorders() {
        RgbImage image = RgbImage.blank(7, 5);
        Arrays.fill(image.data(), 0.5f);
        for (float v : GaussianBlur.blur(image, K5).data()) {
            assertEquals(0.5f, v);
        }
    }

    @Test
    void backwardIsTheAdjointOfForward() {
        // <blur(x), y> == <x, blurBackward(y)> for any x, y: the backward pass is the exact transpose
        SplittableRandom rng = new SplittableRandom(7);
        for (int[] size : new int[][] {{5, 3}, {13, 11}, {40, 9}}) {
            RgbImage x = random(rng, size[0], size[1]);
            RgbImage y = random(rng, size[0], size[1]);
            GaussianTaps taps = GaussianTaps.of(2, 1.3);
            double left = dot(GaussianBlur.blur(x, taps), y);
            double right = dot(x, GaussianBlur.blurBackward(y, taps));
            assertEquals(left, right, 1e-5 * Math.abs(left) + 1e-6, "size " + size[0] + "x" + size[1]);
        }
    }

    @Test
    void radiusMustBeSmallerThanTheImage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GaussianBlur.blur(RgbImage.blank(2, 10), K5));
        assertEquals(true, e.getMessage().contains("2x10"), e.getMessage());
    }

    private static RgbImage random(SplittableRandom rng, int w, int h) {
        RgbImage image = RgbImage.blank(w, h);
        for (int i = 0; i < image.data().length; i++) {
            image.data()[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return image;
    }

    private static double dot(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.data().length; i++) {
            sum += (double) a.data()[i] * b.data()[i];
        }
        return sum;
    }
}
