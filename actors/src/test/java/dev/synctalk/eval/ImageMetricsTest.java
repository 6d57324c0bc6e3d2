package dev.synctalk.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.image.FloatImage;
import org.junit.jupiter.api.Test;

/**
 * PSNR, SSIM and MS-SSIM against known values: analytic ones, SSIM from scikit-image 0.26
 * ({@code structural_similarity(a, b, channel_axis=2, data_range=1, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False)}) and MS-SSIM from a numpy transcription of pytorch_msssim's ms_ssim
 * (valid 11-tap Gaussian, avg_pool2d(2, padding = side % 2), relu, weights 0.0448 .. 0.1333), on the
 * integer patterns {@link #pattern} and {@link #perturbed}.
 */
class ImageMetricsTest {

    interface Pixel {
        int value(int x, int y, int c);
    }

    static FloatImage image(int w, int h, Pixel pixel) {
        float[] d = new float[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    d[(y * w + x) * 3 + c] = pixel.value(x, y, c) / 255f;
                }
            }
        }
        return new FloatImage(w, h, 3, d);
    }

    /** ((x // 4) * 13 + (y // 5) * 29 + c * 31) % 256. */
    static FloatImage pattern(int w, int h) {
        return image(w, h, (x, y, c) -> ((x / 4) * 13 + (y / 5) * 29 + c * 31) % 256);
    }

    /** The pattern plus ((x * 5 + y * 11 + c) % 21) - 10, clipped to 0..255. */
    static FloatImage perturbed(int w, int h) {
        return image(w, h, (x, y, c) -> Math.max(0, Math.min(255,
                ((x / 4) * 13 + (y / 5) * 29 + c * 31) % 256 + (x * 5 + y * 11 + c) % 21 - 10)));
    }

    static FloatImage constant(int w, int h, float value) {
        float[] d = new float[w * h * 3];
        java.util.Arrays.fill(d, value);
        return new FloatImage(w, h, 3, d);
    }

    @Test
    void psnrOfAnExactRenderIsInfiniteAndOfAUniformErrorFollowsTheMse() {
        FloatImage a = pattern(32, 24);
        assertEquals(Double.POSITIVE_INFINITY, Psnr.of(a, a.copy()));
        // every sample off by 0.1: MSE 0.01, PSNR 20 dB
        assertEquals(20.0, Psnr.of(constant(8, 8, 0.3f), constant(8, 8, 0.4f)), 1e-5);
    }

    @Test
    void maskedPsnrCountsOnlyTheMaskedPixels() {
        FloatImage truth = constant(4, 4, 0.5f);
        FloatImage render = truth.copy();
        boolean[] mask = new boolean[16];
        mask[0] = true;
        mask[5] = true;
        render.data()[0] = 0.6f; // pixel 0 off by 0.1 in one channel: masked MSE = 0.01 / 6
        render.data()[3 * 10] = 0f; // outside the mask: ignored
        assertEquals(-10 * Math.log10(0.01 / 6), Psnr.masked(render, truth, mask), 1e-4);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Psnr.masked(render, truth, new boolean[16]));
        assertTrue(empty.getMessage().contains("no pixel"), empty.getMessage());
    }

    @Test
    void mismatchedSizesAreRefusedNamingBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Psnr.of(pattern(32, 24), pattern(24, 32)));
        assertTrue(e.getMessage().contains("32x24x3") && e.getMessage().contains("24x32x3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Ssim.of(pattern(32, 24), pattern(32, 25)));
        assertThrows(IllegalArgumentException.class, () -> Ssim.multiScale(pattern(32, 24), pattern(33, 24)));
    }

    @Test
    void ssimMatchesScikitImage() {
        assertEquals(0.9276766886566953, Ssim.of(pattern(40, 32), perturbed(40, 32)), 1e-6);
        assertEquals(0.9355520795674875, Ssim.of(pattern(181, 170), perturbed(181, 170)), 1e-6);
    }

    @Test
    void msSsimMatchesTheFiveScaleReferenceOnAnOddSizedImage() {
        Ssim.MultiScale ms = Ssim.multiScale(pattern(181, 170), perturbed(181, 170));
        assertEquals(5, ms.scales());
        assertEquals(0.9964775118851149, ms.value(), 1e-6);
    }

    @Test
    void identicalImagesScoreOneAConstantImageIncluded() {
        FloatImage a = pattern(64, 48);
        assertEquals(1.0, Ssim.of(a, a.copy()), 0.0);
        assertEquals(1.0, Ssim.multiScale(a, a.copy()).value(), 0.0);
        FloatImage flat = constant(176, 176, 0.4f);
        assertEquals(1.0, Ssim.of(flat, flat.copy()), 0.0);
        assertEquals(1.0, Ssim.multiScale(flat, flat.copy()).value(), 0.0);
    }

    @Test
    void constantImagesDifferOnlyInLuminance() {
        double c1 = 0.3;
        double c2 = 0.5;
        double luminance = (2 * c1 * c2 + 1e-4) / (c1 * c1 + c2 * c2 + 1e-4);
        FloatImage a = constant(176, 176, (float) c1);
        FloatImage b = constant(176, 176, (float) c2);
        assertEquals(luminance, Ssim.of(a, b), 1e-6);
        // structure terms are 1 at every scale (176 halves evenly down to 11): only the last scale's
        // luminance, to the power 0.1333, remains
        assertEquals(Math.pow(luminance, 0.1333), Ssim.multiScale(a, b).value(), 1e-6);
    }

    @Test
    void msSsimUsesTheScalesThatFitBelow161Pixels() {
        assertEquals(5, Ssim.scalesFor(161, 400));
        assertEquals(4, Ssim.scalesFor(160, 160));
        assertEquals(3, Ssim.scalesFor(64, 64));
        assertEquals(1, Ssim.scalesFor(20, 20));
        // one scale: MS-SSIM is SSIM
        FloatImage a = pattern(20, 20);
        FloatImage b = perturbed(20, 20);
        assertEquals(Ssim.of(a, b), Ssim.multiScale(a, b).value(), 1e-12);
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class,
                () -> Ssim.of(pattern(10, 30), perturbed(10, 30)));
        assertTrue(tiny.getMessage().contains("11x11"), tiny.getMessage());
    }
}
