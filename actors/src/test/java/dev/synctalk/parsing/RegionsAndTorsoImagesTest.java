package dev.synctalk.parsing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class RegionsAndTorsoImagesTest {
    private static final int W = 40;
    private static final int H = 120;
    private static final int HEAD_BOTTOM = 39;
    private static final int NECK_TOP = 40;
    private static final int NECK_BOTTOM = 69;
    private static final int[] SKIN = {210, 160, 130};
    private static final int[] HEAD = {255, 0, 255};
    private static final int[] SHIRT = {40, 80, 200};

    /** Head (rows 0-39, columns 10-29), a neck below it (rows 40-69, columns 14-25), a torso below (rows 70+). */
    private static RegionMap layout() {
        byte[] labels = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                Region r = Region.BACKGROUND;
                if (y <= HEAD_BOTTOM && x >= 10 && x < 30) {
                    r = Region.HEAD;
                } else if (y >= NECK_TOP && y <= NECK_BOTTOM && x >= 14 && x < 26) {
                    r = Region.NECK;
                } else if (y > NECK_BOTTOM) {
                    r = Region.TORSO;
                }
                labels[y * W + x] = r.label();
            }
        }
        return new RegionMap(W, H, labels);
    }

    private static RgbImage paint(RegionMap regions) {
        byte[] rgb = new byte[W * H * 3];
        for (int p = 0; p < W * H; p++) {
            int[] c = switch (Region.ofLabel(regions.labels()[p])) {
                case HEAD -> HEAD;
                case NECK -> SKIN;
                case TORSO -> SHIRT;
                case BACKGROUND -> new int[] {0, 0, 0};
            };
            for (int ch = 0; ch < 3; ch++) {
                rgb[3 * p + ch] = (byte) c[ch];
            }
        }
        return new RgbImage(W, H, rgb);
    }

    private static RgbImage black() {
        return new RgbImage(W, H, new byte[W * H * 3]);
    }

    @Test
    void regionColoursFollowTheReferenceCoding() throws Exception {
        RegionMap regions = layout();
        byte[] png = Pixels.encode(regions.toColourImage().rgb(), W, H, 3, "png", new int[0]);
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
        // In the file (RGB terms): head blue, neck green, torso red, background white, as cv2.imwrite leaves the
        // reference's BGR arrays [255,0,0], [0,255,0], [0,0,255], [255,255,255].
        assertEquals(0x0000ff, read.getRGB(20, 10) & 0xffffff, "head");
        assertEquals(0x00ff00, read.getRGB(20, 50) & 0xffffff, "neck");
        assertEquals(0xff0000, read.getRGB(20, 100) & 0xffffff, "torso");
        assertEquals(0xffffff, read.getRGB(2, 10) & 0xffffff, "background");
        RegionMap back = RegionMap.fromColourImage(Pixels.decodeRgb(png, "parsing png"));
        for (int p = 0; p < W * H; p++) {
            assertEquals(regions.labels()[p], back.labels()[p], "round trip at pixel " + p);
        }
    }

    @Test
    void torsoImageHasNoHeadPixelsAndOpaqueTorso() {
        RegionMap regions = layout();
        RgbImage gt = TorsoImages.groundTruth(paint(regions), regions, black());
        byte[] torso = TorsoImages.torso(gt, regions, black());
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int p = y * W + x;
                int alpha = torso[4 * p + 3] & 0xff;
                int[] rgb = {torso[4 * p] & 0xff, torso[4 * p + 1] & 0xff, torso[4 * p + 2] & 0xff};
                if (regions.is(p, Region.TORSO)) {
                    assertEquals(255, alpha, "torso opaque at " + x + "," + y);
                    if (y > NECK_BOTTOM + 4) {
                        assertEquals(SHIRT[2], rgb[2], "torso keeps its colour at " + x + "," + y);
                    }
                }
                if (regions.is(p, Region.NECK)) {
                    assertEquals(255, alpha, "neck opaque at " + x + "," + y);
                }
                assertTrue(!(rgb[0] > 200 && rgb[1] < 60 && rgb[2] > 200), "head colour left at " + x + "," + y);
                if (regions.is(p, Region.HEAD) && (x < 14 || x >= 26)) {
                    assertEquals(0, alpha, "head outside the neck columns is transparent at " + x + "," + y);
                }
                if (regions.is(p, Region.BACKGROUND) && y < NECK_TOP) {
                    assertEquals(0, alpha, "background transparent at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void neckGapFillLeavesNoDarkPixels() {
        RegionMap regions = layout();
        RgbImage gt = TorsoImages.groundTruth(paint(regions), regions, black());
        byte[] torso = TorsoImages.torso(gt, regions, black());
        double neckLuma = luma(SKIN[0], SKIN[1], SKIN[2]);
        int filledRows = 0;
        // Columns at least two pixels inside the neck: the 5x5 blur of the fill only reaches the black
        // background at the neck's own edges.
        for (int x = 16; x < 24; x++) {
            for (int y = 0; y < NECK_TOP; y++) {
                int p = y * W + x;
                if ((torso[4 * p + 3] & 0xff) == 0) {
                    continue;
                }
                double l = luma(torso[4 * p] & 0xff, torso[4 * p + 1] & 0xff, torso[4 * p + 2] & 0xff);
                assertTrue(l > 0.85 * neckLuma, "filled pixel " + x + "," + y + " luma " + l + " vs neck " + neckLuma);
                filledRows += x == 20 ? 1 : 0;
            }
        }
        assertTrue(filledRows >= 30, "the fill reaches up into the head region: " + filledRows + " rows");
    }

    private static double luma(int r, int g, int b) {
        return 0.299 * r + 0.587 * g + 0.114 * b;
    }
}
