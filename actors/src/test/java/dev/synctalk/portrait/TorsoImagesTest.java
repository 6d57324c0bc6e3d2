package dev.synctalk.portrait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synctalk.dataset.ParsingClass;
import dev.synctalk.dataset.ParsingMap;
import dev.synctalk.image.FloatImage;
import org.junit.jupiter.api.Test;

class TorsoImagesTest {
    static final int W = 40;
    static final int H = 80;
    static final float[] SKIN = {0.85f, 0.65f, 0.55f};
    static final float[] SHIRT = {0.2f, 0.3f, 0.8f};
    static final float[] DARK_BACKGROUND = {0.05f, 0.05f, 0.05f};

    /** Head rows 5..39 (columns 8..31), neck rows 40..54 (columns 14..25), torso below; background elsewhere. */
    static ParsingMap parsing() {
        ParsingMap map = ParsingMap.filled(W, H, ParsingClass.BACKGROUND);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (y >= 5 && y < 40 && x >= 8 && x < 32) {
                    map.set(x, y, ParsingClass.HEAD);
                } else if (y >= 40 && y < 55 && x >= 14 && x < 26) {
                    map.set(x, y, ParsingClass.NECK);
                } else if (y >= 55) {
                    map.set(x, y, ParsingClass.TORSO);
                }
            }
        }
        return map;
    }

    static FloatImage frame(ParsingMap parsing) {
        FloatImage image = FloatImage.blank(W, H, 3);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ParsingClass c = parsing.at(x, y);
                float[] colour = c == ParsingClass.TORSO ? SHIRT : c == ParsingClass.BACKGROUND ? new float[] {0.5f, 0.5f, 0.5f}
                        : SKIN;
                for (int ch = 0; ch < 3; ch++) {
                    image.set(x, y, ch, colour[ch] - 0.001f * y);
                }
            }
        }
        return image;
    }

    static FloatImage flat(float[] colour) {
        FloatImage image = FloatImage.blank(W, H, 3);
        for (int p = 0; p < W * H; p++) {
            System.arraycopy(colour, 0, image.data(), p * 3, 3);
        }
        return image;
    }

    static float luminance(FloatImage image, int p) {
        int c = image.channels();
        return 0.299f * image.data()[p * c] + 0.587f * image.data()[p * c + 1] + 0.114f * image.data()[p * c + 2];
    }

    @Test
    void neckGapFillLeavesNoDarkPixelsWhereTheHeadWas() {
        ParsingMap parsing = parsing();
        FloatImage background = flat(DARK_BACKGROUND);
        FloatImage gt = TorsoImages.groundTruth(frame(parsing), parsing, background);
        TorsoImages.Torso torso = TorsoImages.torso(gt, parsing, background);

        boolean[] gap = torso.neckFill();
        boolean[] head = parsing.mask(ParsingClass.HEAD);
        float skin = 0.299f * SKIN[0] + 0.587f * SKIN[1] + 0.114f * SKIN[2];
        int gapInHead = 0;
        for (int p = 0; p < gap.length; p++) {
            if (gap[p]) {
                assertTrue(luminance(torso.rgba(), p) > 0.5f * skin, "dark pixel in the filled gap at " + p % W + ","
                        + p / W + ": " + luminance(torso.rgba(), p));
                assertEquals(1f, torso.rgba().data()[p * 4 + 3], "filled pixels are opaque");
                gapInHead += head[p] ? 1 : 0;
                // Without the fill this pixel would show the dark background the head was replaced by.
                assertTrue(!head[p] || luminance(background, p) < 0.1f);
            }
        }
        // 12 neck columns, each filled 53 rows up from its sampling row (41): the whole head height above them.
        assertEquals(12 * 35, gapInHead, "head pixels above the neck that the fill covers");
        for (int x = 0; x < W; x++) {
            boolean neckColumn = x >= 14 && x < 26;
            assertEquals(neckColumn, gap[30 * W + x], "row 30, column " + x + " is filled only above the neck");
        }
    }

    @Test
    void torsoImageIsTransparentOutsideNeckTorsoAndFills() {
        ParsingMap parsing = parsing();
        FloatImage background = flat(DARK_BACKGROUND);
        FloatImage gt = TorsoImages.groundTruth(frame(parsing), parsing, background);
        FloatImage rgba = TorsoImages.torso(gt, parsing, background).rgba();
        assertEquals(0f, rgba.get(2, 2, 3), "background is transparent");
        assertEquals(0f, rgba.get(10, 10, 3), "the head outside the neck columns is transparent");
        assertEquals(1f, rgba.get(20, 70, 3), "the torso is opaque");
        assertEquals(SHIRT[2] - 0.07f, rgba.get(20, 70, 2), 1e-6f, "torso pixels keep their colour");
    }

    @Test
    void groundTruthTakesTheBackgroundFromTheBackgroundImage() {
        ParsingMap parsing = parsing();
        FloatImage original = frame(parsing);
        FloatImage gt = TorsoImages.groundTruth(original, parsing, flat(DARK_BACKGROUND));
        assertEquals(DARK_BACKGROUND[0], gt.get(1, 1, 0));
        assertEquals(original.get(20, 20, 0), gt.get(20, 20, 0), "the head stays");
    }
}
