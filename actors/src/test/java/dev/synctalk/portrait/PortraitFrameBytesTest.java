package dev.synctalk.portrait;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.synctalk.gpu.image.FrameRgb8;
import dev.synctalk.image.FloatImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bytes head-render emits in portrait mode ({@link FrameRgb8#portrait}, the CPU twin of the device's
 * portrait_rgb8) are what the stage produced before frames became bytes: the render clamped to [0, 1], merged by
 * {@link PortraitMerge} into the decoded original through {@link FaceMask#fromMaskImage}, rounded by
 * {@link FloatImage#toBytes}. So the GPU path, checked against FrameRgb8 in GpuSelfTest, is the CPU path too.
 */
class PortraitFrameBytesTest {

    @Test
    void frameBytesEqualTheFloatMergeRoundedOnFreshRandomInputs() {
        SplittableRandom rng = new SplittableRandom(20261204);
        int w = 37;
        int h = 23;
        int pixels = w * h;
        for (int round = 0; round < 5; round++) {
            float[] head = new float[3 * pixels];
            for (int i = 0; i < head.length; i++) {
                int pick = rng.nextInt(10);
                head[i] = pick == 0 ? Float.NaN : pick == 1 ? (rng.nextInt(256) + 0.5f) / 255f
                        : (float) rng.nextDouble(-0.3, 1.3);
            }
            byte[] original = new byte[3 * pixels];
            rng.nextBytes(original);
            byte[] maskRgb = new byte[3 * pixels];
            rng.nextBytes(maskRgb);
            byte[] green = new byte[pixels];
            for (int p = 0; p < pixels; p++) {
                green[p] = maskRgb[3 * p + 1];
            }
            float[] clamped = head.clone();
            for (int i = 0; i < clamped.length; i++) {
                clamped[i] = Math.min(1f, Math.max(0f, clamped[i]));
            }
            byte[] before = PortraitMerge.merge(new FloatImage(w, h, 3, clamped), FloatImage.fromBytes(w, h, 3, original),
                    FaceMask.fromMaskImage(FloatImage.fromBytes(w, h, 3, maskRgb))).toBytes();
            assertArrayEquals(before, FrameRgb8.portrait(head, original, green));
        }
    }

    @Test
    void plainFrameBytesEqualTheClampedImageRounded() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] image = new float[3 * 500];
        for (int i = 0; i < image.length; i++) {
            image[i] = i % 17 == 0 ? Float.NaN : (float) rng.nextDouble(-0.5, 1.5);
        }
        float[] clamped = image.clone();
        for (int i = 0; i < clamped.length; i++) {
            clamped[i] = Math.min(1f, Math.max(0f, clamped[i]));
        }
        assertArrayEquals(new FloatImage(500, 1, 3, clamped).toBytes(), FrameRgb8.quantize(image));
    }
}
