package dev.synctalk.gpu.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PortraitCompositingTest {

    @Test
    void mergeTakesTheHeadWhereTheMaskIsOneAndTheFrameWhereItIsZero() {
        RgbImage head = new RgbImage(3, 1, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1});
        RgbImage frame = new RgbImage(3, 1, new float[] {0, 0.5f, 0, 0, 0.5f, 0, 0, 0.5f, 0});
        RgbImage out = PortraitCompositing.merge(head, frame, new float[] {1f, 0f, 0.25f});
        assertArrayEquals(new float[] {1, 1, 1, 0, 0.5f, 0, 0.25f, 0.625f, 0.25f}, out.data());
    }

    @Test
    void mergeGradientsFollowTheProductRule() {
        RgbImage a = new RgbImage(1, 1, new float[] {0.75f, 0.5f, 0.25f});
        RgbImage b = new RgbImage(1, 1, new float[] {0.25f, 0.5f, 1f});
        RgbImage gradOut = new RgbImage(1, 1, new float[] {1f, 2f, 4f});
        PortraitCompositing.MergeGradients g = PortraitCompositing.mergeBackward(gradOut, a, b, new float[] {0.25f});
        assertArrayEquals(new float[] {0.25f, 0.5f, 1f}, g.gradA().data());
        assertArrayEquals(new float[] {0.75f, 1.5f, 3f}, g.gradB().data());
        // 1 * 0.5 + 2 * 0 + 4 * (-0.75)
        assertArrayEquals(new float[] {-2.5f}, g.gradMask());
    }

    @Test
    void neckGapFillLeavesUnmaskedPixelsAndPaintsTheMaskCoreWithTheColour() {
        int w = 12;
        int h = 12;
        RgbImage image = RgbImage.blank(w, h);
        float[] mask = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.set(x, y, 0, 0.1f * (x % 3));
                image.set(x, y, 2, 0.9f);
                mask[y * w + x] = (x >= 3 && x < 9 && y >= 3 && y < 9) ? 1f : 0f;
            }
        }
        float[] colour = {0.5f, 0.25f, 0.75f};
        RgbImage out = PortraitCompositing.neckGapFill(image, mask, colour, GaussianTaps.openCvDefault(5));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    if (mask[y * w + x] == 0f) {
                        assertEquals(image.get(x, y, c), out.get(x, y, c), "unmasked pixel changed at " + x + "," + y);
                    } else if (x >= 5 && x < 7 && y >= 5 && y < 7) {
                        // the 5x5 window of the core sees only painted pixels
                        assertEquals(colour[c], out.get(x, y, c), 1e-6f, "core pixel at " + x + "," + y);
                    }
                }
            }
        }
        // at the region's edge the blur mixes in the surroundings: green is 0.25 inside, 0 outside
        float edgeGreen = out.get(3, 5, 1);
        assertEquals(0.25f * (0.375f + 0.25f + 0.0625f), edgeGreen, 1e-6f);
    }

    @Test
    void masksOfTheWrongSizeAreRejectedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PortraitCompositing.merge(RgbImage.blank(2, 2), RgbImage.blank(2, 2), new float[3]));
        assertEquals(true, e.getMessage().startsWith("merge mask"), e.getMessage());
    }
}
